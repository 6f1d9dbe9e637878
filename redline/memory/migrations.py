"""Numbered schema migrations: each upgrades a user's database in place and never drops data."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the user's own writing, split into embedded passages. AUTOINCREMENT: an id is
    # never reused, so (row count, largest id) tells any change to a table.
    """
    CREATE TABLE samples (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uri TEXT,
        text TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created REAL NOT NULL
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sample_id INTEGER NOT NULL REFERENCES samples(id),
        text TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        embedding BLOB NOT NULL,
        created REAL NOT NULL
    );
    CREATE INDEX passages_sample ON passages(sample_id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created REAL NOT NULL
    );
    """,
    # 2: drafts, the user's edits of them, and the preferences learned from the edits.
    # Evidence ties a preference to a draft (its context): +1 where the edit showed or
    # kept it, -1 where the edit undid it. The FAISS context index holds one row per
    # evidence row, so deleting a preference removes its contexts from the index.
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task TEXT NOT NULL,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        preference TEXT,
        applied TEXT NOT NULL,
        embedding BLOB NOT NULL,
        form BLOB NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE edits (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        cost INTEGER NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE preferences (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        text TEXT NOT NULL,
        rule TEXT,
        slot TEXT,
        status TEXT NOT NULL DEFAULT 'active',
        superseded_by INTEGER REFERENCES preferences(id) ON DELETE SET NULL,
        origin TEXT NOT NULL,
        embedding BLOB NOT NULL,
        created REAL NOT NULL,
        last_used REAL
    );
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        preference_id INTEGER NOT NULL REFERENCES preferences(id) ON DELETE CASCADE,
        draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        polarity INTEGER NOT NULL,
        created REAL NOT NULL,
        UNIQUE (preference_id, draft_id)
    );
    CREATE INDEX evidence_draft ON evidence(draft_id);
    """,
    # 3: prompt versions, append-only: each names its parent and the evidence it won
    # with. Activations are a log too: the active version of a task is the last row's,
    # and a rollback is a row of its own, so nothing is ever rewritten.
    """
    CREATE TABLE prompt_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task TEXT NOT NULL,
        number INTEGER NOT NULL,
        parent_id INTEGER REFERENCES prompt_versions(id),
        body TEXT NOT NULL,
        origin TEXT NOT NULL,
        evidence TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (task, number)
    );
    CREATE TABLE prompt_activations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task TEXT NOT NULL,
        version_id INTEGER NOT NULL REFERENCES prompt_versions(id),
        reason TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE INDEX prompt_activations_task ON prompt_activations(task, id);
    """,
    # 4: the phrase model's counts, kept with the samples they were counted from (see
    # redline.memory.phrase_counts); empty here, they are counted on first use.
    """
    CREATE TABLE phrase_counts (
        context TEXT NOT NULL,
        token TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (context, token)
    ) WITHOUT ROWID;
    CREATE TABLE outline_counts (
        context TEXT NOT NULL,
        token TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (context, token)
    ) WITHOUT ROWID;
    CREATE TABLE phrase_words (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE phrase_state (samples INTEGER NOT NULL, last_id INTEGER NOT NULL,
                               version INTEGER NOT NULL);
    INSERT INTO phrase_state (samples, last_id, version) VALUES (0, 0, 1);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
