"""The draft flow: a text from a source, shaped by what the user's edits taught.

key ─▶ recall ─▶ write ─▶ guard ─▶ enforce ─▶ save ─▶ END
                                           └─(a trial, or learning off: nothing saved)─▶ END

recall: the preference passed in (the oracle), or the similarity-weighted vote
of the most similar past contexts (CIPHER's retrieve and aggregate), or
nothing when learning is off. Preferences with a rule are enforced on the
text after generation (a small model follows instructions loosely, and
telling it changes its draft unpredictably); only the others go into the
prompt. The prompt is the task's active prompt version, or the design a
trial passes in (prompt optimisation runs the flow on past sources).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from langgraph.graph import END

from redline.agent.fallback import clean, extract, faithful
from redline.agent.graphs import chain, compile_flow, graph_of
from redline.agent.prompts import DraftPrompt, prompt_task
from redline.errors import InputError
from redline.memory.preferences import Context, PreferenceMemory
from redline.predictors.base import Predictor, Prompt, generate
from redline.style.rule_text import rules_from_text
from redline.style.rules import Rule, apply_rules

# Sources above this size are refused; drafts read the first PROMPT_SOURCE_CHARS.
MAX_SOURCE_CHARS = 200_000
PROMPT_SOURCE_CHARS = 5_000


class DraftState(TypedDict, total=False):
    source: str
    task: str
    preference: str | None  # given by the caller (the oracle), else aggregated
    design: DraftPrompt | None  # a trial's prompt; None: the task's active version
    trial: bool  # True: return the text, save nothing
    context: Context
    rules: list[Rule]
    told: str | None  # the preferences no rule enforces: the model is told them
    applied: list[int]  # ids of the learned preferences used
    generated: str
    text: str
    origin: str  # "model" or "extract"
    id: int


@dataclass
class DraftDeps:
    predictor: Predictor
    preferences: PreferenceMemory
    learning: bool
    design: Callable[[str], DraftPrompt]  # a prompt task's active design
    max_tokens: int = 200


def check_source(source: str) -> None:
    """Refuse what cannot be drafted from, with a message saying why."""
    if not isinstance(source, str) or not source.strip():
        raise InputError("there is nothing to draft from: the source text is empty")
    if len(source) > MAX_SOURCE_CHARS:
        raise InputError(
            f"the source has {len(source):,} characters; drafts take at most {MAX_SOURCE_CHARS:,}",
            "draft from a section at a time",
        )


def build_draft_graph(deps: DraftDeps):
    """Compile the draft flow."""

    def key(state: DraftState) -> DraftState:
        check_source(state["source"])
        return {"context": deps.preferences.context(state["task"], state["source"])}

    def recall(state: DraftState) -> DraftState:
        if state.get("preference"):
            rules, unparsed = rules_from_text(state["preference"])
            return {"rules": rules, "told": " ".join(unparsed) or None, "applied": []}
        if not deps.learning:
            return {"preference": None, "rules": [], "told": None, "applied": []}
        chosen = deps.preferences.aggregate(state["context"])
        return {
            "preference": chosen.text,
            "rules": chosen.rules,
            "told": " ".join(p.text for p, _ in chosen.chosen if p.rule is None) or None,
            "applied": [p.id for p, _ in chosen.chosen],
        }

    def write(state: DraftState) -> DraftState:
        design = state.get("design") or deps.design(prompt_task(state["task"]))
        text = design.render(state["source"][:PROMPT_SOURCE_CHARS], state["told"], state["task"])
        prompt = Prompt(text=text, raw=False, sampling=design.sampling())
        return {"generated": generate(deps.predictor, prompt, max_tokens=deps.max_tokens).text}

    def guard(state: DraftState) -> DraftState:
        text = clean(state["generated"])
        if faithful(text, state["source"]):
            return {"text": text, "origin": "model"}
        return {"text": extract(state["task"], state["source"]), "origin": "extract"}

    def enforce(state: DraftState) -> DraftState:
        return {"text": apply_rules(state["text"], state["rules"])}

    def save(state: DraftState) -> DraftState:
        draft_id = deps.preferences.save_draft(
            state["context"],
            state["source"],
            state["text"],
            state.get("preference"),
            state["applied"],
        )
        return {"id": draft_id}

    graph = graph_of(
        DraftState,
        {"key": key, "recall": recall, "write": write, "guard": guard, "enforce": enforce,
         "save": save},
    )  # fmt: skip
    chain(graph, "key", "recall", "write", "guard", "enforce")
    graph.add_conditional_edges(
        "enforce", lambda s: END if s.get("trial") or not deps.learning else "save", [END, "save"]
    )
    graph.add_edge("save", END)
    return compile_flow(graph)
