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
]

SCHEMA_VERSION = len(MIGRATIONS)
