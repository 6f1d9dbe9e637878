"""Accepted and retained characters: how much of what redline suggested the user kept.

Each finished tracked range is stored as an ``lsp.kept`` event in the memory
database, so ``redline lsp stats`` can sum them over every session.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

EVENT = "lsp.kept"


def retained_chars(original: str, final: str) -> int:
    """Characters of ``original`` still present, in order, in ``final``."""
    from rapidfuzz.distance import Indel

    return sum(
        block.size for block in Indel.opcodes(original, final).as_matching_blocks() if block.size
    )


@dataclass
class Retention:
    """Totals over finished tracked ranges."""

    accepted: int = 0  # suggestions accepted or drafts applied
    suggested_chars: int = 0
    retained_chars: int = 0
    edited: int = 0  # of which the user changed something
    learned: int = 0  # edits that taught a preference or rule

    def add(self, original: str, final: str) -> None:
        self.accepted += 1
        self.suggested_chars += len(original)
        self.retained_chars += retained_chars(original, final)
        self.edited += final != original

    @property
    def retention(self) -> float | None:
        """The share of suggested characters kept (None before any was accepted)."""
        return self.retained_chars / self.suggested_chars if self.suggested_chars else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "retention": self.retention}


def event_payload(kind: str, original: str, final: str) -> dict[str, Any]:
    """What one finished range stores."""
    return {
        "kind": kind,
        "suggested": len(original),
        "retained": retained_chars(original, final),
        "edited": final != original,
    }


def totals(store: Any) -> dict[str, Retention]:
    """Retention per kind (completion, rewrite, ...) and ``"all"``, from the stored events."""
    import json

    result: dict[str, Retention] = {"all": Retention()}
    for (payload,) in store.query("SELECT payload FROM events WHERE kind = ?", (EVENT,)):
        data = json.loads(payload)
        for key in ("all", data["kind"]):
            row = result.setdefault(key, Retention())
            row.accepted += 1
            row.suggested_chars += data["suggested"]
            row.retained_chars += data["retained"]
            row.edited += bool(data["edited"])
            row.learned += bool(data.get("learned"))
    return result
