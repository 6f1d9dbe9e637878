"""`redline bench prelude`: the PRELUDE-lite protocol (a simulated user edits drafts).

The data folder's own runner (``run.py``) plays the rounds through its
``adapter_redline.py`` in the no-learning, oracle and learning modes; this
module finds the files, runs it with this Python, and reads its results to
print the learning mode's cost as a ratio of no-learning.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from redline.errors import InputError

MODES = ("none", "oracle", "learn")


def find_one(folder: Path, pattern: str, what: str) -> Path:
    """The one file matching ``pattern`` in the folder or its data/ subfolder."""
    found = sorted(folder.glob(pattern)) + sorted(folder.glob(f"data/{pattern}"))
    if len(found) != 1:
        names = ", ".join(str(p) for p in found) or "none"
        raise InputError(
            f"expected one {what} file ({pattern}) in {folder}, found {names}",
            f"name it with --{what}",
        )
    return found[0]


def runner_command(
    folder: Path, docs: Path, users: Path, rounds: int, seeds: int, out: Path, modes: str
) -> list[str]:
    """The command line that plays the benchmark with the folder's runner and adapter."""
    runner, adapter = folder / "run.py", folder / "adapter_redline.py"
    for path in (runner, adapter):
        if not path.exists():
            raise InputError(
                f"{folder} has no {path.name}",
                "point --data at a PRELUDE-lite folder (run.py, adapter_redline.py, data/)",
            )
    return [
        sys.executable, str(runner), "--docs", str(docs), "--users", str(users),
        "--rounds", str(rounds), "--seeds", str(seeds), "--agent", str(adapter),
        "--modes", modes, "--out", str(out),
    ]  # fmt: skip


def run_runner(command: list[str], cwd: Path) -> None:
    """Run the runner, its output streaming through; a failure is an error naming the command."""
    completed = subprocess.run(command, cwd=cwd, check=False)
    if completed.returncode != 0:
        raise InputError(
            f"the PRELUDE-lite runner failed (exit {completed.returncode})",
            "its output above says why; the command was: " + " ".join(command),
        )


@dataclass(frozen=True)
class Comparison:
    user: str
    costs: dict[str, tuple[float, float, float]]  # mode -> (mean, stdev, zero-edit share)

    def ratio(self, mode: str) -> float | None:
        """A mode's mean cost as a share of the no-learning mode's."""
        none, this = self.costs.get("none"), self.costs.get(mode)
        if not none or not this or none[0] == 0:
            return None
        return this[0] / none[0]


def compare(results: Path) -> list[Comparison]:
    """Per user, each mode's mean ± stdev cumulative cost and zero-edit share."""
    summary = json.loads(results.read_text(encoding="utf-8"))["summary"]
    users: dict[str, dict[str, tuple[float, float, float]]] = {}
    for row in summary:
        users.setdefault(row["user"], {})[row["mode"]] = (
            row["cum_cost_mean"],
            row["cum_cost_stdev"],
            row["zero_edit_rate"],
        )
    return [Comparison(user, costs) for user, costs in users.items()]
