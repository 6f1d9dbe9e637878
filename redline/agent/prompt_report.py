"""Prompt versions in words: their text, their evidence and their differences (for every face)."""

from __future__ import annotations

import difflib

from redline.agent.prompts import describe, from_body
from redline.memory.prompt_versions import PromptVersion


def prompt_text(version: PromptVersion) -> str:
    """A version's prompt as a person reads it."""
    return describe(from_body(version.body))


def diff_lines(old: PromptVersion, new: PromptVersion, context: int = 3) -> list[str]:
    """A unified diff of two versions' prompts, a line each."""
    return list(
        difflib.unified_diff(
            prompt_text(old).splitlines(), prompt_text(new).splitlines(),
            old.label, new.label, n=context, lineterm="",
        )
    )  # fmt: skip


def evidence_summary(version: PromptVersion) -> str:
    """One short cell for a table: the held-out win rate where a gate ran."""
    evidence = version.evidence or {}
    if evidence.get("gate"):
        return f"held-out {evidence['gate']['win_rate']:.0%}"
    if evidence.get("human"):
        return f"your picks {evidence['human']['win_rate']:.0%}"
    if evidence.get("rounds"):
        return f"{len(evidence['rounds'])} round(s), no gate"
    if "ksr" in evidence:
        return f"tested {evidence['ksr']:.0%} (was {evidence['active_ksr']:.0%})"
    return "built in" if version.origin == "builtin" else "-"


def evidence_lines(version: PromptVersion) -> list[str]:
    """The evidence a version was kept on, in words."""
    evidence = version.evidence or {}
    lines = []
    if version.origin == "builtin":
        lines.append("redline's built-in prompt")
    elif version.origin == "user":
        lines.append("added by hand")
    elif version.origin == "promptor":
        lines.append(f"designed with you for: {evidence.get('request', '?')}")
    if "ksr" in evidence:
        lines.append(
            f"tested on {evidence['passages']} held-out passage(s) of your writing: keystroke"
            f" savings {evidence['ksr']:.1%}, the active prompt then {evidence['active_ksr']:.1%}"
        )
    if evidence.get("judge"):
        lines.append(f"judged by {evidence['judge']}")
    for r in evidence.get("rounds", []):
        lines.append(
            f"round {r['round']}: {r['wins']} wins, {r['losses']} losses, {r['ties']} ties"
            f" — {r['change']}"
        )
    gate = evidence.get("gate")
    if gate:
        low, high = gate["ci"]
        lines.append(f"held out: win rate {gate['win_rate']:.0%} (95% CI {low:.0%}–{high:.0%})")
    elif evidence.get("rounds"):
        lines.append("not checked on held-out items")
    human = evidence.get("human")
    if human:
        lines.append(
            f"your picks: {human['wins']} wins, {human['losses']} losses,"
            f" {human['ties']} ties (win rate {human['win_rate']:.0%})"
        )
    return lines
