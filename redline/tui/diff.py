"""A word-level diff of a draft and the user's edit, as styled text."""

from __future__ import annotations

import difflib
import re

from rich.text import Text

REMOVED = "bold red strike"
ADDED = "bold green underline"


def word_diff(before: str, after: str) -> Text:
    """``after`` against ``before``: removed words struck through in red, added ones in green."""
    old, new = re.findall(r"\S+|\s+", before), re.findall(r"\S+|\s+", after)
    text = Text()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text.append("".join(old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            text.append("".join(old[i1:i2]), style=REMOVED)
        if tag in ("insert", "replace"):
            text.append("".join(new[j1:j2]), style=ADDED)
    return text
