"""The optimize flow (SPO) end to end, with the real embedded model, SQLite and FAISS."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline import Assistant
from redline.agent.optimize import compare_on
from redline.agent.pairwise import FIRST, SECOND, Item, ModelJudge, Output, ScoreJudge
from redline.agent.prompt_trials import CompletionTrials, DraftTrials
from redline.agent.prompts import BUILTIN, to_body, with_changes
from redline.errors import InputError
from redline.predictors.base import Cancellation
from tests.conftest import sample_texts
from tests.documents import NEWS

# A completion prompt that shows none of the user's writing and opens with noise.
NOISY = with_changes(
    BUILTIN["complete"],
    template="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n{examples}{prefix}",
    context_chars=0,
)


@pytest.fixture(scope="module")
def writer(tmp_path_factory) -> Path:
    """A data dir holding the bundled sample of a user's writing, and some news they wrote.

    The sample's weekly updates repeat each other, so the user's phrases
    finish them whatever the prompt; the news is where prompts differ.
    """
    data_dir = tmp_path_factory.mktemp("writer")
    with Assistant(data_dir=data_dir) as assistant:
        for text in [*sample_texts(), *NEWS]:
            assistant.observe_writing(text)
    return data_dir


def test_a_run_stores_its_best_prompt_with_evidence_and_gates_activation(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        v1 = assistant.prompts.active("complete")
        noisy = assistant.prompts.add("complete", to_body(NOISY), v1.id, "user")
        assistant.prompts.activate(noisy.id, "a poor start")
        seen: list[str] = []
        result = assistant.optimize(
            "complete", rounds=2, sample=2, progress=lambda what, done, total: seen.append(what)
        )
        assert result.judge == "ground truth" and (result.sample, result.held_out) == (2, 2)
        assert 1 <= len(result.rounds) <= 2 and result.calls > 0
        assert seen[0] == "running the active prompt"
        assert [what for what in seen if what.startswith("round")] == [
            f"round {r.number}: {r.decision.describe()}" for r in result.rounds
        ]
        assert all(r.change and r.decision.items == 2 for r in result.rounds)
        versions = assistant.prompts.list("complete")
        if result.version is None:  # nothing beat the start: nothing stored, nothing changed
            assert not any(r.decision.accepted for r in result.rounds)
            assert [v.id for v in versions] == [v1.id, noisy.id]
            assert assistant.prompts.active_id("complete") == noisy.id
            return
        assert any(r.decision.accepted for r in result.rounds)
        stored = versions[-1]
        assert (stored.id, stored.parent_id, stored.origin) == (result.version.id, noisy.id, "spo")
        assert stored.evidence["judge"] == "ground truth"
        assert set(stored.evidence["sample"]).isdisjoint(stored.evidence["held_out"])
        assert stored.evidence["gate"]["accepted"] is result.activated
        assert stored.active is result.activated
        expected = stored.id if result.activated else noisy.id
        assert assistant.prompts.active_id("complete") == expected


def test_the_gate_refuses_a_candidate_worse_on_held_out_items(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        trials = CompletionTrials(assistant.writing, assistant.predictor, 2400)
        held_out = trials.items()[1:4]
        trials.hold_out(held_out)
        decision = compare_on(trials, ScoreJudge(), held_out, NOISY, BUILTIN["complete"])
    assert not decision.accepted
    assert decision.losses >= 2, decision.describe()


def test_completion_trials_never_retrieve_the_passage_being_typed(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        trials = CompletionTrials(assistant.writing, assistant.predictor, 2400)
        items = trials.items()
        assert len(items) == len(sample_texts()) + len(NEWS)
        trials.hold_out(items[:1])
        typed = items[0].source
        examples = trials._view.similar_samples(typed, 10_000)
        assert examples and all(typed not in example for example in examples)
        assert trials._view.phrases().texts == len(items) - 1


def test_draft_trials_score_against_the_users_final_versions(tmp_path: Path) -> None:
    with Assistant(data_dir=tmp_path) as assistant:
        with pytest.raises(InputError, match="no history to optimise the summarize prompt"):
            assistant.optimize("summarize", rounds=1)
        drafts = [assistant.draft(source) for source in NEWS[:3]]
        trials = DraftTrials("summarize", assistant.preferences, assistant.predictor,
                             assistant.designs)  # fmt: skip
        assert len(trials.items()) == 3 and not trials.ground_truth  # nothing edited yet
        for draft in drafts[:2]:
            assistant.learn(draft, "TL;DR: " + draft.text)
        items = trials.items()
        assert trials.ground_truth and len(items) == 2
        assert all(item.reference.startswith("TL;DR: ") for item in items)
        outputs = trials.run(BUILTIN["summarize"], items)
        assert all(output.score is not None and output.score <= 0 for output in outputs)
        assert len(assistant.preferences.history()) == 3  # a trial saves no draft


def test_the_local_judge_always_answers_a_or_b(tmp_path: Path) -> None:
    with Assistant(data_dir=tmp_path) as assistant:
        judge = ModelJudge(assistant.predictor)
        item = Item("news", NEWS[0], "summarize")
        verdicts = {
            judge.compare(item, Output("A short, faithful summary."), Output("zzz qqq")),
            judge.compare(item, Output("zzz qqq"), Output("A short, faithful summary.")),
        }
    assert verdicts <= {FIRST, SECOND}


def test_human_picks_activate_a_candidate_only_with_a_clear_majority(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        start = assistant.prompts.list("complete")[0].id  # the built-in, whatever ran before
        assistant.prompts.activate(start, "the test starts from the built-in prompt")
        noisy = assistant.prompts.add("complete", to_body(NOISY), start, "user")
        duel = assistant.prompt_duel("complete", version_id=noisy.id, items=3, seed=1)
        assert len(duel.pairs) == 3 and all(pair.shown for pair in duel.pairs)
        decision, version = assistant.settle_prompt_duel(duel, ["same"] * 3)
        assert not decision.accepted and version is None
        assert assistant.prompts.active_id("complete") == start
        picks = ["left" if pair.candidate_left else "right" for pair in duel.pairs]
        decision, version = assistant.settle_prompt_duel(duel, picks)
        assert decision.accepted and version.active and version.id == noisy.id
        assert assistant.prompts.active_id("complete") == noisy.id
        assert "chosen by you" in assistant.prompts.activations("complete")[-1].reason
        assert assistant.prompts.rollback("complete").id == start
        with pytest.raises(InputError, match="pick one of left, right, same"):
            assistant.settle_prompt_duel(duel, ["left"])


def test_a_cancelled_run_stops_after_its_round_and_activates_nothing(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        start = assistant.prompts.active_id("complete")
        cancel = Cancellation()
        cancel.cancel()
        result = assistant.optimize("complete", rounds=5, sample=1, cancel=cancel)
        assert len(result.rounds) == 1 and result.gate is None and not result.activated
        assert assistant.prompts.active_id("complete") == start
        if result.version is not None:
            assert result.version.evidence["gate"] is None
