"""`redline optimize` and `redline prompts` as a user runs them: real processes, exit codes."""

from __future__ import annotations

from pathlib import Path

from redline.agent.prompts import BUILTIN, to_body, with_changes
from redline.assistant import Assistant
from tests.conftest import sample_texts
from tests.test_cli_drafting import redline


def test_prompt_versions_list_show_diff_activate_and_rollback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Assistant(data_dir=data) as assistant:
        v1 = assistant.prompts.active("email")
        body = to_body(
            with_changes(BUILTIN["email"], preference_line="The reader prefers: {preference}")
        )
        v2 = assistant.prompts.add("email", body, v1.id, "user")
    listed = redline(data, "prompts", "list", "email")
    assert listed.returncode == 0, listed.stderr
    assert "email v1" in listed.stdout.decode() and "email v2" in listed.stdout.decode()
    shown = redline(data, "prompts", "show", str(v2.id)).stdout.decode()
    assert "email v2" in shown and "inactive" in shown and "The reader prefers" in shown
    diff = redline(data, "prompts", "diff", str(v2.id)).stdout.decode()
    assert "-preference_line: 'The reader prefers: {preference}'" in diff
    assert "+preference_line: 'Follow these preferences of the reader: {preference}'" in diff

    activated = redline(data, "prompts", "activate", str(v2.id))
    assert activated.returncode == 0 and b"email v2 is active" in activated.stdout
    with Assistant(data_dir=data) as assistant:
        assert assistant.prompts.active_id("email") == v2.id
    rolled = redline(data, "prompts", "rollback", "email")
    assert rolled.returncode == 0 and b"email v1 is active again" in rolled.stdout
    refused = redline(data, "prompts", "rollback", "email")
    assert refused.returncode == 1 and b"no earlier version" in refused.stderr
    missing = redline(data, "prompts", "show", "99")
    assert missing.returncode == 1 and b"there is no prompt version 99" in missing.stderr
    unknown = redline(data, "prompts", "list", "poem")
    assert unknown.returncode == 2


def test_optimize_without_history_says_what_to_do(tmp_path: Path) -> None:
    done = redline(tmp_path / "data", "optimize", "--task", "complete", "--rounds", "1")
    assert done.returncode == 1
    assert b"no history to optimise the complete prompt" in done.stderr
    assert b"redline observe" in done.stderr


def test_optimize_reports_rounds_and_what_it_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Assistant(data_dir=data) as assistant:
        for text in sample_texts()[:5]:
            assistant.observe_writing(text)
    done = redline(data, "optimize", "--task", "complete", "--rounds", "1", "--sample", "1")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "judged by ground truth on 1 item(s), 1 held out" in out
    assert "round 1: " in out and ("accepted" in out or "rejected" in out)
    assert "it stays active" in out or "complete v2" in out
