"""The user's own writing: stored, embedded, indexed, and turned into phrase statistics."""

from __future__ import annotations

import threading

import numpy as np

from redline.memory.embedder import Embedder
from redline.memory.passages import check_sample, split_passages
from redline.memory.phrase_counts import StoredCounts
from redline.memory.phrases import PhraseModel
from redline.memory.store import NewSample, Passage, Store, text_hash
from redline.memory.vector_index import VectorIndex


class WritingMemory:
    """Observes writing samples and finds the passages most like a piece of text."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.index = VectorIndex(
            store.data_dir / "passages.faiss",
            embedder.dimension,
            rows=store.passage_vectors,
            state=store.passage_state,
        )
        self._counts = StoredCounts(store.query)
        self._phrases = PhraseModel(self._counts)
        self._phrases_state = (-1, -1)  # (samples, last sample id) the counts were read for
        self._lock = threading.Lock()

    def observe(self, text: str, uri: str | None = None) -> int:
        """Remember a piece of the user's writing; returns how many new passages it added.

        A sample seen before (same words, any whitespace or case) is skipped,
        and so is every passage already stored from another sample.
        """
        return self.observe_many([(text, uri)])

    def observe_many(self, samples: list[tuple[str, str | None]]) -> int:
        """Remember several pieces of writing, (text, uri) each, with one embedding batch, one
        transaction and one index update; returns how many new passages they added.

        A text too long to observe is refused (InputError) before anything is
        stored: check each with :func:`check_sample` first to skip it instead.
        """
        new: dict[str, tuple[str, str | None]] = {}
        for text, uri in samples:
            check_sample(text)
            key = text_hash(text)
            if text.strip() and key not in new and not self.store.has_sample(text):
                new[key] = (text, uri)
        split = [(text, uri, split_passages(text)) for text, uri in new.values()]
        known = self.store.known_passages([p for *_, passages in split for p in passages])
        rows = [
            (text, uri, list(dict.fromkeys(p for p in passages if p not in known)))
            for text, uri, passages in split
        ]
        fresh = list(dict.fromkeys(p for *_, passages in rows for p in passages))
        vectors = dict(zip(fresh, self.embedder.embed(fresh), strict=True))
        self.store.update_phrase_counts()  # once, for a memory of an older redline
        ids = self.store.add_samples(
            [NewSample(text, uri, passages, self._vectors(vectors, passages))
             for text, uri, passages in rows]
        )  # fmt: skip
        if ids:
            self.index.add(ids, self._vectors(vectors, [p.text for p in self.store.passages(ids)]))
        return len(ids)

    def _vectors(self, by_text: dict[str, np.ndarray], passages: list[str]) -> np.ndarray:
        rows = [by_text[p] for p in passages]
        return np.array(rows, dtype=np.float32).reshape(len(rows), self.embedder.dimension)

    def _nearest(self, text: str, k: int) -> list[int]:
        """Ids of the ``k`` passages closest in meaning to ``text``, best first."""
        if k <= 0 or not text.strip() or self.store.passage_state()[0] == 0:
            return []
        return [i for i, _ in self.index.search(self.embedder.embed([text])[0], k)]

    def similar(self, text: str, k: int) -> list[Passage]:
        """The ``k`` stored passages closest in meaning to ``text``, best first."""
        return self.store.passages(self._nearest(text, k))

    def similar_samples(
        self, text: str, max_chars: int, candidates: int = 12, exclude: frozenset[str] = frozenset()
    ) -> list[str]:
        """Whole writing samples holding the passages closest to ``text``, within ``max_chars``
        (best first), leaving out the samples in ``exclude``."""
        chosen: list[str] = []
        used = 0
        for sample in self.store.samples_of(self._nearest(text, candidates + 3 * len(exclude))):
            if used + len(sample) > max_chars or sample in exclude:
                continue
            chosen.append(sample)
            used += len(sample)
        return chosen

    def samples(self, kind: str = "") -> list[tuple[int, str]]:
        """The stored samples of the user's writing: (id, text), oldest first; ``kind``: only
        those observed from files of that type (``md``)."""
        if not kind:
            return self.store.samples_after(0)
        rows = self.store.query("SELECT id, text, uri FROM samples ORDER BY id")
        ending = f".{kind.lower()}"
        return [(i, text) for i, text, uri in rows if (uri or "").lower().endswith(ending)]

    def without(self, held_out: list[str]) -> WritingWithout:
        """This writing as if the ``held_out`` samples had never been observed."""
        return WritingWithout(self, frozenset(held_out))

    def phrases(self) -> PhraseModel:
        """The phrase model of every sample, read from the stored counts, which are recounted
        first if they disagree with the samples (any process may have stored some)."""
        with self._lock:
            state = self.store.sample_state()
            if state != self._phrases_state:
                self.store.update_phrase_counts()
                self._counts.forget()
                self._phrases_state = state
            return self._phrases


class WritingWithout:
    """The user's writing less some samples: what prompt trials type must not be looked up."""

    def __init__(self, writing: WritingMemory, held_out: frozenset[str]) -> None:
        self.writing = writing
        self.held_out = held_out
        self._phrases = PhraseModel()
        for _, text in writing.samples():
            if text not in held_out:
                self._phrases.add(text)

    def phrases(self) -> PhraseModel:
        return self._phrases

    def similar_samples(self, text: str, max_chars: int) -> list[str]:
        return self.writing.similar_samples(text, max_chars, exclude=self.held_out)
