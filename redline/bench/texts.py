"""The data sets of `redline bench ksr`: a folder with history.jsonl and targets.jsonl."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from redline.errors import InputError

# -- data ------------------------------------------------------------------------

DATA_HINT = (
    'a data folder holds history.jsonl and targets.jsonl, one {"id", "kind", "text"} '
    "object a line (e.g. ../shared/predict-dev)"
)


@dataclass(frozen=True)
class Text:
    """One piece of the user's writing."""

    id: str
    kind: str
    text: str


def load_texts(path: Path) -> list[Text]:
    """The texts of a JSONL file, one ``{"id", "kind", "text"}`` object a line."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path.name} is missing from {path.parent}", DATA_HINT) from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text", DATA_HINT) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", DATA_HINT) from None
    texts = []
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})", DATA_HINT) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f'{path}:{number}: expected an object with a "text" string', DATA_HINT)
        texts.append(Text(str(row.get("id", number)), str(row.get("kind", "")), row["text"]))
    return texts


def load_data(folder: Path) -> tuple[list[Text], list[Text]]:
    """The user's earlier writing and the texts to type, from a predict-dev style folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"data folder not found: {folder}", DATA_HINT)
    history = load_texts(folder / "history.jsonl")
    targets = load_texts(folder / "targets.jsonl")
    if not targets:
        raise InputError(f"no texts to type in {folder / 'targets.jsonl'}", DATA_HINT)
    return history, targets
