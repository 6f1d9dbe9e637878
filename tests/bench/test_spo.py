"""`redline bench spo` on small data of its own: the real model, store and optimisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.bench.spo import SpoOptions, run_spo
from redline.config import load_settings
from redline.errors import InputError
from tests.conftest import sample_texts


def _write(path: Path, texts: list[str]) -> None:
    rows = [json.dumps({"id": f"t{i}", "kind": "note", "text": t}) for i, t in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_keystroke_savings_before_and_after_on_targets_never_optimised_on(tmp_path: Path) -> None:
    texts = sample_texts()
    _write(tmp_path / "history.jsonl", texts[:6])
    _write(tmp_path / "targets.jsonl", texts[6:7])
    said: list[str] = []
    [row] = run_spo(tmp_path, SpoOptions(rounds=1, sample=1), load_settings({}), said.append)
    assert (row.task, row.metric, row.higher_is_better) == ("complete", "keystroke savings", True)
    assert 0 < row.before < 1 and 0 < row.after < 1 and row.calls > 0
    assert row.rounds == 1 and row.accepted in (0, 1)
    if row.accepted == 0:
        assert row.after == row.before and row.gate == "no better prompt found"
    else:
        assert row.gate.startswith(("activated", "refused"))
    assert said[0] == "reading 6 texts of history"
    assert any(line.startswith("optimising: round 1:") for line in said)


def test_a_folder_of_neither_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="neither a predict-dev folder"):
        run_spo(tmp_path, SpoOptions(), load_settings({}), print)


PRELUDE = Path(__file__).resolve().parents[3] / "shared" / "prelude-lite"


@pytest.mark.skipif(not (PRELUDE / "simuser.py").exists(), reason="no PRELUDE-lite folder here")
def test_edit_cost_before_and_after_on_documents_never_optimised_on() -> None:
    options = SpoOptions(rounds=1, sample=1, limit=3)
    rows = run_spo(PRELUDE, options, load_settings({}), lambda line: None)
    assert [row.metric for row in rows] == ["cumulative edit cost"] * len(rows) and rows
    for row in rows:
        assert row.before >= 0 and row.after >= 0 and not row.higher_is_better
        assert row.gate
