"""Pairwise judging of two prompts' outputs, and SPO's accept rule.

Each item is judged twice, the candidate's output shown first and then
second, so a judge that prefers a position cannot make a candidate win. An
item is a win only when the candidate wins in both orders, a loss when it
wins in neither and loses (or the verdict does not parse) in at least one;
anything else is a tie. A candidate is accepted only with a clear majority:
more wins than half of all items, ties and losses counted against it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from redline.predictors.base import Predictor, Prompt

FIRST, SECOND, TIE = "A", "B", "tie"
Verdict = str | None  # FIRST, SECOND, TIE, or None when the judge's answer does not parse


@dataclass(frozen=True)
class Item:
    """One input of the fixed sample: what both prompts run on, and what the user really wrote."""

    key: str
    source: str  # the passage to type (complete) or the text to draft from
    task: str  # the draft task in the user's words, or "complete"
    reference: str | None = None  # the user's own final text, where the history has it
    preference: str | None = None  # the preference the draft was made with


@dataclass(frozen=True)
class Output:
    """What a prompt produced for an item, and its ground-truth score (higher is better)."""

    text: str
    score: float | None = None


class Judge(Protocol):
    """Compares two outputs for an item; never sees the prompts that made them."""

    name: str

    def compare(self, item: Item, first: Output, second: Output) -> Verdict: ...


class ScoreJudge:
    """Ground truth: the output with the better score wins (keystroke savings, edit distance)."""

    name = "ground truth"

    def compare(self, item: Item, first: Output, second: Output) -> Verdict:
        if first.score is None or second.score is None or first.score == second.score:
            return TIE
        return FIRST if first.score > second.score else SECOND


class ModelJudge:
    """A model picks the better output, its answer forced to "A" or "B" where it can be."""

    def __init__(self, predictor: Predictor, preferences: str | None = None) -> None:
        self.predictor = predictor
        self.name = f"model {predictor.name}"
        self.preferences = preferences

    def compare(self, item: Item, first: Output, second: Output) -> Verdict:
        wanted = f"The reader's preferences: {self.preferences}\n" if self.preferences else ""
        question = (
            f"Task: {item.task}\n{wanted}\nInput:\n{item.source.strip()[:3000]}\n\n"
            f"Output A:\n{first.text.strip()}\n\nOutput B:\n{second.text.strip()}\n\n"
            "Which output does the task better? Answer A or B."
        )
        return self.predictor.choose(Prompt(text=question, raw=False), (FIRST, SECOND))


def judge_item(judge: Judge, item: Item, candidate: Output, incumbent: Output) -> str:
    """ "win", "loss" or "tie" for the candidate, judged in both orders."""
    shown_first = judge.compare(item, candidate, incumbent)
    shown_second = judge.compare(item, incumbent, candidate)
    won = [shown_first == FIRST, shown_second == SECOND]
    lost = [shown_first in (SECOND, None), shown_second in (FIRST, None)]
    if all(won):
        return "win"
    if not any(won) and any(lost):
        return "loss"
    return "tie"


@dataclass(frozen=True)
class Decision:
    """The outcome of a comparison over items, with the win rate's 95% Wilson interval."""

    wins: int
    losses: int
    ties: int

    @property
    def items(self) -> int:
        return self.wins + self.losses + self.ties

    @property
    def accepted(self) -> bool:
        return self.items > 0 and 2 * self.wins > self.items

    @property
    def win_rate(self) -> float:
        return self.wins / self.items if self.items else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.wins, self.items)

    def describe(self) -> str:
        low, high = self.interval
        return (
            f"{self.wins} wins, {self.losses} losses, {self.ties} ties of {self.items}:"
            f" win rate {self.win_rate:.0%} (95% CI {low:.0%}–{high:.0%})"
        )

    def to_json(self) -> dict[str, Any]:
        low, high = self.interval
        return {**asdict(self), "win_rate": self.win_rate, "ci": [low, high],
                "accepted": self.accepted}  # fmt: skip


def decide(outcomes: Sequence[str]) -> Decision:
    """The decision over the items' outcomes ("win", "loss", "tie")."""
    return Decision(outcomes.count("win"), outcomes.count("loss"), outcomes.count("tie"))


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)
