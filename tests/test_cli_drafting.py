"""`redline draft`, `learn` and `prefs` as a user runs them: real processes, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.documents import NEWS
from tests.test_cli import run

PRELUDE = Path(__file__).resolve().parents[2] / "shared" / "prelude-lite"


def redline(data: Path, *args: str, stdin: bytes | None = None):
    return run("--data-dir", str(data), *args, stdin=stdin)


def test_draft_edit_learn_then_review_correct_export_import_and_delete(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = tmp_path / "news.txt"
    source.write_text(NEWS[0], encoding="utf-8")
    drafted = redline(data, "draft", str(source))
    assert drafted.returncode == 0, drafted.stderr
    assert b"draft 1" in drafted.stderr and b"preferences used: none yet" in drafted.stderr
    edited = tmp_path / "edited.txt"
    edited.write_text("In short: " + drafted.stdout.decode().strip() + "\n\nBest,\nRavi")
    learned = redline(data, "learn", "--draft", "1", str(edited))
    assert learned.returncode == 0, learned.stderr
    assert 'Start the main text with "In short:".' in learned.stdout.decode()

    listed = redline(data, "prefs", "list").stdout.decode()
    assert "In short:" in listed and "signoff" in listed
    exported = redline(data, "prefs", "export").stdout
    ids = {p["rule"]["kind"]: p["id"] for p in json.loads(exported)["preferences"]}
    shown = redline(data, "prefs", "show", str(ids["label"])).stdout.decode()
    assert "support 1" in shown and "The Harlow city council" in shown

    corrected = redline(data, "prefs", "edit", str(ids["label"]), 'Begin with "Summary:".')
    assert corrected.returncode == 0 and b"(rule: label)" in corrected.stdout
    assert redline(data, "prefs", "disable", str(ids["signoff"])).returncode == 0
    again = redline(data, "draft", "-", stdin=NEWS[1].encode())
    assert again.stdout.decode().startswith("Summary:")
    assert b"Best," not in again.stdout

    backup = tmp_path / "prefs.json"
    assert redline(data, "prefs", "export", str(backup)).returncode == 0
    other = tmp_path / "other"
    imported = redline(other, "prefs", "import", str(backup))
    assert imported.returncode == 0 and b"imported 2 new" in imported.stdout

    removed = redline(data, "prefs", "rm", str(ids["label"]), str(ids["signoff"]))
    assert removed.returncode == 0
    assert b"no preferences yet" in redline(data, "prefs", "list").stdout


def test_bad_input_gets_a_message_and_an_exit_code(tmp_path: Path) -> None:
    data = tmp_path / "data"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    result = redline(data, "draft", str(binary))
    assert result.returncode == 1 and b"not valid UTF-8" in result.stderr
    assert redline(data, "learn", "--draft", "7", str(binary)).returncode == 1
    missing = redline(data, "prefs", "rm", "42")
    assert missing.returncode == 1 and b"there is no preference 42" in missing.stderr
    not_json = tmp_path / "prefs.json"
    not_json.write_text("{oops")
    assert b"is not JSON" in redline(data, "prefs", "import", str(not_json)).stderr


@pytest.mark.skipif(not PRELUDE.exists(), reason=f"the PRELUDE-lite set is not at {PRELUDE}")
def test_bench_prelude_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = run(
        "bench", "prelude", "--data", str(PRELUDE), "--rounds", "2", "--seeds", "1",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = result.stdout.decode()
    for mode in ("none", "oracle", "learn"):
        assert mode in table
    assert "× none" in table and out.exists() and out.with_suffix(".png").exists()
    assert {row["mode"] for row in json.loads(out.read_text())["summary"]} == {
        "none",
        "oracle",
        "learn",
    }


def test_learning_off_drafts_a_file_and_stores_nothing_of_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = tmp_path / "notes.txt"
    source.write_text(NEWS[0] + "\n\nThe vendor key is sk-test-4f9a2c.", encoding="utf-8")
    drafted = run("--data-dir", str(data), "draft", str(source), env={"REDLINE_LEARNING": "false"})
    assert drafted.returncode == 0, drafted.stderr
    assert (
        b"learning is off: not stored" in drafted.stderr and b"redline learn" not in drafted.stderr
    )
    for path in data.rglob("*"):
        if path.is_file():
            assert b"sk-test-4f9a2c" not in path.read_bytes(), path
            assert b"Harlow" not in path.read_bytes(), path
