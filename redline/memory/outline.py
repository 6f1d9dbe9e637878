"""The skeletons of the user's recurring documents: which paragraph follows which.

A weekly status email goes greeting, summary, "Shipped:", "In progress:",
"Risks:", sign-off; meeting notes go "Decisions:", "Action items:". The
words before a blank line say little about the paragraph after it, but the
paragraphs already written do. An outline counts, over the user's writing,
which paragraph opening (the first words of its first line) followed the
previous one or two openings of the same document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from redline.memory.tokens import tokenize

# Words of a paragraph's first line that make its opening.
OPENING_WORDS = 3
# An order of paragraphs is trusted once it was seen in this many documents.
MIN_DOCUMENTS = 2
# Paragraphs written this far back are read for the next one's opening.
OUTLINE_CHARS = 20_000
PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t\r]*\n\s*")
PARAGRAPH_START = re.compile(r"\S[ \t\r]*\n[ \t\r]*\n\s*$")
Opening = tuple[str, ...]


@dataclass(frozen=True)
class NextOpening:
    """The likeliest opening of the next paragraph, and its evidence."""

    words: Opening
    probability: float
    support: int


def openings(text: str) -> list[Opening]:
    """The opening words of each paragraph of ``text`` that has any."""
    first_lines = (paragraph.split("\n", 1)[0] for paragraph in PARAGRAPH_BREAK.split(text))
    heads = (tuple(tokenize(line)[:OPENING_WORDS]) for line in first_lines)
    return [head for head in heads if head]


def at_paragraph_start(prefix: str) -> bool:
    """Whether the cursor starts a new paragraph after at least one written paragraph."""
    return PARAGRAPH_START.search(prefix[-200:]) is not None


class Openings(Protocol):
    """Where the counts are: which opening (its words joined by ``\x1f``) followed a context."""

    def openings_after(self, context: tuple[Opening, ...]) -> Mapping[str, int]: ...


class Outline:
    """Counts of the paragraph openings that followed the last one or two of a document
    (counted by :class:`redline.memory.phrase_counts.Tallies`)."""

    def __init__(self, counts: Openings) -> None:
        self.counts = counts

    def next_opening(self, written: str, min_support: int = MIN_DOCUMENTS) -> NextOpening | None:
        """How the paragraph after ``written`` (which ends at a paragraph break) likely opens.

        Looks at the last two openings, then the last one, in contexts seen
        at least ``min_support`` times.
        """
        heads = openings(written[-OUTLINE_CHARS:])
        if len(written) > OUTLINE_CHARS:
            heads = heads[1:]  # the first paragraph read may be cut
        for n in (2, 1):
            if len(heads) < n:
                continue
            followers = self.counts.openings_after(tuple(heads[-n:]))
            total = sum(followers.values())
            if total >= min_support:
                words, count = max(followers.items(), key=lambda item: (item[1], item[0]))
                return NextOpening(tuple(words.split("\x1f")), count / total, total)
        return None
