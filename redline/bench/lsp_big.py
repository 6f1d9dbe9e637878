"""`redline bench lsp --big`: a keystroke in a 5 MB document beside one in a 5 KB document.

One `redline lsp` (a real process, a pygls client) holds three documents that end
with the same 5 KB of prose, so the agent's work per keystroke is the same in each:

- the 5 KB of prose alone (the baseline);
- 5 MB on one line, the prose at its end;
- 5 MB in 90-character lines, the prose after them.

The same sentence is typed at the end of each, one character per incremental
``didChange`` followed by an inline completion request, as an editor sends them;
each keystroke is timed from its ``didChange`` to the completion's answer. A first
pass in a fourth document warms the model's cache for all three.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.bench.keystrokes import percentile
from redline.bench.lsp import start_client, stop_client
from redline.config import Settings

BIG_CHARS = 5 * 1024 * 1024
SMALL_CHARS = 5 * 1024
LINE_CHARS = 90
TYPED = " Let me know by Friday if the new plan works for your team."
SHAPES = ("5 KB", "5 MB, one line", "5 MB, 90-character lines")


@dataclass(frozen=True)
class BigBench:
    """Seconds per keystroke in each document shape (see SHAPES)."""

    keystrokes: dict[str, list[float]]


def documents(history: list[str]) -> dict[str, str]:
    """The three documents, each ending with the same 5 KB of the user's prose."""
    prose = " ".join(" ".join(text.split()) for text in history)
    tail = (prose * (SMALL_CHARS // len(prose) + 1))[:SMALL_CHARS].rstrip()
    filler = (prose + " ") * (BIG_CHARS // (len(prose) + 1) + 1)
    flat = filler[: BIG_CHARS - len(tail) - 1]
    lines = "\n".join(flat[i : i + LINE_CHARS] for i in range(0, len(flat), LINE_CHARS))
    return dict(zip(SHAPES, (tail, flat + " " + tail, lines + "\n" + tail), strict=True))


def _end(text: str) -> Any:
    from lsprotocol import types

    last = text[text.rfind("\n") + 1 :]
    return types.Position(line=text.count("\n"), character=len(last.encode("utf-16-le")) // 2)


async def _type_at_end(client: Any, uri: str, text: str) -> list[float]:
    """Open ``text`` and type TYPED at its end; seconds per keystroke."""
    from lsprotocol import types

    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="markdown", version=1, text=text
            )
        )
    )
    seconds = []
    for version, char in enumerate(TYPED, start=2):
        here = _end(text)
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=here, end=here), text=char
                    )
                ],
            )
        )
        text += char
        await client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=_end(text),
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        )
        seconds.append(time.perf_counter() - start)
    return seconds


async def _type_in_all(command: list[str], env: dict[str, str], texts: dict[str, str]) -> BigBench:
    client, _ = await start_client(command, env)
    try:
        await _type_at_end(client, "file:///bench/warm-up.md", texts[SHAPES[0]])
        keystrokes = {}
        for number, (shape, text) in enumerate(texts.items()):
            keystrokes[shape] = await _type_at_end(client, f"file:///bench/big-{number}.md", text)
    finally:
        await stop_client(client)
    return BigBench(keystrokes)


def run_big_bench(settings: Settings, history: list[str]) -> BigBench:
    """Type into the three documents through a fresh `redline lsp` on a memory of ``history``."""
    from redline.assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="redline-bench-big-") as scratch:
        with Assistant(settings=settings, data_dir=Path(scratch)) as assistant:
            for text in history:
                assistant.observe_writing(text)
        env = {**os.environ, "REDLINE_DATA_DIR": scratch}
        if settings.model:
            env["REDLINE_MODEL"] = settings.model
        command = [sys.executable, "-m", "redline", "lsp"]
        return asyncio.run(_type_in_all(command, env, documents(history)))


def format_big_table(result: BigBench) -> Any:
    """p50 and p95 per keystroke in each document, and the ratio to the 5 KB one."""
    from rich.table import Table

    table = Table(title="redline bench lsp --big", title_justify="left")
    for column in ("document", "keystrokes", "p50", "p95", "p95 / 5 KB", "target"):
        table.add_column(column, justify="left" if column == "document" else "right")
    small = percentile(result.keystrokes[SHAPES[0]], 95)
    for shape, seconds in result.keystrokes.items():
        p95 = percentile(seconds, 95)
        table.add_row(
            shape,
            str(len(seconds)),
            f"{percentile(seconds, 50) * 1000:.1f} ms",
            f"{p95 * 1000:.1f} ms",
            f"{p95 / small:.2f}" if small else "n/a",
            "" if shape == SHAPES[0] else "≤ 1.5",
        )
    return table
