"""Where the phrase model's counts live: in memory, or in the user's database.

The counts of a text are three tallies: which token followed each context of up to
``ORDER - 1`` tokens, how often each word was written, and which paragraph opening
followed the last one or two of its document (the outline).

- ``MemoryCounts`` holds them for a few texts (a model of the history less some
  samples, for prompt trials; tests).
- ``StoredCounts`` reads them from the database, where ``Store.add_sample`` adds a
  sample's tallies in the transaction that stores the sample, so they always agree
  with the samples, and a process starts with them at once whatever the history's
  size. ``PHRASE_VERSION`` and the samples they were counted from are kept beside
  them: counts of another version, or of other samples (a sample deleted by hand, a
  database an older redline wrote to), are recounted from the samples, never trusted.

Lookups read one context at a time and are cached until the samples change.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from redline.memory.outline import openings
from redline.memory.tokens import NEWLINE, tokenize

START = "<s>"
END = "</s>"  # the end of a text: nothing the user writes follows
ORDER = 5  # contexts of up to four tokens
# Bumped whenever tokens, contexts or their keys change: stored counts are recounted.
PHRASE_VERSION = 1
# Contexts and openings are stored as their tokens joined by characters that are
# whitespace, so never part of a token.
_TOKENS, _OPENINGS = "\x1f", "\x1e"
# Contexts read from the database kept in memory at most.
CACHE_CONTEXTS = 50_000

Context = tuple[str, ...]
Opening = tuple[str, ...]


def key(context: Context) -> str:
    return _TOKENS.join(context)


def outline_key(context: tuple[Opening, ...]) -> str:
    return _OPENINGS.join(key(opening) for opening in context)


@dataclass
class Tallies:
    """The counts of some texts, keyed as the database stores them."""

    followers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (context, token)
    words: Counter[str] = field(default_factory=Counter)
    openings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (context, opening)

    def add(self, text: str, order: int = ORDER) -> None:
        """Count one text (contexts of up to ``order - 1`` tokens)."""
        words = tokenize(text)
        while words and words[-1] == NEWLINE:  # a file's last line break: the text ends before it
            words.pop()
        tokens = [START, *words, END]
        self.words.update(words)
        for i in range(1, len(tokens)):
            for n in range(1, min(order - 1, i) + 1):
                self.followers[(key(tuple(tokens[i - n : i])), tokens[i])] += 1
        heads = openings(text)
        for i in range(1, len(heads)):
            self.openings[(outline_key((heads[i - 1],)), key(heads[i]))] += 1
            if i >= 2:
                self.openings[(outline_key((heads[i - 2], heads[i - 1])), key(heads[i]))] += 1


def tallies_of(texts: Iterable[str]) -> Tallies:
    tallies = Tallies()
    for text in texts:
        tallies.add(text)
    return tallies


class MemoryCounts:
    """The counts of the texts added, held in dictionaries."""

    def __init__(self, order: int = ORDER) -> None:
        self.order = order
        self._followers: dict[str, Counter[str]] = {}
        self._words: Counter[str] = Counter()
        self._openings: dict[str, Counter[str]] = {}
        self._texts = 0

    def add(self, text: str) -> None:
        tallies = Tallies()
        tallies.add(text, self.order)
        self._texts += 1
        for (context, token), count in tallies.followers.items():
            self._followers.setdefault(context, Counter())[token] += count
        self._words.update(tallies.words)
        for (context, opening), count in tallies.openings.items():
            self._openings.setdefault(context, Counter())[opening] += count

    def followers(self, context: Context) -> Mapping[str, int]:
        return self._followers.get(key(context), {})

    def openings_after(self, context: tuple[Opening, ...]) -> Mapping[str, int]:
        return self._openings.get(outline_key(context), {})

    def words_from(self, partial: str) -> Mapping[str, int]:
        return {w: c for w, c in self._words.items() if w.startswith(partial)}

    def written(self, word: str) -> int:
        return self._words[word]

    def texts(self) -> int:
        return self._texts


class StoredCounts:
    """The counts in the database (see the module's docstring), cached by context."""

    def __init__(self, query: Callable[..., list[tuple]]) -> None:
        self._query = query
        self._cache: dict[tuple[str, str], Mapping[str, int]] = {}

    def forget(self) -> None:
        """Drop what was read: the samples changed."""
        self._cache.clear()

    def _read(self, table: str, context: str) -> Mapping[str, int]:
        cached = self._cache.get((table, context))
        if cached is None:
            if len(self._cache) >= CACHE_CONTEXTS:
                self._cache.clear()
            rows = self._query(f"SELECT token, count FROM {table} WHERE context = ?", (context,))
            cached = self._cache[(table, context)] = dict(rows)
        return cached

    def followers(self, context: Context) -> Mapping[str, int]:
        return self._read("phrase_counts", key(context))

    def openings_after(self, context: tuple[Opening, ...]) -> Mapping[str, int]:
        return self._read("outline_counts", outline_key(context))

    def words_from(self, partial: str) -> Mapping[str, int]:
        rows = self._query(
            "SELECT word, count FROM phrase_words WHERE word >= ? AND word < ?",
            (partial, partial + "\U0010ffff"),
        )
        return dict(rows)

    def written(self, word: str) -> int:
        rows = self._query("SELECT count FROM phrase_words WHERE word = ?", (word,))
        return rows[0][0] if rows else 0

    def texts(self) -> int:
        rows = self._query("SELECT samples FROM phrase_state")
        return rows[0][0] if rows else 0


def write_tallies(conn: sqlite3.Connection, tallies: Tallies) -> None:
    """Add ``tallies`` to the stored counts (inside the caller's transaction)."""
    upsert = (
        "INSERT INTO {0} (context, token, count) VALUES (?, ?, ?) ON CONFLICT (context, token)"
        " DO UPDATE SET count = count + excluded.count"
    )
    conn.executemany(
        upsert.format("phrase_counts"), ((c, t, n) for (c, t), n in tallies.followers.items())
    )
    conn.executemany(
        upsert.format("outline_counts"), ((c, t, n) for (c, t), n in tallies.openings.items())
    )
    conn.executemany(
        "INSERT INTO phrase_words (word, count) VALUES (?, ?) ON CONFLICT (word)"
        " DO UPDATE SET count = count + excluded.count",
        tallies.words.items(),
    )


def counted_state(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(samples, largest sample id, version) the stored counts were counted from."""
    row = conn.execute("SELECT samples, last_id, version FROM phrase_state").fetchone()
    return tuple(row) if row else (0, 0, 0)  # type: ignore[return-value]


def record_state(conn: sqlite3.Connection, samples: int, last_id: int) -> None:
    conn.execute("DELETE FROM phrase_state")
    conn.execute(
        "INSERT INTO phrase_state (samples, last_id, version) VALUES (?, ?, ?)",
        (samples, last_id, PHRASE_VERSION),
    )


def recount(conn: sqlite3.Connection) -> None:
    """Count every stored sample afresh (inside the caller's transaction)."""
    for table in ("phrase_counts", "outline_counts", "phrase_words"):
        conn.execute(f"DELETE FROM {table}")
    rows = conn.execute("SELECT id, text FROM samples ORDER BY id").fetchall()
    write_tallies(conn, tallies_of(text for _, text in rows))
    record_state(conn, len(rows), rows[-1][0] if rows else 0)
