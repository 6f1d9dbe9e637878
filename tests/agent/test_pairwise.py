"""SPO's accept rule: both orders, a clear majority, unparseable verdicts lose."""

from __future__ import annotations

import pytest

from redline.agent.pairwise import (
    FIRST,
    SECOND,
    TIE,
    Decision,
    Item,
    Output,
    ScoreJudge,
    decide,
    judge_item,
    wilson,
)

ITEM = Item("passage 1", "Thanks for the quick reply.", "complete")
CANDIDATE, INCUMBENT = Output("candidate text", 0.5), Output("incumbent text", 0.2)


class ScriptedJudge:
    """A deterministic judge (determinism is the point here): a verdict per output shown first."""

    name = "scripted"

    def __init__(self, when_candidate_first: str | None, when_incumbent_first: str | None):
        self.verdicts = {CANDIDATE.text: when_candidate_first, INCUMBENT.text: when_incumbent_first}
        self.calls: list[tuple[str, str]] = []

    def compare(self, item: Item, first: Output, second: Output) -> str | None:
        self.calls.append((first.text, second.text))
        return self.verdicts[first.text]


def test_a_win_needs_both_orders() -> None:
    judge = ScriptedJudge(FIRST, SECOND)
    assert judge_item(judge, ITEM, CANDIDATE, INCUMBENT) == "win"
    assert judge.calls == [(CANDIDATE.text, INCUMBENT.text), (INCUMBENT.text, CANDIDATE.text)]


def test_a_judge_that_prefers_a_position_gives_ties_not_wins() -> None:
    always_first = ScriptedJudge(FIRST, FIRST)
    assert judge_item(always_first, ITEM, CANDIDATE, INCUMBENT) == "tie"
    assert not decide([judge_item(always_first, ITEM, CANDIDATE, INCUMBENT)] * 5).accepted


def test_an_unparseable_verdict_is_a_loss_for_the_candidate() -> None:
    assert judge_item(ScriptedJudge(None, None), ITEM, CANDIDATE, INCUMBENT) == "loss"
    assert judge_item(ScriptedJudge(None, SECOND), ITEM, CANDIDATE, INCUMBENT) == "tie"
    assert judge_item(ScriptedJudge(SECOND, FIRST), ITEM, CANDIDATE, INCUMBENT) == "loss"


@pytest.mark.parametrize(
    ("outcomes", "accepted"),
    [
        (["win", "win", "loss"], True),
        (["win", "win", "tie", "tie"], False),  # half is not a clear majority
        (["win", "tie", "tie"], False),
        (["loss", "loss", "loss"], False),
        (["tie", "tie"], False),
        ([], False),
    ],
)
def test_accept_rule(outcomes: list[str], accepted: bool) -> None:
    assert decide(outcomes).accepted is accepted


def test_ground_truth_judge_ignores_order() -> None:
    judge = ScoreJudge()
    assert judge_item(judge, ITEM, CANDIDATE, INCUMBENT) == "win"
    assert judge_item(judge, ITEM, INCUMBENT, CANDIDATE) == "loss"
    assert judge.compare(ITEM, CANDIDATE, Output("same", 0.5)) == TIE


def test_win_rate_interval() -> None:
    low, high = wilson(9, 10)
    assert 0.55 < low < 0.9 < high <= 1.0
    assert Decision(3, 1, 0).describe().startswith("3 wins, 1 losses, 0 ties of 4: win rate 75%")
    assert wilson(0, 0) == (0.0, 1.0)
