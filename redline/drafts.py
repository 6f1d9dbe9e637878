"""What the draft and learn flows hand back to every face."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.style.rules import Rule


@dataclass(frozen=True)
class Draft:
    """A draft to show the user: ``preference`` is what shaped it (None when nothing did);
    ``id`` is None when learning is off, since then nothing is stored."""

    text: str
    preference: str | None
    id: int | None
    task: str = "summarize"
    origin: str = "model"  # "model", or "extract" when the model's text strayed from the source


@dataclass(frozen=True)
class Learned:
    """What one edit taught: the preference in words, its rules, or why nothing was learned."""

    preference: str | None
    rules: list[Rule] = field(default_factory=list)
    skipped: str | None = None
