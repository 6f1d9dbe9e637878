"""Human pairwise mode (after APOHF): the user picks between two prompts' outputs.

The active prompt and a candidate (a stored version, or a new variation of
the active one) run on a few items of the user's own history; each pair is
shown with the candidate's side drawn at random, so position tells nothing.
SPO's accept rule applies to the user's picks: the candidate is activated
only when it wins more than half of the pairs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from redline.agent.pairwise import Decision, Output, decide
from redline.agent.prompt_trials import Trials
from redline.agent.prompts import Design, from_body, to_body
from redline.agent.proposals import key_of, mutate
from redline.errors import InputError
from redline.memory.prompt_versions import PromptVersion, PromptVersions

PICKS = ("left", "right", "same")


@dataclass(frozen=True)
class Pair:
    """One item: its input as shown, and the two outputs side by side."""

    shown: str
    left: Output
    right: Output
    candidate_left: bool


@dataclass(frozen=True)
class Duel:
    """Two prompts of a task, compared on the same items by the user."""

    task: str
    incumbent: PromptVersion
    candidate: Design
    candidate_id: int | None  # None: a new variation, stored only if it wins
    pairs: list[Pair]


def start_duel(
    trials: Trials,
    versions: PromptVersions,
    active: Design,
    candidate_id: int | None = None,
    items: int = 4,
    seed: int | None = None,
) -> Duel:
    """Outputs of the active prompt and a candidate on ``items`` items of the history."""
    rng = random.Random(seed)
    incumbent = versions.active(trials.task)
    if candidate_id is not None:
        stored = versions.get(candidate_id)
        if stored.task != trials.task or stored.id == incumbent.id:
            raise InputError(f"version {candidate_id} is not another {trials.task} prompt")
        candidate = from_body(stored.body)
    else:
        candidate = mutate(active, trials.task, rng, {key_of(active)})
        if candidate is None:
            raise InputError("there is no variation of this prompt left to try")
    found = trials.items()
    if not found:
        raise InputError(f"there is no history to compare {trials.task} prompts on")
    rng.shuffle(found)
    pairs: list[Pair] = []
    # Items where both prompts say the same tell nothing: draw more, a few at a time.
    for start in range(0, min(len(found), 3 * items), items):
        batch = found[start : start + items]
        trials.hold_out(found[: start + items])
        ours, theirs = trials.show(candidate, batch, 3), trials.show(active, batch, 3)
        for (shown, mine), (_, other) in zip(ours, theirs, strict=True):
            if mine.text != other.text and len(pairs) < items:
                left = rng.random() < 0.5
                pairs.append(Pair(shown, mine if left else other, other if left else mine, left))
        if len(pairs) == items:
            break
    if not pairs:
        raise InputError("both prompts gave the same outputs on every item tried",
                         "compare another version, or run the comparison again")  # fmt: skip
    return Duel(trials.task, incumbent, candidate, candidate_id, pairs)


def settle_duel(
    duel: Duel, picks: list[str], versions: PromptVersions
) -> tuple[Decision, PromptVersion | None]:
    """Apply the accept rule to the user's ``picks`` (left, right or same, one per pair).

    A winning candidate is stored (when new) and activated; returns the
    decision and the version that is active afterwards when it changed.
    """
    if len(picks) != len(duel.pairs) or any(pick not in PICKS for pick in picks):
        raise InputError(f"pick one of {', '.join(PICKS)} for each of the {len(duel.pairs)} pairs")
    outcomes = []
    for pair, pick in zip(duel.pairs, picks, strict=True):
        if pick == "same":
            outcomes.append("tie")
        else:
            outcomes.append("win" if (pick == "left") == pair.candidate_left else "loss")
    decision = decide(outcomes)
    if not decision.accepted:
        return decision, None
    version_id = duel.candidate_id
    if version_id is None:
        evidence = {"judge": "you", "human": decision.to_json()}
        version_id = versions.add(duel.task, to_body(duel.candidate), duel.incumbent.id, "human",
                                  evidence).id  # fmt: skip
    return decision, versions.activate(version_id, f"chosen by you: {decision.describe()}")
