"""`redline bench spo`: a task's score with its prompt before and after optimisation.

Measured on items the optimisation never saw, beside the model calls it cost.

- A predict-dev folder (history.jsonl, targets.jsonl): redline reads the
  history, the completion prompt is optimised on it, and the targets are
  typed by the simulated typist before and after: keystroke savings.
- A PRELUDE-lite folder (simuser.py, documents, users): per simulated user,
  redline drafts and learns on one half of the documents, the summarize and
  email prompts are optimised on that history, and the other half is played
  from the same memory twice, with the prompts before and after: cumulative
  edit cost.

"After" uses the best prompt the run found, whether or not the held-out gate
activated it; the table says what the gate decided.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from redline.bench.keystrokes import simulate, summarize
from redline.bench.prelude import find_one
from redline.bench.texts import Text, load_data
from redline.errors import InputError

if TYPE_CHECKING:
    from redline.agent.optimize import OptimizeResult
    from redline.assistant import Assistant
    from redline.config import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SpoRow:
    """One optimised prompt: the score before and after, and what the run spent and decided."""

    who: str  # the data set, or the simulated user
    task: str
    metric: str
    higher_is_better: bool
    before: float
    after: float
    calls: int
    accepted: int  # rounds whose candidate was accepted
    rounds: int
    gate: str

    @property
    def ratio(self) -> float | None:
        return self.after / self.before if self.before else None


@dataclass(frozen=True)
class SpoOptions:
    rounds: int = 5
    sample: int = 6
    seed: int = 0
    limit: int | None = None  # targets typed (predict-dev) / rounds per phase (PRELUDE-lite)


def run_spo(
    data: Path, options: SpoOptions, settings: Settings, progress: Progress = print
) -> list[SpoRow]:
    """Measure prompt optimisation on a predict-dev or PRELUDE-lite folder."""
    if (data / "history.jsonl").exists():
        return _predict(data, options, settings, progress)
    if (data / "simuser.py").exists():
        return _prelude(data, options, settings, progress)
    raise InputError(
        f"{data} is neither a predict-dev folder (history.jsonl, targets.jsonl) nor a"
        " PRELUDE-lite folder (simuser.py, documents, users)",
        "point --data at one of them",
    )


def _gate(result: OptimizeResult) -> str:
    if result.version is None:
        return "no better prompt found"
    if result.gate is None:
        return "not checked: no item held out"
    verdict = "activated" if result.activated else "refused"
    return f"{verdict} ({result.gate.describe()})"


def _row(who: str, metric: str, higher: bool, before: float, after: float,
         results: dict[str, OptimizeResult]) -> SpoRow:  # fmt: skip
    """One row for the prompts optimised together (their calls and rounds summed)."""
    runs = list(results.values())
    gates = [f"{task}: {_gate(r)}" if len(runs) > 1 else _gate(r) for task, r in results.items()]
    return SpoRow(
        who, "+".join(results) or "-", metric, higher, before, after,
        calls=sum(r.calls for r in runs),
        accepted=sum(d.decision.accepted for r in runs for d in r.rounds),
        rounds=sum(len(r.rounds) for r in runs),
        gate="; ".join(gates) or "no history to optimise on",
    )  # fmt: skip


def _use_best(assistant: Assistant, result: OptimizeResult) -> None:
    if result.version is not None and not result.activated:
        assistant.prompts.activate(result.version.id, "bench spo: measuring the candidate")


# -- keystroke savings (predict-dev) -----------------------------------------------


def _ksr(assistant: Assistant, targets: list[Text], tag: str) -> float:
    results = [
        simulate(t.text, lambda prefix, uri=f"{tag}:{t.id}": assistant.complete(prefix, uri=uri))
        for t in targets
    ]
    return summarize(results).ksr


def _predict(
    data: Path, options: SpoOptions, settings: Settings, progress: Progress
) -> list[SpoRow]:
    from redline.assistant import Assistant

    history, targets = load_data(data)
    targets = targets[: options.limit]
    with (
        tempfile.TemporaryDirectory(prefix="redline-spo-") as folder,
        Assistant(data_dir=folder, settings=settings) as assistant,
    ):
        progress(f"reading {len(history)} texts of history")
        for text in history:
            assistant.observe_writing(text.text)
        progress(f"typing {len(targets)} targets with the active prompt")
        before = _ksr(assistant, targets, "before")
        result = assistant.optimize(
            "complete", options.rounds, seed=options.seed, sample=options.sample,
            progress=lambda what, done, total: progress(f"optimising: {what}"),
        )  # fmt: skip
        after = before
        if result.version is not None:
            _use_best(assistant, result)
            progress(f"typing {len(targets)} targets with the optimised prompt")
            after = _ksr(assistant, targets, "after")
    return [_row(data.name, "keystroke savings", True, before, after, {"complete": result})]


# -- cumulative edit cost (PRELUDE-lite) -------------------------------------------


def _load_simuser(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("simuser", folder / "simuser.py")
    if spec is None or spec.loader is None:
        raise InputError(f"cannot load {folder / 'simuser.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["simuser"] = module  # its dataclasses and rule modules look it up by name
    spec.loader.exec_module(module)
    return module


def _play(assistant: Assistant, simuser: ModuleType, user: Any, docs: list[dict]) -> int:
    """PRELUDE rounds with learning: draft, the simulated user's edit, learn; the total cost."""
    total = 0
    for doc in docs:
        draft = assistant.draft(doc["source"], task=doc["task"])
        edited = user.edit(doc["context"], draft.text, doc["source"])
        total += simuser.word_edit_distance(draft.text, edited)
        if edited != draft.text:
            assistant.learn(draft, edited)
    return total


def _prelude(
    data: Path, options: SpoOptions, settings: Settings, progress: Progress
) -> list[SpoRow]:
    from redline.assistant import Assistant

    simuser = _load_simuser(data)
    docs = simuser.load_documents(find_one(data, "*_documents.jsonl", "docs"))
    users = simuser.load_users(find_one(data, "*_users.json", "users"))
    random.Random(options.seed).shuffle(docs)
    half = len(docs) // 2
    rounds = options.limit or half
    history_docs, new_docs = docs[:half][:rounds], docs[half:][:rounds]
    tasks = sorted({doc["task"] for doc in docs})
    rows = []
    for user in users:
        with tempfile.TemporaryDirectory(prefix="redline-spo-") as folder:
            learned, before_dir = Path(folder) / "learned", Path(folder) / "before"
            with Assistant(data_dir=learned, settings=settings) as assistant:
                progress(f"{user.name}: drafting and learning on {len(history_docs)} documents")
                _play(assistant, simuser, user, history_docs)
            shutil.copytree(learned, before_dir)
            results = {}
            with Assistant(data_dir=learned, settings=settings) as assistant:
                for task in tasks:
                    label = f"{user.name} {task}"
                    try:
                        results[task] = assistant.optimize(
                            task, options.rounds, seed=options.seed, sample=options.sample,
                            progress=lambda what, d, t, label=label: progress(f"{label}: {what}"),
                        )  # fmt: skip
                    except InputError as exc:  # no draft of this task in the history
                        progress(f"{label}: skipped, {exc.message}")
                        continue
                    _use_best(assistant, results[task])
                progress(f"{user.name}: {len(new_docs)} new documents with the optimised prompts")
                after = _play(assistant, simuser, user, new_docs)
            with Assistant(data_dir=before_dir, settings=settings) as assistant:
                progress(f"{user.name}: the same documents with the prompts before")
                before = _play(assistant, simuser, user, new_docs)
        rows.append(_row(user.name, "cumulative edit cost", False, before, after, results))
    return rows
