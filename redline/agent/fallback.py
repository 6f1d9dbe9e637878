"""Faithful drafts without the model: used when a generated draft strays from its source.

A small model sometimes answers with a text about something else, or
invents. A draft the user must rewrite from scratch costs more than a plain
extract, so a generated draft is checked against its source and replaced by
an extract when it fails.
"""

from __future__ import annotations

import re

from redline.predictors.repetition import without_repeated_sentences
from redline.style.shape import LIST_MARKER, split_sentences, tokens

LEAD_SENTENCES = 3
MIN_WORDS = 15
# Share of the draft's content words that must come from the source.
MIN_SOURCE_SHARE = 0.6
PREAMBLE = re.compile(
    r"^(sure|certainly|okay|ok|here( is|'s| are)|below is|this is (a|the) (summary|email|draft))"
    r"\b[^\n]*(:|\.)\s*$",
    re.IGNORECASE,
)


def _stems(text: str) -> list[str]:
    return [word.lower()[:5] for word in re.findall(r"[A-Za-z]{4,}", text)]


def faithful(draft: str, source: str) -> bool:
    """Whether a draft is long enough and made mostly of its source's words."""
    if len(tokens(draft)) < min(MIN_WORDS, max(1, len(tokens(source)) // 4)):
        return False
    source_stems = set(_stems(source))
    draft_stems = _stems(draft)
    if not draft_stems:
        return False
    share = sum(stem in source_stems for stem in draft_stems) / len(draft_stems)
    return share >= MIN_SOURCE_SHARE and len(set(draft_stems) & source_stems) >= 4


def clean(generated: str) -> str:
    """A generated draft without chatty preambles, a sentence said twice or a dangling
    unfinished sentence."""
    lines = generated.strip().split("\n")
    while lines and (PREAMBLE.match(lines[0].strip()) or not lines[0].strip()):
        lines.pop(0)
    text = without_repeated_sentences("\n".join(lines).strip())
    end = max(text.rfind(mark) for mark in (".", "!", "?", "\n"))
    if end > len(text) // 2 and not text.endswith((".", "!", "?")):
        text = text[: end + 1].rstrip()
    return text


def _as_sentence(item: str) -> str:
    item = LIST_MARKER.sub("", item).strip().rstrip(",;")
    if not item:
        return ""
    item = item[0].upper() + item[1:]
    return item if item.endswith((".", "!", "?", ":")) else item + "."


def extract(task: str, source: str) -> str:
    """A plain draft from the source itself: notes become sentences, a summary its lead."""
    if task == "email":
        items = [_as_sentence(line) for line in source.strip().split("\n")]
        body = " ".join(item for item in items if item)
        return f"Hi all,\n\n{body}\n\nBest,"
    sentences = split_sentences(source)
    return " ".join(sentences[:LEAD_SENTENCES]) or source.strip()
