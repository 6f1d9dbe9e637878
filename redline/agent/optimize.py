"""The optimize flow (SPO): better prompts for a task, judged on the user's own history.

draw ─▶ baseline ─▶ propose ─▶ trial ─▶ judge ─▶ decide ─┬─more rounds─▶ propose
                       └─nothing left to try─▶ gate        └─done─▶ gate ─▶ record ─▶ END

draw: the sample and the held-out items are drawn once per run, with a seed.
propose: a structured mutation of the best design, or an optimiser model's
rewrite. judge: each item in both orders, by ground truth (keystroke savings,
edit distance to the user's final versions) where the history has it, else
by a model. decide: SPO's accept rule (a clear majority of consistent wins).
gate: the best design against the starting one on held-out items only.
record: a new prompt version, activated only when the gate passed (a run
cancelled between rounds goes straight to record: kept, never activated).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from langgraph.graph import END

from redline.agent.graphs import chain, compile_flow, graph_of
from redline.agent.pairwise import Decision, Item, Judge, Output, ScoreJudge, decide, judge_item
from redline.agent.prompt_trials import Trials
from redline.agent.prompts import Design, to_body
from redline.agent.proposals import ask_model, key_of, mutate
from redline.errors import InputError
from redline.memory.prompt_versions import PromptVersion, PromptVersions
from redline.predictors.base import Cancellation, Predictor
from redline.predictors.counting import Tally

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class Round:
    number: int
    change: str  # how the candidate differs from the best design
    decision: Decision


@dataclass(frozen=True)
class OptimizeResult:
    """What a run found, on what evidence, and what it stored."""

    task: str
    start: PromptVersion
    best: Design
    rounds: list[Round]
    judge: str
    sample: int
    held_out: int
    gate: Decision | None  # None: nothing better was found, or no item was held out
    version: PromptVersion | None  # the stored candidate
    activated: bool
    calls: int

    @property
    def improved(self) -> bool:
        return self.version is not None


class OptimizeState(TypedDict, total=False):
    sample: list[Item]
    held_out: list[Item]
    judge: Judge
    best: Design
    best_outputs: list[Output]
    candidate: Design | None
    change: str
    candidate_outputs: list[Output]
    outcomes: list[str]
    tried: set[str]
    rounds: list[Round]
    rejections: int
    gate: Decision | None
    result: OptimizeResult


@dataclass
class OptimizeDeps:
    trials: Trials
    versions: PromptVersions
    start: PromptVersion
    start_design: Design
    fallback_judge: Judge  # used when the history holds no ground truth
    tally: Tally  # the model calls of every predictor the run uses
    judge: Judge | None = None  # a judge the user asked for, over the ground truth
    optimizer: Predictor | None = None
    rounds: int = 5
    patience: int = 3  # rejections in a row that end the run
    sample_size: int = 6
    held_out_size: int = 6
    seed: int = 0
    progress: Progress = field(default=lambda what, done, total: None)
    cancel: Cancellation | None = None  # checked between rounds: store what was found, unchecked


def build_optimize_graph(deps: OptimizeDeps):
    """Compile the optimize flow."""
    rng = random.Random(deps.seed)
    task = deps.start.task

    def draw(state: OptimizeState) -> OptimizeState:
        items = deps.trials.items()
        if not items:
            how = _HOW_TO_GET_HISTORY.get(task, _HOW_TO_GET_HISTORY["draft"])
            raise InputError(f"there is no history to optimise the {task} prompt on", how)
        rng.shuffle(items)
        held = min(deps.held_out_size, len(items) // 3)
        held_out, sample = items[:held], items[held : held + deps.sample_size]
        deps.trials.hold_out(sample + held_out)
        judge = deps.judge or (ScoreJudge() if deps.trials.ground_truth else deps.fallback_judge)
        return {"sample": sample, "held_out": held_out, "judge": judge, "rounds": [],
                "rejections": 0, "tried": {key_of(deps.start_design)}}  # fmt: skip

    def baseline(state: OptimizeState) -> OptimizeState:
        deps.progress("running the active prompt", 0, deps.rounds)
        return {"best": deps.start_design,
                "best_outputs": deps.trials.run(deps.start_design, state["sample"])}  # fmt: skip

    def propose(state: OptimizeState) -> OptimizeState:
        best, candidate = state["best"], None
        if deps.optimizer is not None:
            candidate = ask_model(deps.optimizer, best, state["sample"], state["best_outputs"])
            if candidate is not None and key_of(candidate) in state["tried"]:
                candidate = None
        if candidate is None:
            candidate = mutate(best, task, rng, state["tried"])
        if candidate is None:
            return {"candidate": None}
        return {"candidate": candidate, "change": change_between(best, candidate),
                "tried": state["tried"] | {key_of(candidate)}}  # fmt: skip

    def trial(state: OptimizeState) -> OptimizeState:
        return {"candidate_outputs": deps.trials.run(state["candidate"], state["sample"])}

    def judge(state: OptimizeState) -> OptimizeState:
        pairs = zip(state["sample"], state["candidate_outputs"], state["best_outputs"], strict=True)
        return {"outcomes": [judge_item(state["judge"], *pair) for pair in pairs]}

    def decide_round(state: OptimizeState) -> OptimizeState:
        decision = decide(state["outcomes"])
        rounds = state["rounds"] + [Round(len(state["rounds"]) + 1, state["change"], decision)]
        deps.progress(f"round {len(rounds)}: {decision.describe()}", len(rounds), deps.rounds)
        if decision.accepted:
            return {"rounds": rounds, "rejections": 0, "best": state["candidate"],
                    "best_outputs": state["candidate_outputs"]}  # fmt: skip
        return {"rounds": rounds, "rejections": state["rejections"] + 1}

    def cancelled() -> bool:
        return deps.cancel is not None and deps.cancel.cancelled

    def more(state: OptimizeState) -> str:
        if cancelled():
            return "record"
        done = len(state["rounds"]) >= deps.rounds or state["rejections"] >= deps.patience
        return "gate" if done else "propose"

    def gate(state: OptimizeState) -> OptimizeState:
        if key_of(state["best"]) == key_of(deps.start_design) or not state["held_out"]:
            return {"gate": None}
        deps.progress("checking on held-out items", deps.rounds, deps.rounds)
        return {"gate": compare_on(deps.trials, state["judge"], state["held_out"], state["best"],
                                   deps.start_design)}  # fmt: skip

    def record(state: OptimizeState) -> OptimizeState:
        version, activated = None, False
        gate_decision = state.get("gate")
        if key_of(state["best"]) != key_of(deps.start_design):
            evidence = {
                "judge": state["judge"].name,
                "rounds": [
                    {"round": r.number, "change": r.change, **r.decision.to_json()}
                    for r in state["rounds"]
                ],
                "sample": [item.key for item in state["sample"]],
                "held_out": [item.key for item in state["held_out"]],
                "gate": gate_decision.to_json() if gate_decision else None,
                "calls": deps.tally.calls,
            }
            version = deps.versions.add(
                task, to_body(state["best"]), deps.start.id, "spo", evidence
            )
            if gate_decision is not None and gate_decision.accepted:
                version = deps.versions.activate(version.id, f"won on held-out items: "
                                                 f"{gate_decision.describe()}")  # fmt: skip
                activated = True
        result = OptimizeResult(
            task, deps.start, state["best"], state["rounds"], state["judge"].name,
            len(state["sample"]), len(state["held_out"]), gate_decision, version, activated,
            deps.tally.calls,
        )  # fmt: skip
        return {"result": result}

    graph = graph_of(
        OptimizeState,
        {"draw": draw, "baseline": baseline, "propose": propose, "trial": trial,
         "judge": judge, "decide": decide_round, "gate": gate, "record": record},
    )  # fmt: skip
    chain(graph, "draw", "baseline", "propose")
    graph.add_conditional_edges(
        "propose", lambda s: "trial" if s.get("candidate") else "gate", ["trial", "gate"]
    )
    chain(graph, "trial", "judge", "decide")
    graph.add_conditional_edges("decide", more, ["propose", "gate", "record"])
    chain(graph, "gate", "record", END)
    return compile_flow(graph)


def run_optimize(deps: OptimizeDeps) -> OptimizeResult:
    """Run the optimize flow to its end."""
    limit = 10 + 4 * deps.rounds
    return build_optimize_graph(deps).invoke({}, {"recursion_limit": limit})["result"]


def compare_on(
    trials: Trials, judge: Judge, items: list[Item], candidate: Design, incumbent: Design
) -> Decision:
    """Run both designs on ``items`` and judge each pair in both orders."""
    ours, theirs = trials.run(candidate, items), trials.run(incumbent, items)
    return decide([judge_item(judge, *pair) for pair in zip(items, ours, theirs, strict=True)])


def change_between(before: Design, after: Design) -> str:
    """The fields that differ, in words."""
    old, new = to_body(before), to_body(after)
    return "; ".join(f"{key}: {old[key]!r} → {new[key]!r}" for key in new if old[key] != new[key])


_HOW_TO_GET_HISTORY = {
    "complete": "observe some of your writing first: `redline observe FILE...`",
    "draft": "make a few drafts and edit them first: `redline draft` then `redline learn`",
}
