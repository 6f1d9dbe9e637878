"""Prompt trials: the user's own history as test items, and a prompt design run on them.

- Completion: passages of the user's writing are typed by the simulated typist
  of `redline bench ksr`; the score is the keystroke savings. The passages
  being typed are held out of the memory the completions draw on.
- Drafts: past drafts of the task are drafted again from their sources; where
  the user edited a draft, the score is minus the word edit distance to their
  final version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from redline.agent.complete import CompleteDeps, build_complete_graph
from redline.agent.documents import Documents
from redline.agent.draft import DraftDeps, build_draft_graph
from redline.agent.pairwise import Item, Output
from redline.agent.prompts import (
    COMPLETION_TASK,
    CompletionPrompt,
    Design,
    DraftPrompt,
    prompt_task,
)
from redline.bench.keystrokes import simulate
from redline.errors import InputError
from redline.memory.preferences import PreferenceMemory
from redline.memory.writing import WritingMemory
from redline.predictors.base import Predictor
from redline.style.shape import edit_distance

# Passages typed in a completion trial: at least this long, cut to at most the other.
MIN_PASSAGE_CHARS = 60
MAX_PASSAGE_CHARS = 400


class Trials(Protocol):
    """Items from the user's history for one prompt task, and how a design fares on them."""

    task: str
    ground_truth: bool  # False: a model must judge the outputs

    def items(self) -> list[Item]: ...

    def hold_out(self, items: Sequence[Item]) -> None: ...

    def run(self, design: Design, items: Sequence[Item]) -> list[Output]: ...

    def show(
        self, design: Design, items: Sequence[Item], steps: int = 1
    ) -> list[tuple[str, Output]]:
        """For a person to compare: each item's input as shown, and what the design made of it
        (``steps``: for completion, how many suggestions in a row)."""
        ...


class CompletionTrials:
    """Keystroke savings of a completion prompt on passages of the user's own writing."""

    task = COMPLETION_TASK
    ground_truth = True

    def __init__(
        self, writing: WritingMemory, predictor: Predictor, context_chars: int, kind: str = ""
    ) -> None:
        self.writing = writing
        self.predictor = predictor
        self.context_chars = context_chars
        self.kind = kind  # only passages from files of this type
        self._full: dict[str, str] = {}
        self._view = writing.without([])

    def items(self) -> list[Item]:
        found = []
        for sample_id, text in self.writing.samples(self.kind):
            passage = _cut(text.strip(), MAX_PASSAGE_CHARS)
            if len(passage) >= MIN_PASSAGE_CHARS:
                key = f"passage {sample_id}"
                self._full[key] = text
                found.append(Item(key, passage, COMPLETION_TASK, reference=passage))
        return found

    def hold_out(self, items: Sequence[Item]) -> None:
        """Leave these items' samples out of what completions retrieve and count."""
        self._view = self.writing.without([self._full[item.key] for item in items])

    def _suggester(self, design: Design, max_tokens: int = 16) -> Callable[[str, str], str]:
        if not isinstance(design, CompletionPrompt):
            raise InputError("a completion trial needs a completion prompt")
        graph = build_complete_graph(
            CompleteDeps(
                writing=self._view,
                predictor=self.predictor,
                design=lambda uri: design,
                documents=Documents(),
                context_chars=self.context_chars,
            )
        )

        def suggest(prefix: str, uri: str) -> str:
            state = graph.invoke(
                {"prefix": prefix, "suffix": "", "uri": uri, "max_tokens": max_tokens}
            )
            return state.get("suggestion", "")

        return suggest

    def run(self, design: Design, items: Sequence[Item]) -> list[Output]:
        suggest = self._suggester(design)
        outputs = []
        for item in items:
            result = simulate(item.source, lambda prefix: suggest(prefix, item.key))  # noqa: B023
            outputs.append(Output(f"keystroke savings {result.ksr:.1%}", result.ksr))
        return outputs

    def show(
        self, design: Design, items: Sequence[Item], steps: int = 1
    ) -> list[tuple[str, Output]]:
        """The first half of each passage, and the design's next ``steps`` suggestions after
        it (each taken as it came)."""
        suggest = self._suggester(design)
        shown = []
        for item in items:
            half = _cut(item.source, len(item.source) // 2) + " "
            written = ""
            for _ in range(steps):
                more = suggest(half + written, item.key)
                if not more:
                    break
                written += more
            shown.append((half, Output(written)))
        return shown


class DraftTrials:
    """Past drafts of a task drafted again; scored against the user's final versions."""

    def __init__(
        self,
        task: str,
        preferences: PreferenceMemory,
        predictor: Predictor,
        designs: Callable[[str], DraftPrompt],
    ) -> None:
        self.task = task
        self.preferences = preferences
        self.ground_truth = False
        self._graph = build_draft_graph(DraftDeps(predictor, preferences, True, designs))

    def items(self) -> list[Item]:
        found = [
            Item(f"draft {record.id}", record.source, record.task, edited, record.preference)
            for record, edited in self.preferences.history()
            if prompt_task(record.task) == self.task
        ]
        edited = [item for item in found if item.reference is not None]
        self.ground_truth = len(edited) >= 2
        return edited if self.ground_truth else found

    def hold_out(self, items: Sequence[Item]) -> None:
        """Nothing to hold out: a trial draft is never saved, so it never becomes history."""

    def run(self, design: Design, items: Sequence[Item]) -> list[Output]:
        if not isinstance(design, DraftPrompt):
            raise InputError("a draft trial needs a draft prompt")
        outputs = []
        for item in items:
            state = self._graph.invoke(
                {"source": item.source, "task": item.task, "preference": item.preference,
                 "design": design, "trial": True}
            )  # fmt: skip
            text = state["text"]
            score = -edit_distance(text, item.reference) if item.reference is not None else None
            outputs.append(Output(text, score))
        return outputs

    def show(
        self, design: Design, items: Sequence[Item], steps: int = 1
    ) -> list[tuple[str, Output]]:
        """Each source, and the draft the design makes of it."""
        return list(zip([item.source for item in items], self.run(design, items), strict=True))


def _cut(text: str, limit: int) -> str:
    """``text`` cut at the last whitespace before ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip()
