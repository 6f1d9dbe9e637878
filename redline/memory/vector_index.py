"""A FAISS cache over embeddings stored in SQLite: rebuilt whenever it disagrees with the store."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from redline.errors import FileError
from redline.memory import private

# (ids, vectors) of every row the index must hold, read from the store.
RowSource = Callable[[], tuple[np.ndarray, np.ndarray]]
# (row count, largest id) of the store's table: cheap to read on every search.
StateSource = Callable[[], tuple[int, int]]

log = logging.getLogger(__name__)
# Up to this many rows (15 MB) the index file is rewritten whenever rows are added.
WRITE_ALWAYS_ROWS = 10_000
# From this many rows on, the index keeps its vectors in half precision: at 100,000 passages
# a search takes 9.5 ms against 18.3 ms exact, in 74 MiB against 147, and finds 99.8% of
# the exact 8 nearest (`redline bench scale`'s memory, 50 queries). Below it, exact search
# costs under 4 ms.
HALF_PRECISION_ROWS = 20_000


def index_for(dimension: int, rows: int) -> faiss.IndexIDMap2:
    """An empty index of the kind for ``rows`` rows: exact, or half precision from
    :data:`HALF_PRECISION_ROWS` on (both inner product over normalised vectors)."""
    if rows < HALF_PRECISION_ROWS:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    half = faiss.IndexScalarQuantizer(
        dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    )
    return faiss.IndexIDMap2(half)


def _half_precision(index: faiss.IndexIDMap2) -> bool:
    return isinstance(faiss.downcast_index(index.index), faiss.IndexScalarQuantizer)


def read_index(path: Path, dimension: int) -> faiss.IndexIDMap2 | str:
    """The index in the file at ``path``, or why it is none redline can use."""
    try:
        index = faiss.read_index(str(path))
    except (RuntimeError, OSError):
        return "not a readable FAISS index"
    if not isinstance(index, faiss.IndexIDMap2):
        return "not an index of redline's"
    if index.d != dimension:
        return f"vectors of {index.d} dimensions, not the embedder's {dimension}"
    return index


def agrees(index: faiss.IndexIDMap2, state: tuple[int, int]) -> bool:
    """Whether the index holds as many rows as the store, up to the same largest id, in the
    precision for that many."""
    count, largest = state
    if index.ntotal != count or _half_precision(index) != (count >= HALF_PRECISION_ROWS):
        return False
    return count == 0 or int(faiss.vector_to_array(index.id_map).max()) == largest


def file_problem(path: Path, dimension: int, state: tuple[int, int]) -> str | None:
    """What keeps the index file at ``path`` from serving a store in ``state``, or None."""
    if not path.is_file():
        return "a directory stands where the index belongs" if path.exists() else "missing"
    index = read_index(path, dimension)
    if isinstance(index, str):
        return index
    if index.ntotal == state[0] and not agrees(index, state):
        return f"out of date: {state[0]} vectors in the precision of another size"
    if not agrees(index, state):
        return f"out of date: {index.ntotal} vectors for {state[0]} rows"
    return None


class VectorIndex:
    """An ``IndexIDMap2`` over normalised vectors, ids equal to row ids: exact inner product,
    or half precision from :data:`HALF_PRECISION_ROWS` rows on (:func:`index_for`).

    The index file is a cache: it is written atomically, checked against the
    store's row count and largest id before every search, and rebuilt from
    the store when missing, unreadable or stale (another process added rows).
    """

    def __init__(self, path: Path, dimension: int, rows: RowSource, state: StateSource) -> None:
        self.path = Path(path)
        self.dimension = dimension
        self._rows = rows
        self._state = state
        self._lock = threading.RLock()
        self._index: faiss.IndexIDMap2 | None = None
        self._synced_state: tuple[int, int] | None = None
        self._unwritten = 0  # rows in memory, not in the file yet
        self.rebuilds = 0

    def sync(self) -> faiss.IndexIDMap2:
        """The index, loaded or rebuilt so that it holds exactly the store's rows."""
        with self._lock:
            state = self._state()
            if self._index is not None and state == self._synced_state:
                return self._index
            index = read_index(self.path, self.dimension) if self.path.is_file() else None
            if isinstance(index, str):
                log.warning("%s was %s; rebuilt it from the database", self.path, index)
            if not isinstance(index, faiss.IndexIDMap2) or not agrees(index, state):
                index = self._rebuild()
            self._index, self._synced_state, self._unwritten = index, state, 0
            return index

    def _rebuild(self) -> faiss.IndexIDMap2:
        ids, vectors = self._rows()
        index = index_for(self.dimension, len(ids))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self.rebuilds += 1
        self._write(index)
        return index

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        """Add rows just committed to the store; the file is rewritten while the index is small,
        else once the rows added since its last write reach a tenth of the file's (and at
        :meth:`flush`): a file of 100,000 passages is 150 MB, too big to write per note. Rows
        not written yet are safe in the store; another process rebuilds them from there."""
        with self._lock:
            index = self.sync() if self._index is None else self._index
            rows = np.asarray(ids, dtype=np.int64)
            if index.ntotal:
                rows = rows[~np.isin(rows, faiss.vector_to_array(index.id_map))]
            if len(rows):
                chosen = np.isin(np.asarray(ids, dtype=np.int64), rows)
                index.add_with_ids(np.ascontiguousarray(vectors[chosen], dtype=np.float32), rows)
                self._unwritten += len(rows)
            if (
                index.ntotal <= WRITE_ALWAYS_ROWS
                or self._unwritten * 10 >= index.ntotal - self._unwritten
            ):
                self.flush()
            state = self._state()
            self._synced_state = state if agrees(index, state) else None

    def flush(self) -> None:
        """Write the rows added since the index file was last written."""
        with self._lock:
            if self._index is not None and self._unwritten:
                self._write(self._index)
                self._unwritten = 0

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest rows as (id, cosine similarity), best first."""
        index = self.sync()
        if index.ntotal == 0 or k <= 0:
            return []
        scores, ids = index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def _write(self, index: faiss.IndexIDMap2) -> None:
        """Write the file atomically (temp file, fsync, rename); the old one survives a failure."""
        data = faiss.serialize_index(index)
        try:
            private.replace_atomically(self.path, lambda handle: handle.write(data.tobytes()))
        except OSError as exc:
            raise FileError.writing(
                self.path,
                exc,
                "the index",
                "nothing stored is lost: the database holds it all, and the index is rebuilt"
                " from it on the next run",
            ) from exc
