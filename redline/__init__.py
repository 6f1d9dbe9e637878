"""redline: a personal writing assistant that learns from your redlines.

The public API is :class:`Assistant`; it is imported lazily so that
``import redline`` stays cheap for the language server and the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redline.errors import RedlineError

__version__ = "0.1.0"
__all__ = ["Assistant", "Draft", "Learned", "RedlineError", "__version__"]

if TYPE_CHECKING:
    from redline.assistant import Assistant
    from redline.drafts import Draft, Learned


def __getattr__(name: str) -> object:
    if name == "Assistant":
        from redline.assistant import Assistant

        return Assistant
    if name in ("Draft", "Learned"):
        from redline import drafts

        return getattr(drafts, name)
    raise AttributeError(f"module 'redline' has no attribute {name!r}")
