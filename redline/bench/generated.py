"""Generated writing in any amount, for `redline bench scale`.

Each note is three paragraphs of about 55 words: a walk over the word pairs of
the bundled sample (redline's own, not a benchmark's), where about one word
in ten is one the writer has not used before (made up of syllables), so that
the vocabulary and the phrase counts keep growing as a real archive's do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from redline.bench.latency import sample_texts

SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sa", "vel", "do", "pri", "gan", "el", "ost", "bra")
PARAGRAPH_WORDS = 55
NOTE_PARAGRAPHS = 3
NEW_WORD_SHARE = 0.1


def _followers() -> dict[str, list[str]]:
    followers: dict[str, list[str]] = {}
    for text in sample_texts():
        words = text.split()
        for first, second in zip(words, words[1:], strict=False):
            followers.setdefault(first, []).append(second)
    return followers


def generated_notes(seed: int = 0) -> Iterator[str]:
    """Made-up notes without end, the same for the same seed."""
    rng = random.Random(seed)
    followers = _followers()
    starts = sorted(followers)
    while True:
        paragraphs = []
        for _ in range(NOTE_PARAGRAPHS):
            word = rng.choice(starts)
            words = [word]
            while len(words) < PARAGRAPH_WORDS:
                if rng.random() < NEW_WORD_SHARE:
                    words.append("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
                word = rng.choice(followers.get(word) or starts)
                words.append(word)
            paragraphs.append(" ".join(words))
        yield "\n\n".join(paragraphs)
