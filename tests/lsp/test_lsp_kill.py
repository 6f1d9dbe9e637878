"""The language server killed while it learns from a closed document keeps its memory whole.

A real `redline lsp` drafts a summary (a code action), the editor applies it, the user
edits it and closes the document; the server learns in the background a moment later.
It is killed with SIGKILL at a random point of that moment, in several trials.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from redline.memory.embedder import Embedder
from redline.memory.preferences import PreferenceMemory
from redline.memory.store import Store
from tests.jsonrpc import answer, send
from tests.lsp.conftest import fresh_memory

PARAGRAPH = (
    "The spectrometer lamp failed again on Monday, so the calibration runs moved to "
    "Wednesday. Mei replaced the lamp and checked the alignment; the first runs look "
    "clean and the backlog should be cleared by Friday."
)
TRIALS = 4


def draft_edit_and_close(server: subprocess.Popen[bytes], uri: str) -> None:
    """Open, summarize, apply the summary, put "TL;DR: " before it, close."""
    document = {"uri": uri, "languageId": "markdown", "version": 1, "text": PARAGRAPH}
    capabilities = {"workspace": {"applyEdit": True}, "window": {"workDoneProgress": True}}
    send(
        server,
        {
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": capabilities},
        },
    )
    answer(server, 1)
    send(server, {"method": "initialized", "params": {}})
    send(server, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
    selection = {
        "start": {"line": 0, "character": 0},
        "end": {"line": 0, "character": len(PARAGRAPH)},
    }
    send(
        server,
        {
            "id": 2,
            "method": "workspace/executeCommand",
            "params": {"command": "redline.summarize", "arguments": [uri, selection]},
        },
    )
    summary = answer(server, 2)["result"]["text"]
    end = {"line": 0, "character": len(PARAGRAPH)}
    for version, (at, text) in enumerate(
        [(end, "\n\n" + summary), ({"line": 2, "character": 0}, "TL;DR: ")], start=2
    ):
        send(
            server,
            {
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": at, "end": at}, "text": text}],
                },
            },
        )
    send(server, {"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    # fmt: skip


def test_killed_while_learning_on_close_loses_nothing_committed(
    memory_template: Path, tmp_path: Path, embedder: Embedder
) -> None:
    rng = random.Random(3)
    data = fresh_memory(memory_template, tmp_path)
    for trial in range(TRIALS):
        server = subprocess.Popen(
            [sys.executable, "-m", "redline", "--data-dir", str(data), "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            draft_edit_and_close(server, f"file:///notes/report-{trial}.md")
            time.sleep(rng.uniform(0.0, 0.08))  # learning ends some 40 ms after the close
        finally:
            server.kill()
            server.wait()
        store = Store(data)
        try:
            assert store.integrity() == "ok"
            assert store.query("PRAGMA foreign_key_check") == []
            (lonely,), *_ = store.query(
                "SELECT count(*) FROM preferences p WHERE NOT EXISTS"
                " (SELECT 1 FROM evidence e WHERE e.preference_id = p.id)"
            )
            assert lonely == 0  # a preference is stored with its evidence, or not at all
            (drafts, evidence), *_ = store.query(
                "SELECT (SELECT count(*) FROM drafts), (SELECT count(*) FROM evidence)"
            )
            assert drafts == trial + 1  # each summary was drafted and stored
            assert PreferenceMemory(store, embedder).index.sync().ntotal == evidence
        finally:
            store.close()
