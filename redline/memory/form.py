"""The form of a document (story, notes, report ...) as a few numbers, whatever its topic.

Two news articles on different topics are far apart in meaning but close in
form; preferences follow the kind of document more than its topic, so
retrieval ranks past contexts by both.
"""

from __future__ import annotations

import re

import numpy as np

WORD = re.compile(r"[A-Za-z']+|\d+")
FIRST_SINGULAR = {"i", "me", "my", "mine", "i'm", "i've", "i'd", "i'll", "myself"}
FIRST_PLURAL = {"we", "us", "our", "ours", "we're", "we've", "we'll", "ourselves"}
SECOND = {"you", "your", "yours", "you're", "you've", "you'll"}
DIMENSION = 10


def _rate(words: list[str], vocabulary: set[str], scale: float) -> float:
    return min(1.0, scale * sum(w.lower() in vocabulary for w in words) / max(1, len(words)))


def form_features(text: str) -> np.ndarray:
    """Ten numbers in [0, 1] that describe how a text is written, not what it is about."""
    words = WORD.findall(text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
    n_words = max(1, len(words))
    features = [
        _rate(words, FIRST_SINGULAR, 10),
        _rate(words, FIRST_PLURAL, 10),
        _rate(words, SECOND, 10),
        sum(bool(re.match(r"[-*•]|\d+[.)]\s", line)) for line in lines) / max(1, len(lines)),
        min(1.0, 20 * sum(c.isdigit() for c in text) / max(1, len(text))),
        min(1.0, 5 * text.count('"') / n_words),
        min(1.0, len(words) / max(1, len(sentences)) / 40),
        min(1.0, sum(len(w) for w in words) / n_words / 8),
        min(1.0, sum(s.rstrip().endswith(("!", "?")) for s in sentences) / max(1, len(sentences))),
        sum(s.strip()[:1].islower() for s in sentences) / max(1, len(sentences)),
    ]
    return np.array(features, dtype=np.float32)


def form_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """1 for texts of the same form, towards 0 as their forms differ."""
    return float(1.0 - np.abs(a - b).mean() * 4)
