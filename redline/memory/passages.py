"""Split a piece of writing into passages: runs of whole paragraphs of a bounded length."""

from __future__ import annotations

import re

from redline.errors import InputError

# The longest text observed at a time: one mail, note or chapter, never a whole archive.
MAX_SAMPLE_CHARS = 2_000_000

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def check_sample(text: str) -> None:
    """Refuse a text too long to observe at once (InputError)."""
    if len(text) > MAX_SAMPLE_CHARS:
        raise InputError(
            f"this text has {len(text):,} characters; redline observes at most "
            f"{MAX_SAMPLE_CHARS:,} at a time",
            "split it into smaller files (one per note, mail or chapter)",
        )


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, stripped, blank ones dropped."""
    return [p.strip() for p in PARAGRAPH_BREAK.split(text) if p.strip()]


def split_passages(text: str, max_words: int = 80, min_words: int = 12) -> list[str]:
    """Group consecutive paragraphs into passages of about ``min_words``–``max_words`` words.

    Short paragraphs (a greeting, a sign-off) join their neighbours so that
    every passage carries enough text to be retrieved by meaning; a paragraph
    longer than ``max_words`` is cut between sentences, or between words
    when it has no sentence ends.
    """
    passages: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in paragraphs(text):
        for piece in _bounded(paragraph, max_words):
            words = len(piece.split())
            if current and count + words > max_words:
                passages.append("\n\n".join(current))
                current, count = [], 0
            current.append(piece)
            count += words
            if count >= min_words and count >= max_words // 2:
                passages.append("\n\n".join(current))
                current, count = [], 0
    if current:
        if passages and count < min_words:
            passages[-1] += "\n\n" + "\n\n".join(current)
        else:
            passages.append("\n\n".join(current))
    return passages


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _bounded(paragraph: str, max_words: int) -> list[str]:
    """A paragraph cut into pieces of at most ``max_words`` words."""
    if len(paragraph.split()) <= max_words:
        return [paragraph]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in SENTENCE_END.split(paragraph):
        words = sentence.split()
        if current and len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        while len(words) > max_words:
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(" ".join(current).split()) + len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        if words:
            current.append(" ".join(words))
    if current:
        pieces.append(" ".join(current))
    return pieces
