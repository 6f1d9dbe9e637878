"""Preference memory (CIPHER and beyond): learned preferences, their contexts, retrieval and vote.

A preference is one atomic statement ("Use at most 3 sentences."), with the
rule that enforces it when it has one. Evidence ties it to the contexts
(drafts) it was seen in: +1 where an edit showed or kept it, -1 where an edit
undid it. For a new document, the most similar past contexts (meaning and
form) vote, weighted by similarity; a preference is used where the weighted
vote is a majority. SQLite is the source of truth; the FAISS index over
evidence rows is a cache rebuilt from it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from redline.errors import InputError
from redline.memory.embedder import Embedder
from redline.memory.form import form_features, form_similarity
from redline.memory.store import Store
from redline.memory.vector_index import VectorIndex
from redline.style.rule_text import rules_from_text
from redline.style.rules import Rule, make_rule

STATUSES = ("active", "disabled", "superseded")
# Past contexts that vote on a new document, and how similar they must be.
NEIGHBOURS = 5
MIN_SIMILARITY = 0.3
# Weight of the document's form beside its meaning in context similarity.
FORM_WEIGHT = 0.5
# A preference is used where this share of the similar contexts' weight backs it;
# a context's weight is its similarity to this power, so the nearest ones count most.
MIN_VOTE = 0.5
VOTE_SHARPNESS = 3
# Free-text preferences this close in meaning are one preference.
MERGE_SIMILARITY = 0.9
# Fallback for documents like nothing seen: preferences backed in this share of
# all contexts of the task (and in at least GLOBAL_MIN_CONTEXTS of them).
GLOBAL_SHARE = 0.6
GLOBAL_MIN_CONTEXTS = 3


@dataclass(frozen=True)
class Context:
    """What a document is keyed by: its meaning (embedding) and its form."""

    task: str
    embedding: np.ndarray
    form: np.ndarray

    @classmethod
    def from_row(cls, task: str, embedding: bytes, form: bytes) -> Context:
        """A context as stored in the drafts table."""
        return cls(
            task, np.frombuffer(embedding, dtype=np.float32), np.frombuffer(form, dtype=np.float32)
        )

    def similarity(self, task: str, embedding: np.ndarray, form: np.ndarray) -> float:
        meaning = float(np.dot(self.embedding, embedding))
        score = (meaning + FORM_WEIGHT * form_similarity(self.form, form)) / (1 + FORM_WEIGHT)
        return score if task == self.task else score / 2


@dataclass
class Preference:
    """One learned (or user-written) preference with its evidence."""

    id: int
    text: str
    rule: Rule | None
    status: str
    origin: str
    created: float
    last_used: float | None
    support: int = 0
    against: int = 0
    contexts: list[int] = field(default_factory=list)
    superseded_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "rule": self.rule.spec() if self.rule else None,
            "status": self.status,
            "origin": self.origin,
            "support": self.support,
            "against": self.against,
            "contexts": self.contexts,
            "created": self.created,
            "last_used": self.last_used,
        }


@dataclass
class Aggregate:
    """The preferences chosen for a document, with their vote and the contexts that voted."""

    chosen: list[tuple[Preference, float]]
    neighbours: list[tuple[int, float]]  # empty: nothing similar, the user's global ones

    @property
    def text(self) -> str | None:
        return " ".join(p.text for p, _ in self.chosen) or None

    @property
    def rules(self) -> list[Rule]:
        return [p.rule for p, _ in self.chosen if p.rule is not None]


@dataclass(frozen=True)
class DraftRecord:
    id: int
    task: str
    source: str
    text: str
    preference: str | None
    applied: list[int]


class PreferenceMemory:
    """Stores drafts, edits and preferences; retrieves and aggregates preferences for a source."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.index = VectorIndex(
            store.data_dir / "contexts.faiss",
            embedder.dimension,
            rows=self._evidence_vectors,
            state=self._evidence_state,
        )

    # -- contexts --------------------------------------------------------------

    def context(self, task: str, source: str) -> Context:
        return Context(task, self.embedder.embed([source])[0], form_features(source))

    def _evidence_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        rows = self.store.query(
            "SELECT e.id, d.embedding FROM evidence e JOIN drafts d ON d.id = e.draft_id"
            " ORDER BY e.id"
        )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = [np.frombuffer(r[1], dtype=np.float32) for r in rows]
        return ids, (np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32))

    def _evidence_state(self) -> tuple[int, int]:
        count, largest = self.store.query("SELECT count(*), coalesce(max(id), 0) FROM evidence")[0]
        return count, largest

    # -- drafts and edits ------------------------------------------------------

    def save_draft(
        self, context: Context, source: str, text: str, preference: str | None, applied: list[int]
    ) -> int:
        """Remember a draft, so that the user's edit of it can be learned from later."""
        now = time.time()
        with self.store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO drafts (task, source, text, preference, applied, embedding, form,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    context.task,
                    source,
                    text,
                    preference,
                    json.dumps(applied),
                    context.embedding.astype(np.float32).tobytes(),
                    context.form.astype(np.float32).tobytes(),
                    now,
                ),
            )
            if applied:
                marks = ",".join("?" * len(applied))
                conn.execute(
                    f"UPDATE preferences SET last_used = ? WHERE id IN ({marks})", (now, *applied)
                )
        return cursor.lastrowid

    def draft(self, draft_id: int) -> DraftRecord:
        rows = self.store.query(
            "SELECT id, task, source, text, preference, applied FROM drafts WHERE id = ?",
            (draft_id,),
        )
        if not rows:
            raise InputError(f"there is no draft {draft_id}", "`redline draft` prints the id")
        id_, task, source, text, preference, applied = rows[0]
        return DraftRecord(id_, task, source, text, preference, json.loads(applied))

    def history(self, limit: int = 500) -> list[tuple[DraftRecord, str | None]]:
        """Past drafts, newest first, each with the user's last edit of it (None: never edited)."""
        rows = self.store.query(
            "SELECT d.id, d.task, d.source, d.text, d.preference, d.applied,"
            " (SELECT e.text FROM edits e WHERE e.draft_id = d.id ORDER BY e.id DESC LIMIT 1)"
            " FROM drafts d ORDER BY d.id DESC LIMIT ?",
            (limit,),
        )
        return [
            (DraftRecord(i, task, source, text, pref, json.loads(applied)), edited)
            for i, task, source, text, pref, applied, edited in rows
        ]

    # -- learning --------------------------------------------------------------

    def record_edit(
        self,
        draft_id: int,
        edited: str,
        cost: int,
        shown: list[tuple[str, Rule | None]],
        kept: list[int],
        undone: list[int],
        widened: dict[int, Rule] | None = None,
    ) -> list[Preference]:
        """Store one edit and what it taught, in one transaction; returns the preferences shown.

        ``shown``: preferences the edit showed (merged into an existing one when
        the same rule or nearly the same words). ``kept`` / ``undone``: ids of
        the preferences applied to the draft that the edit kept or undid. A
        preference undone as often as it was backed is superseded by a shown
        preference of the same slot (kept, not deleted). ``widened``: stored
        preferences a shown rule generalises; each is superseded by it, and its
        contexts back the new rule.
        """
        texts = [text for text, rule in shown if rule is None]
        vectors = dict(zip(texts, self.embedder.embed(texts), strict=True)) if texts else {}
        now = time.time()
        shown_ids: list[int] = []
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO edits (draft_id, text, cost, created) VALUES (?, ?, ?, ?)",
                (draft_id, edited, cost, now),
            )
            for text, rule in shown:
                vector = vectors.get(text)
                pid = self._find_same(conn, rule, vector)
                if pid is None:
                    pid = self._insert(conn, text, rule, vector, "learned", now)
                shown_ids.append(pid)
            for pid, polarity in [(p, 1) for p in shown_ids + kept] + [(p, -1) for p in undone]:
                self._link(conn, pid, draft_id, polarity, now)
            self._supersede(conn, undone, shown_ids)
            for old, rule in (widened or {}).items():
                new = shown_ids[[r for _, r in shown].index(rule)]
                self._widen(conn, old, new, now)
        return [self.get(pid) for pid in shown_ids]

    def _widen(self, conn: Any, old: int, new: int, now: float) -> None:
        for (draft_id,) in conn.execute(
            "SELECT draft_id FROM evidence WHERE preference_id = ? AND polarity > 0", (old,)
        ).fetchall():
            self._link(conn, new, draft_id, 1, now)
        conn.execute(
            "UPDATE preferences SET status = 'superseded', superseded_by = ? WHERE id = ?",
            (new, old),
        )

    def edits_of(self, draft_ids: list[int]) -> list[tuple[str, str]]:
        """Each of these drafts with the user's latest edit of it (drafts never edited: none)."""
        if not draft_ids:
            return []
        return self.store.query(
            "SELECT d.text, e.text FROM edits e JOIN drafts d ON d.id = e.draft_id"
            " WHERE e.id IN (SELECT max(id) FROM edits"
            f" WHERE draft_id IN ({','.join('?' * len(draft_ids))}) GROUP BY draft_id)",
            tuple(draft_ids),
        )

    @staticmethod
    def _link(conn: Any, pid: int, draft_id: int, polarity: int, now: float) -> None:
        conn.execute(
            "INSERT INTO evidence (preference_id, draft_id, polarity, created) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (preference_id, draft_id) DO UPDATE SET polarity = excluded.polarity",
            (pid, draft_id, polarity, now),
        )

    def _find_same(self, conn: Any, rule: Rule | None, vector: np.ndarray | None) -> int | None:
        if rule is not None:
            row = conn.execute(
                "SELECT id FROM preferences WHERE rule = ? AND status != 'superseded'",
                (json.dumps(rule.spec(), sort_keys=True),),
            ).fetchone()
            return row[0] if row else None
        best, best_id = MERGE_SIMILARITY, None
        for pid, blob in conn.execute(
            "SELECT id, embedding FROM preferences WHERE rule IS NULL AND status != 'superseded'"
        ):
            score = float(np.dot(np.frombuffer(blob, dtype=np.float32), vector))
            if score >= best:
                best, best_id = score, pid
        return best_id

    def _insert(
        self,
        conn: Any,
        text: str,
        rule: Rule | None,
        vector: np.ndarray | None,
        origin: str,
        now: float,
    ) -> int:
        if vector is None:
            vector = np.zeros(self.embedder.dimension, dtype=np.float32)
        cursor = conn.execute(
            "INSERT INTO preferences (text, rule, slot, origin, embedding, created)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                text,
                json.dumps(rule.spec(), sort_keys=True) if rule else None,
                rule.slot if rule else None,
                origin,
                np.asarray(vector, dtype=np.float32).tobytes(),
                now,
            ),
        )
        return cursor.lastrowid

    def _supersede(self, conn: Any, undone: list[int], shown: list[int]) -> None:
        for old in undone:
            slot, backed, against = conn.execute(
                "SELECT p.slot, sum(e.polarity > 0), sum(e.polarity < 0) FROM preferences p"
                " JOIN evidence e ON e.preference_id = p.id WHERE p.id = ?",
                (old,),
            ).fetchone()
            if slot is None or backed > against:
                continue
            successor = next((pid for pid in shown if self._slot(conn, pid) == slot), None)
            if successor is not None:
                conn.execute(
                    "UPDATE preferences SET status = 'superseded', superseded_by = ? WHERE id = ?",
                    (successor, old),
                )

    @staticmethod
    def _slot(conn: Any, pid: int) -> str | None:
        return conn.execute("SELECT slot FROM preferences WHERE id = ?", (pid,)).fetchone()[0]

    # -- retrieval ---------------------------------------------------------------

    def aggregate(self, context: Context) -> Aggregate:
        """The preferences the contexts most like this one agree on (a similarity-weighted vote),
        after the ones the user wrote for every document."""
        written = self._written()
        if self._evidence_state()[0] == 0:
            return Aggregate(self._choose(written), [])
        neighbours = self._neighbours(context)
        if not neighbours:
            return self._global(context.task, written)
        weights = {draft_id: score**VOTE_SHARPNESS for draft_id, score in neighbours}
        total = sum(weights.values())
        successors = self._successors()
        stances: dict[tuple[int, int], int] = {}
        marks = ",".join("?" * len(weights))
        for pid, draft_id, polarity in self.store.query(
            f"SELECT preference_id, draft_id, polarity FROM evidence WHERE draft_id IN ({marks})",
            tuple(weights),
        ):
            key = (successors.get(pid, pid), draft_id)
            stances[key] = max(stances.get(key, -1), polarity)
        votes: dict[int, float] = defaultdict(float)
        for (pid, draft_id), polarity in stances.items():
            votes[pid] += polarity * weights[draft_id]
        scored = {pid: vote / total for pid, vote in votes.items() if vote / total >= MIN_VOTE}
        return Aggregate(self._choose({**written, **scored}), neighbours)

    def _successors(self) -> dict[int, int]:
        """Each superseded preference's latest successor: old contexts vote for it."""
        links = dict(
            self.store.query(
                "SELECT id, superseded_by FROM preferences WHERE superseded_by IS NOT NULL"
            )
        )
        final = {}
        for pid in links:
            seen, current = {pid}, links[pid]
            while current in links and current not in seen:
                seen.add(current)
                current = links[current]
            final[pid] = current
        return final

    def _written(self) -> dict[int, float]:
        """Preferences the user wrote or imported without contexts: they hold everywhere."""
        rows = self.store.query(
            "SELECT id FROM preferences WHERE origin != 'learned' AND status = 'active'"
            " AND id NOT IN (SELECT preference_id FROM evidence)"
        )
        return {pid: 1.0 for (pid,) in rows}

    def _neighbours(self, context: Context) -> list[tuple[int, float]]:
        hits = self.index.search(context.embedding, 64)
        if not hits:
            return []
        marks = ",".join("?" * len(hits))
        rows = self.store.query(
            "SELECT DISTINCT d.id, d.task, d.embedding, d.form FROM evidence e"
            f" JOIN drafts d ON d.id = e.draft_id WHERE e.id IN ({marks})",
            tuple(i for i, _ in hits),
        )
        scored = []
        for draft_id, task, embedding, form in rows:
            past = Context.from_row(task, embedding, form)
            score = past.similarity(context.task, context.embedding, context.form)
            if score >= MIN_SIMILARITY:
                scored.append((draft_id, score))
        return sorted(scored, key=lambda pair: -pair[1])[:NEIGHBOURS]

    def _global(self, task: str, written: dict[int, float]) -> Aggregate:
        (contexts,) = self.store.query(
            "SELECT count(DISTINCT e.draft_id) FROM evidence e JOIN drafts d ON d.id = e.draft_id"
            " WHERE d.task = ?",
            (task,),
        )[0]
        rows = self.store.query(
            "SELECT e.preference_id, sum(e.polarity) FROM evidence e"
            " JOIN drafts d ON d.id = e.draft_id WHERE d.task = ? GROUP BY e.preference_id",
            (task,),
        )
        needed = max(GLOBAL_MIN_CONTEXTS, GLOBAL_SHARE * contexts)
        scored = {pid: net / max(1, contexts) for pid, net in rows if net >= needed}
        return Aggregate(self._choose({**written, **scored}), [])

    def _choose(self, scored: dict[int, float]) -> list[tuple[Preference, float]]:
        """Active preferences by score, the best one per slot."""
        chosen: list[tuple[Preference, float]] = []
        slots: set[str] = set()
        found = {p.id: p for p in self.list(ids=list(scored))} if scored else {}
        for pid, score in sorted(scored.items(), key=lambda item: -item[1]):
            preference = found.get(pid)
            if preference is None or preference.status != "active":
                continue
            slot = preference.rule.slot if preference.rule else f"text:{pid}"
            if slot not in slots:
                slots.add(slot)
                chosen.append((preference, score))
        return chosen

    # -- review: list, edit, disable, delete, export, import -------------------

    def get(self, pid: int) -> Preference:
        found = self.list(ids=[pid])
        if not found:
            raise InputError(f"there is no preference {pid}", "`redline prefs list` shows the ids")
        return found[0]

    def list(self, ids: list[int] | None = None, status: str | None = None) -> list[Preference]:
        """Preferences with their support, newest first."""
        where, params = [], []
        if ids is not None:
            where.append(f"p.id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        if status is not None:
            where.append("p.status = ?")
            params.append(status)
        rows = self.store.query(
            "SELECT p.id, p.text, p.rule, p.status, p.origin, p.created, p.last_used,"
            " p.superseded_by, coalesce(sum(e.polarity > 0), 0), coalesce(sum(e.polarity < 0), 0),"
            " group_concat(CASE WHEN e.polarity > 0 THEN e.draft_id END)"
            " FROM preferences p LEFT JOIN evidence e ON e.preference_id = p.id"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " GROUP BY p.id ORDER BY p.id DESC",
            tuple(params),
        )
        return [
            Preference(
                id=r[0],
                text=r[1],
                rule=stored_rule(r[2], r[1]),
                status=r[3],
                origin=r[4],
                created=r[5],
                last_used=r[6],
                superseded_by=r[7],
                support=r[8],
                against=r[9],
                contexts=sorted(int(x) for x in r[10].split(",")) if r[10] else [],
            )
            for r in rows
        ]

    def set_status(self, pid: int, status: str) -> None:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
        self.get(pid)
        with self.store.transaction() as conn:
            conn.execute("UPDATE preferences SET status = ? WHERE id = ?", (status, pid))

    def edit(self, pid: int, text: str) -> Preference:
        """Correct a preference's words; its rule follows the new words (or goes, if none)."""
        if not text.strip():
            raise InputError("a preference needs some words", "or delete it with `prefs rm`")
        self.get(pid)
        rule = rule_stated(text)
        vector = self.embedder.embed([text])[0]
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE preferences SET text = ?, rule = ?, slot = ?, embedding = ?,"
                " origin = 'user' WHERE id = ?",
                (
                    text.strip(),
                    json.dumps(rule.spec(), sort_keys=True) if rule else None,
                    rule.slot if rule else None,
                    vector.astype(np.float32).tobytes(),
                    pid,
                ),
            )
        return self.get(pid)

    def delete(self, pid: int) -> None:
        """Forget a preference: its row, its evidence (and so its FAISS rows), its rule."""
        self.get(pid)
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM evidence WHERE preference_id = ?", (pid,))
            conn.execute("DELETE FROM preferences WHERE id = ?", (pid,))
        self.index.sync()

    def export(self) -> dict[str, Any]:
        """Every preference and the contexts behind it, as JSON-ready data."""
        contexts: dict[int, dict[str, Any]] = {}
        preferences = self.list()
        for preference in preferences:
            for draft_id in preference.contexts:
                if draft_id not in contexts:
                    record = self.draft(draft_id)
                    contexts[draft_id] = {"task": record.task, "source": record.source}
        return {
            "format": "redline-preferences",
            "version": 1,
            "preferences": [p.to_json() for p in preferences],
            "contexts": {str(k): v for k, v in contexts.items()},
        }

    def import_(self, data: dict[str, Any]) -> int:
        """Add exported preferences with their contexts; returns how many were new."""
        if not isinstance(data, dict) or data.get("format") != "redline-preferences":
            raise InputError("this is not a redline preferences export", "use `prefs export`")
        drafts = {
            key: self.save_draft(self.context(c["task"], c["source"]), c["source"], "", None, [])
            for key, c in data.get("contexts", {}).items()
        }
        items = data.get("preferences", [])
        vectors = self.embedder.embed([item["text"] for item in items])
        added, now = 0, time.time()
        with self.store.transaction() as conn:
            for item, vector in zip(items, vectors, strict=True):
                rule = stored_rule(
                    json.dumps(item["rule"]) if item.get("rule") else None, item["text"]
                )
                pid = self._find_same(conn, rule, vector)
                if pid is None:
                    pid = self._insert(conn, item["text"], rule, vector, "imported", now)
                    status = item.get("status", "active")
                    conn.execute("UPDATE preferences SET status = ? WHERE id = ?", (status, pid))
                    added += 1
                for key in item.get("contexts", []):
                    if str(key) in drafts:
                        self._link(conn, pid, drafts[str(key)], 1, now)
        return added

    def add(self, text: str) -> Preference:
        """A preference the user wrote: used for every document until disabled."""
        if not text.strip():
            raise InputError("a preference needs some words")
        rule = rule_stated(text)
        vector = self.embedder.embed([text])[0]
        with self.store.transaction() as conn:
            pid = self._insert(conn, text.strip(), rule, vector, "user", time.time())
        return self.get(pid)


def stored_rule(spec: str | None, text: str) -> Rule | None:
    """The rule a stored spec describes. A spec of a rule type this version no longer has is
    read again from the preference's sentence (every rule's description states it); a
    sentence that states no single rule leaves the preference without one, used in prompts."""
    if not spec:
        return None
    try:
        return make_rule(json.loads(spec))
    except (ValueError, TypeError):
        return rule_stated(text)


def rule_stated(text: str) -> Rule | None:
    """The rule a preference's words state, when they state exactly one."""
    rules, _ = rules_from_text(text)
    return rules[0] if len(rules) == 1 else None
