"""The server's settings: from ``initializationOptions`` and ``workspace/didChangeConfiguration``.

Either a flat object or one under a ``"redline"`` key is accepted:
``{"redline": {"languages": ["markdown"], "maxTokens": 12}}``. Keys may be
camelCase or snake_case. A bad key or value is reported and ignored; the
server keeps its previous value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from redline.config import fields as config_fields
from redline.errors import ConfigError

# Language ids of prose documents, as Neovim, VS Code, Emacs and Helix name them.
PROSE_LANGUAGES = (
    "markdown",
    "plaintext",
    "text",
    "gitcommit",
    "git-commit",
    "tex",
    "latex",
    "rst",
    "restructuredtext",
    "org",
    "mail",
)


@dataclass(frozen=True)
class LspSettings:
    """What a user can change from the editor."""

    languages: tuple[str, ...] = PROSE_LANGUAGES
    max_tokens: int | None = None  # None: the Assistant's own setting
    learning: bool = True
    # None: the Assistant's own setting (config.toml, environment).
    model: str | None = None
    api_base: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None
    # Seconds without an edit to a document after which tracked text is final.
    learn_idle_seconds: float = 30.0


# The settings of the Assistant's model an editor may set: each a string.
MODEL_SETTINGS = {
    "model": "a model name, a GGUF path or a litellm model id",
    "api_base": "a server URL",
    "api_key": "an API key",
    "api_key_env": "the name of an environment variable holding the API key",
}


def _snake(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def _coerce(name: str, value: Any) -> Any:
    if name == "languages":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("a list of language ids")
        return tuple(value)
    if name == "max_tokens":
        if value is None:
            return None
        low, high = config_fields()["max_tokens"].metadata["range"]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value
    if name == "learning":
        if not isinstance(value, bool):
            raise ValueError("true or false")
        return value
    if name in MODEL_SETTINGS:
        if value is not None and not isinstance(value, str):
            raise ValueError(MODEL_SETTINGS[name])
        return value
    if name == "learn_idle_seconds":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError("a positive number of seconds")
        return float(value)
    raise KeyError(name)


def merge_settings(
    current: LspSettings, raw: Any, source: str
) -> tuple[LspSettings, list[ConfigError]]:
    """``current`` updated from a client's settings object, and the problems found in it."""
    if not isinstance(raw, dict):
        return current, []
    if isinstance(raw.get("redline"), dict):
        raw = raw["redline"]
    changes: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        name = _snake(key)
        try:
            changes[name] = _coerce(name, value)
        except KeyError:
            known = ", ".join(f.name for f in fields(LspSettings))
            problems.append(ConfigError(f"{source}: unknown setting {key!r}", f"known: {known}"))
        except ValueError as exc:
            problems.append(ConfigError(f"{source}: {key} = {value!r} is not valid", f"use {exc}"))
    return replace(current, **changes), problems
