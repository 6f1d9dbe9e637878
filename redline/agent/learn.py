"""The learn flow: what the user's edit of a draft says about their preferences.

diff ─trivial─▶ END
  │ ╰─kept as it is─▶ judge ─▶ store ─▶ END   (the applied preferences are confirmed)
  │
judge ─▶ extract ─▶ infer ─▶ store ─▶ END

judge: each preference applied to the draft was kept or undone by the edit.
extract: candidate rules from the diff, each kept only if replaying it on the
draft brings it closer to the edit; a rewrite of the same form as a stored one
is generalised with it (anti-unification) where the generalisation changes
nothing the user left alone in either document. infer: what the rules leave unexplained
is described by the model in one sentence, kept only if a draft regenerated
with it comes closer to the edit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from langgraph.graph import END
from rapidfuzz import fuzz

from redline.agent.draft_prompts import preference_prompt
from redline.agent.fallback import clean
from redline.agent.graphs import chain, compile_flow, graph_of
from redline.agent.prompts import DraftPrompt, prompt_task
from redline.memory.preferences import DraftRecord, PreferenceMemory
from redline.predictors.base import Predictor, Prompt, generate
from redline.style.edit_rules import residual, verified_rules, widen
from redline.style.rewrites import Rewrite
from redline.style.rule_text import rules_from_text
from redline.style.rules import Rule, apply_rules
from redline.style.shape import edit_distance, tokens

# The model is asked about an edit only when the rules leave this many word edits
# unexplained, and only when the edit reworked the draft rather than replaced it.
MIN_RESIDUAL = 3
MIN_OVERLAP = 50
MAX_PREFERENCE_WORDS = 20
# Drafts are a few paragraphs; a longer edit is a document, not a correction of one.
MAX_CHARS = 20_000
# An edit that keeps less than this share of the draft's words replaced it.
MIN_KEPT = 0.3


class LearnState(TypedDict, total=False):
    draft: DraftRecord
    edited: str
    cost: int
    skipped: str | None
    kept: list[int]
    undone: list[int]
    rules: list[Rule]
    widened: dict[int, Rule]
    shown: list[tuple[str, Rule | None]]
    preference: str | None


@dataclass
class LearnDeps:
    predictor: Predictor
    preferences: PreferenceMemory
    design: Callable[[str], DraftPrompt]  # a prompt task's active design
    max_tokens: int = 200


def triviality(draft: str, edited: str) -> str | None:
    """Why an edit teaches nothing, or None when it may."""
    if edited == draft:
        return "the draft was kept as it is"
    if max(len(draft), len(edited)) > MAX_CHARS:
        return (
            f"the edit has {len(edited):,} characters and its draft {len(draft):,};"
            f" redline learns from drafts and edits of at most {MAX_CHARS:,}"
        )
    if not edited.strip():
        return "the edit is empty: the draft was thrown away, not corrected"
    if edited.split() == draft.split():
        return "only whitespace changed"
    old = tokens(draft)
    matcher = difflib.SequenceMatcher(None, old, tokens(edited), autojunk=False)
    if sum(block.size for block in matcher.get_matching_blocks()) < MIN_KEPT * len(old):
        return "the edit replaced the draft rather than correcting it: nothing is learned from it"
    return None


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].strip(" \"'")
    words = sentence.split()
    return " ".join(words[:MAX_PREFERENCE_WORDS]) if len(words) >= 3 else ""


def build_learn_graph(deps: LearnDeps):
    """Compile the learn flow."""

    def diff(state: LearnState) -> LearnState:
        draft, edited = state["draft"].text, state["edited"]
        return {
            "skipped": triviality(draft, edited),
            "cost": edit_distance(draft, edited),
            "shown": [],
        }

    def after_diff(state: LearnState) -> str:
        kept = state["edited"] == state["draft"].text and state["draft"].applied
        return "judge" if kept or not state["skipped"] else END

    def judge(state: LearnState) -> LearnState:
        kept, undone = [], []
        applied = state["draft"].applied
        for preference in deps.preferences.list(ids=applied) if applied else []:
            if preference.rule is not None:
                edited = state["edited"]
                holds = preference.rule.apply(edited) == edited
                (kept if holds else undone).append(preference.id)
        return {"kept": kept, "undone": undone}

    def extract(state: LearnState) -> LearnState:
        draft, edited = state["draft"].text, state["edited"]
        past = [
            (p.id, p.rule, deps.preferences.edits_of(p.contexts))
            for p in deps.preferences.list(status="active")
            if isinstance(p.rule, Rewrite)
        ]
        rules, widened = widen(verified_rules(draft, edited), draft, edited, past)
        shown = [(rule.describe(), rule) for rule in dict.fromkeys(rules)]
        return {"rules": rules, "widened": widened, "shown": shown}

    def infer(state: LearnState) -> LearnState:
        draft, edited, rules = state["draft"], state["edited"], state["rules"]
        if residual(draft.text, edited, rules) < MIN_RESIDUAL or (
            fuzz.ratio(draft.text, edited) < MIN_OVERLAP
        ):
            return {}
        prompt = Prompt(text=preference_prompt(apply_rules(draft.text, rules), edited), raw=False)
        said = _first_sentence(generate(deps.predictor, prompt, max_tokens=40).text)
        if not said:
            return {}
        said_rules, _ = rules_from_text(said)
        if said_rules:  # the model named a rule: keep it if replaying it helps
            helps = [r for r in said_rules if _closer(draft.text, r.apply(draft.text), edited)]
            return {"shown": state["shown"] + [(r.describe(), r) for r in helps if r not in rules]}
        regenerated = generate(
            deps.predictor,
            Prompt(
                text=deps.design(prompt_task(draft.task)).render(draft.source, said, draft.task),
                raw=False,
            ),
            max_tokens=deps.max_tokens,
        ).text
        regenerated = apply_rules(clean(regenerated), rules)
        if _closer(apply_rules(draft.text, rules), regenerated, edited):
            return {"shown": state["shown"] + [(said, None)]}
        return {}

    def store(state: LearnState) -> LearnState:
        shown = state["shown"]
        deps.preferences.record_edit(
            state["draft"].id,
            state["edited"],
            state["cost"],
            shown,
            state["kept"],
            state["undone"],
            state.get("widened"),
        )
        return {"preference": " ".join(text for text, _ in shown) or None}

    graph = graph_of(
        LearnState,
        {"diff": diff, "judge": judge, "extract": extract, "infer": infer, "store": store},
    )
    graph.add_conditional_edges("diff", after_diff)
    graph.add_conditional_edges("judge", lambda s: "store" if s["skipped"] else "extract")
    chain(graph, "extract", "infer", "store", END)
    return compile_flow(graph)


def _closer(before: str, after: str, target: str) -> bool:
    return edit_distance(after, target) < edit_distance(before, target)
