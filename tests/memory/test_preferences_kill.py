"""Killing a process in the middle of learning loses nothing it committed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from redline.memory.preferences import PreferenceMemory
from redline.memory.store import Store

LEARNER = textwrap.dedent(
    """
    import sys
    from redline.memory.embedder import Embedder
    from redline.memory.preferences import PreferenceMemory
    from redline.memory.store import Store
    from redline.style.rules import Replace

    memory = PreferenceMemory(Store(sys.argv[1]), Embedder("cpu"))
    context = memory.context("summarize", "The council met on Monday to vote on the budget.")
    for i in range(10_000):
        draft_id = memory.save_draft(context, "source", "draft", None, [])
        rule = Replace(f"word{i}", f"other{i}")
        memory.record_edit(draft_id, "edited", 1, [(rule.describe(), rule)], [], [])
        print(i, flush=True)
    """
)


def test_kill_during_learning_keeps_every_committed_edit(data_dir: Path, embedder) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", LEARNER, str(data_dir)],
        stdout=subprocess.PIPE,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    committed = -1
    for line in child.stdout:
        committed = int(line)
        if committed >= 30:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()

    store = Store(data_dir)
    assert store.integrity() == "ok"
    edits, preferences, evidence = store.query(
        "SELECT (SELECT count(*) FROM edits), (SELECT count(*) FROM preferences),"
        " (SELECT count(*) FROM evidence)"
    )[0]
    assert edits >= committed + 1
    assert edits == preferences == evidence  # each edit with all it taught, or not at all
    memory = PreferenceMemory(store, embedder)
    assert memory.index.sync().ntotal == evidence
    store.close()
