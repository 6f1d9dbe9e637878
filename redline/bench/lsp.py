"""`redline bench lsp`: the language server through a real client, beside its baselines.

- start-up: spawn to the ``initialize`` reply, `redline lsp` beside a bare
  pygls server started the same way (the same interpreter, stdio), alternated;
- keystrokes: the bundled sample typed through a pygls client, a ``didChange``
  per character and a ``textDocument/inlineCompletion`` after each word (as an
  editor that asks when the user pauses), timed from the word's last
  ``didChange``; beside ``Assistant.complete_detail`` called directly with the
  same inputs in the same order, on a copy of the same memory;
- the first suggestion: a fresh server over the same memory, a document
  opened and an inline completion asked for until one comes, beside the
  same server's spawn to the end of its model loading;
- resident memory of both servers once loaded.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from redline.bench.keystrokes import percentile
from redline.bench.latency import word_prefixes
from redline.config import Settings

BARE_SERVER = """
from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")


@server.feature(types.TEXT_DOCUMENT_COMPLETION)
def completion(params):
    return []


server.start_io()
"""
LOAD_TIMEOUT = 300.0
PATH_NAMES = {"cache": "keystroke served from the cache", "model": "keystroke the model answered"}


@dataclass(frozen=True)
class LspBench:
    """What `redline bench lsp` measured (seconds and bytes)."""

    start_redline: list[float]
    start_bare: list[float]
    lsp: list[float]  # didChange sent -> completion answer, per keystroke
    direct: list[float]  # Assistant.complete_detail, same inputs
    paths: list[str]  # how each direct call was answered: cache, phrases, model, none
    sources: dict[str, int]  # how the server's answers were made
    rss_redline: int
    rss_bare: int
    first: list[FirstSuggestion]  # fresh servers over the same memory


def _message(body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def _read_message(stream: Any) -> dict[str, Any]:
    length = 0
    while line := stream.readline():
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def _resident(pid: int) -> int:
    """Resident memory of a process (Linux), 0 where unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def time_initialize(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawning ``command`` to its ``initialize`` reply, and its resident memory."""
    initialize = {"processId": os.getpid(), "rootUri": None, "capabilities": {}}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(
            _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize})
        )
        process.stdin.flush()
        while "id" not in (reply := _read_message(process.stdout)):
            pass  # notifications sent before the reply
        elapsed = time.perf_counter() - start
        assert "result" in reply, reply
        resident = _resident(process.pid)
        process.stdin.write(_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        process.stdin.write(_message({"jsonrpc": "2.0", "method": "exit"}))
        process.stdin.flush()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return elapsed, resident


def _keystrokes(targets: list[str]) -> list[tuple[str, str]]:
    """(document uri, typed text) for every word of every target, in typing order."""
    return [
        (f"file:///bench/target-{i}.md", prefix)
        for i, target in enumerate(targets)
        for prefix in word_prefixes(target)
    ]


async def open_client(command: list[str], env: dict[str, str]) -> tuple[Any, asyncio.Event]:
    """A pygls client of a server spawned with ``command``, initialized; with an event set
    when the server's model loading ends (its ``$/progress`` end)."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("redline-bench", "0")
    loaded = asyncio.Event()

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def _create(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def _log(params: types.LogMessageParams) -> None:
        return None

    @client.feature(types.PROGRESS)
    def _progress(params: types.ProgressParams) -> None:
        value = params.value
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        if kind == "end":
            loaded.set()

    await client.start_io(*command, env=env)
    capabilities = types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        text_document=types.TextDocumentClientCapabilities(
            inline_completion=types.InlineCompletionClientCapabilities()
        ),
    )
    await client.initialize_async(types.InitializeParams(capabilities=capabilities))
    client.initialized(types.InitializedParams())
    return client, loaded


async def start_client(command: list[str], env: dict[str, str]) -> tuple[Any, int]:
    """A pygls client of a server spawned with ``command``, once its models have loaded;
    with the server's resident memory then."""
    client, loaded = await open_client(command, env)
    await asyncio.wait_for(loaded.wait(), LOAD_TIMEOUT)
    return client, _resident(client._server.pid) if client._server else 0


@dataclass(frozen=True)
class FirstSuggestion:
    """A fresh server's first answer (seconds from spawning it)."""

    seconds: float  # to the first non-empty inline suggestion
    source: str  # what made it: phrases, cache, model
    models_loaded: float  # to the end of its model loading
    resident: int  # the server's resident memory then (bytes)


async def time_first_suggestion(
    command: list[str], env: dict[str, str], text: str
) -> FirstSuggestion:
    """Spawn the server, open a document holding ``text`` and ask for an inline completion
    at its end every 50 ms until one is not empty; then wait for the models."""
    from lsprotocol import types

    uri = "file:///bench/first.md"
    start = time.perf_counter()
    client, loaded = await open_client(command, env)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1,
                                                 text=text)
        )
    )  # fmt: skip
    ask = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_end_position(text),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
    )
    while time.perf_counter() - start < LOAD_TIMEOUT:
        answer = await client.text_document_inline_completion_async(ask)
        if answer is not None and answer.items and answer.items[0].insert_text:
            break
        await asyncio.sleep(0.05)
    first = time.perf_counter() - start
    stats = await client.protocol.send_request_async("redline/stats", {})
    await asyncio.wait_for(loaded.wait(), LOAD_TIMEOUT)
    models_loaded = time.perf_counter() - start
    resident = _resident(client._server.pid) if client._server else 0
    await stop_client(client)
    return FirstSuggestion(first, stats._asdict()["last_completion"], models_loaded, resident)


def phrase_prefix(history: list[str]) -> str:
    """The first words of the last text of ``history`` and a space: the user's phrases go on."""
    return " ".join(history[-1].split()[:3]) + " "


async def stop_client(client: Any) -> None:
    """Shut the server down as an editor does."""
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


async def _type_through_server(
    command: list[str], env: dict[str, str], keystrokes: list[tuple[str, str]]
) -> tuple[list[float], dict[str, int], int]:
    """Type the keystrokes through a pygls client; per-keystroke seconds, sources, RSS."""
    from lsprotocol import types

    client, resident = await start_client(command, env)

    def change(uri: str, text: str) -> None:
        versions[uri] += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    seconds: list[float] = []
    sources: dict[str, int] = {}
    versions: dict[str, int] = {}
    texts: dict[str, str] = {}
    for uri, prefix in keystrokes:
        if uri not in versions:
            versions[uri], texts[uri] = 1, ""
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(
                        uri=uri, language_id="markdown", version=1, text=""
                    )
                )
            )
        for typed in range(len(texts[uri]) + 1, len(prefix)):  # the word's keys but the last
            change(uri, prefix[:typed])
        texts[uri] = prefix
        start = time.perf_counter()
        change(uri, prefix)
        end = _end_position(prefix)
        await client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=end,
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        )
        seconds.append(time.perf_counter() - start)
        stats = await client.protocol.send_request_async("redline/stats", {})
        source = stats._asdict()["last_completion"]
        sources[source] = sources.get(source, 0) + 1
    await stop_client(client)
    return seconds, sources, resident


def _end_position(text: str) -> Any:
    from lsprotocol import types

    line = text.count("\n")
    last = text[text.rfind("\n") + 1 :]
    return types.Position(line=line, character=len(last.encode("utf-16-le")) // 2)


def _type_directly(
    settings: Settings, keystrokes: list[tuple[str, str]]
) -> tuple[list[float], list[str]]:
    """The same keystrokes through ``Assistant.complete_detail`` in this process."""
    from redline.assistant import Assistant

    seconds = []
    paths = []
    with Assistant(settings=settings) as assistant:
        assistant.predictor.load()
        assistant.embedder.load()
        assistant.writing.phrases()
        assistant.complete("Warm up", uri="redline:warm-up")
        for uri, prefix in keystrokes:
            start = time.perf_counter()
            detail = assistant.complete_detail(prefix, "", uri=uri, typed_by_hand=True)
            seconds.append(time.perf_counter() - start)
            paths.append(detail["source"])
    return seconds, paths


def run_lsp_bench(
    settings: Settings, history: list[str], targets: list[str], starts: int = 5
) -> LspBench:
    """Measure start-up, keystrokes through the server and directly, and memory."""
    from redline.assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="redline-bench-lsp-") as scratch:
        memory = Path(scratch) / "memory"
        with Assistant(settings=settings, data_dir=memory) as assistant:
            for text in history:
                assistant.observe_writing(text)
        # Bytecode is written and used, as in an installed redline.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["REDLINE_DATA_DIR"] = str(Path(scratch) / "server")
        if settings.model:
            env["REDLINE_MODEL"] = settings.model
        redline_command = [sys.executable, "-m", "redline", "lsp"]
        bare_command = [sys.executable, "-c", BARE_SERVER]
        start_redline: list[float] = []
        start_bare: list[float] = []
        for command in (bare_command, redline_command):  # untimed: bytecode written
            time_initialize(command, env)
        for _ in range(starts):  # alternated, so that both see the same machine
            start_bare.append(time_initialize(bare_command, env)[0])
            start_redline.append(time_initialize(redline_command, env)[0])
        rss_bare = time_initialize(bare_command, env)[1]
        first = []
        for run in range(starts):
            data = Path(scratch) / f"first-{run}"
            shutil.copytree(memory, data)
            fresh = {**env, "REDLINE_DATA_DIR": str(data)}
            first.append(
                asyncio.run(time_first_suggestion(redline_command, fresh, phrase_prefix(history)))
            )

        keystrokes = _keystrokes(targets)
        shutil.copytree(memory, Path(scratch) / "server")
        lsp, sources, rss_redline = asyncio.run(
            _type_through_server(redline_command, env, keystrokes)
        )
        shutil.copytree(memory, Path(scratch) / "direct")
        direct, paths = _type_directly(
            replace(settings, data_dir=str(Path(scratch) / "direct")), keystrokes
        )
    return LspBench(
        start_redline, start_bare, lsp, direct, paths, sources, rss_redline, rss_bare, first
    )


def format_lsp_table(result: LspBench) -> Any:
    """One table: redline beside its baselines, with the ratios and the targets."""
    from rich.table import Table

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b else "n/a"

    start_r, start_b = percentile(result.start_redline, 50), percentile(result.start_bare, 50)
    lsp50, lsp95 = percentile(result.lsp, 50), percentile(result.lsp, 95)
    dir50, dir95 = percentile(result.direct, 50), percentile(result.direct, 95)
    lsp_mean = sum(result.lsp) / len(result.lsp)
    dir_mean = sum(result.direct) / len(result.direct)
    table = Table(title="redline bench lsp", title_justify="left")
    for column in ("measure", "redline lsp", "baseline", "baseline is", "ratio", "target"):
        left = column in ("measure", "baseline is")
        table.add_column(column, justify="left" if left else "right")
    runs = f"median of {len(result.start_redline)}"
    table.add_row(
        f"spawn → initialize reply ({runs})",
        ms(start_r),
        ms(start_b),
        "bare pygls server",
        ratio(start_r, start_b),
        "≤ 1.2",
    )
    if result.first:
        first = percentile([f.seconds for f in result.first], 50)
        loaded = percentile([f.models_loaded for f in result.first], 50)
        table.add_row(
            f"spawn → first suggestion ({runs})",
            ms(first),
            ms(loaded),
            "spawn → models loaded",
            ratio(first, loaded),
            "≤ 3 s",
        )
    direct = "Assistant.complete, same inputs"
    table.add_row(
        "didChange → completion p50", ms(lsp50), ms(dir50), direct, ratio(lsp50, dir50), ""
    )
    table.add_row(
        "didChange → completion p95", ms(lsp95), ms(dir95), direct, ratio(lsp95, dir95), "< 250 ms"
    )
    table.add_row(
        f"mean per keystroke ({len(result.lsp)})",
        ms(lsp_mean),
        ms(dir_mean),
        direct,
        ratio(lsp_mean, dir_mean),
        "≤ 1.1",
    )
    for path in ("cache", "model"):
        rows = zip(result.lsp, result.direct, result.paths, strict=True)
        pairs = [(a, b) for a, b, p in rows if p == path]
        if pairs:
            lsp_p = percentile([a for a, _ in pairs], 50)
            dir_p = percentile([b for _, b in pairs], 50)
            table.add_row(
                f"  {PATH_NAMES[path]}, p50 ({len(pairs)})",
                ms(lsp_p),
                ms(dir_p),
                direct,
                ratio(lsp_p, dir_p),
                "",
            )
    table.add_row(
        "resident memory, loaded",
        f"{result.rss_redline / 2**20:.0f} MiB",
        f"{result.rss_bare / 2**20:.0f} MiB",
        "bare pygls server",
        ratio(result.rss_redline, result.rss_bare),
        "",
    )
    first_sources = sorted({f.source for f in result.first})
    table.caption = (
        "server answers by source: "
        + ", ".join(f"{source} {count}" for source, count in sorted(result.sources.items()))
        + (f"; first suggestions from: {', '.join(first_sources)}" if first_sources else "")
    )
    return table
