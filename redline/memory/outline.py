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
from collections import Counter, defaultdict
from dataclasses import dataclass

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


class Outline:
    """Counts of the paragraph openings that followed the last one or two of a document."""

    def __init__(self) -> None:
        self.counts: dict[tuple[Opening, ...], Counter[Opening]] = defaultdict(Counter)

    def add(self, text: str) -> None:
        """Learn the order of one document's paragraphs."""
        heads = openings(text)
        for i in range(1, len(heads)):
            self.counts[(heads[i - 1],)][heads[i]] += 1
            if i >= 2:
                self.counts[(heads[i - 2], heads[i - 1])][heads[i]] += 1

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
            followers = self.counts.get(tuple(heads[-n:]))
            total = sum(followers.values()) if followers else 0
            if total >= min_support:
                words, count = followers.most_common(1)[0]
                return NextOpening(words, count / total, total)
        return None
