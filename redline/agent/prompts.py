"""Prompt designs: the structured prompts redline versions, optimises and renders.

A design is data (a JSON body stored as a prompt version), never code. Two
kinds exist:

- ``CompletionPrompt`` (task ``complete``, or ``complete:EXT`` for documents
  of one file type): a template with ``{examples}`` (passages of the user's
  own writing), ``{context}`` (the name of the document being written) and
  ``{prefix}`` (the text before the cursor, always last, so the model simply
  carries on writing as the user does: Promptor-style). The part before
  ``{prefix}`` is the stable context block whose key/value cache llama.cpp
  reuses from keystroke to keystroke.
- ``DraftPrompt`` (tasks summarize, email, rewrite, continue, and ``draft``
  for an instruction in the user's own words): a template with
  ``{instruction}``, ``{preferences}`` and ``{source}``.
- ``ChatPrompt`` (task ``chat``): the system text of the chat and how its
  answers are sampled (temperature, nucleus, repetition penalty).

Version 1 of the completion prompt was chosen by the KSR benchmark's
simulated typist on the development set (40 earlier texts, 10 new ones):
notebook 0.2875, framed 0.2851, documents 0.2840.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass, fields, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from redline.errors import InputError
from redline.predictors.base import Sampling

if TYPE_CHECKING:
    from redline.memory.prompt_versions import PromptVersions

COMPLETION_TASK = "complete"
CUSTOM_DRAFT_TASK = "draft"  # a draft for an instruction in the user's own words
CHAT_TASK = "chat"
DRAFT_TASKS = ("summarize", "email", "rewrite", "continue")
# The tasks whose prompts SPO optimises against the user's history.
OPTIMIZED_TASKS = (COMPLETION_TASK, *DRAFT_TASKS, CUSTOM_DRAFT_TASK)
PROMPT_TASKS = (*OPTIMIZED_TASKS, CHAT_TASK)

ORDERS = ("best_last", "best_first")


@dataclass(frozen=True)
class CompletionPrompt:
    """How the user's own passages are shown before the typed text."""

    template: str = "{examples}{prefix}"
    example_separator: str = "\n\n---\n\n"  # ends each example
    context_chars: int | None = None  # characters of examples; None: the user's setting
    order: str = "best_last"  # the most similar example next to the typed text, or first
    max_tokens: int | None = None  # the longest suggestion; None: the user's setting

    kind = "completion"
    placeholders = ("examples", "context", "prefix")

    def context(self, examples: list[str], document: str = "") -> str:
        """The stable block placed before the typed text (``document``: its name)."""
        ordered = examples if self.order == "best_first" else list(reversed(examples))
        shown = "".join(example + self.example_separator for example in ordered)
        head = self.template[: self.template.rindex("{prefix}")]
        return _fill(head, examples=shown, context=document)

    def validate(self) -> None:
        _check_placeholders(self.template, self.placeholders, required=("prefix",))
        if self.template.count("{examples}") > 1 or self.template.count("{context}") > 1:
            raise InputError("a completion template holds {examples} and {context} once at most")
        if self.max_tokens is not None and not 1 <= self.max_tokens <= 64:
            raise InputError("max_tokens must be between 1 and 64")
        if not self.template.endswith("{prefix}"):
            raise InputError(
                "a completion template must end with {prefix}",
                "the text before the cursor comes last, so the model continues it",
            )
        if self.order not in ORDERS:
            raise InputError(f"unknown example order {self.order!r}", f"use one of {ORDERS}")
        if self.context_chars is not None and not 0 <= self.context_chars <= 20_000:
            raise InputError("context_chars must be between 0 and 20000")


@dataclass(frozen=True)
class DraftPrompt:
    """The chat message that asks the model for a draft."""

    instruction: str
    template: str = "{instruction}\n{preferences}\n\nText:\n{source}"
    preference_line: str = "Follow these preferences of the reader: {preference}"
    repeat_penalty: float = 1.0  # > 1: words already written are less likely (SPO may tune it)

    kind = "draft"
    placeholders = ("instruction", "preferences", "source")

    def render(self, source: str, preference: str | None, request: str = "") -> str:
        """The message for ``source``; ``request``: the user's own instruction (task draft)."""
        template = self.template
        preferences = ""
        if preference:
            preferences = _fill(self.preference_line, preference=preference)
        else:  # no line at all where the preferences would go
            template = template.replace("{preferences}\n", "").replace("\n{preferences}", "")
        instruction = _fill(self.instruction, request=request)
        return _fill(
            template, instruction=instruction, preferences=preferences, source=source.strip()
        )

    def validate(self) -> None:
        _check_placeholders(self.template, self.placeholders, required=("source",))
        _check_placeholders(self.preference_line, ("preference",), required=("preference",))
        _check_placeholders(self.instruction, ("request",), required=())
        if "{instruction}" not in self.template and not self.instruction:
            raise InputError("a draft prompt needs an instruction")
        _check_range("repeat_penalty", self.repeat_penalty, 1.0, 2.0)

    def sampling(self) -> Sampling:
        return Sampling(repeat_penalty=self.repeat_penalty)


@dataclass(frozen=True)
class ChatPrompt:
    """The chat's instructions and sampling: greedy decoding loops on a small model."""

    system: str = (
        "You are redline, a personal writing assistant. Answer the user's message helpfully and"
        " briefly. Use Markdown where it helps."
    )
    # Measured on six questions with the embedded model (README, "Terminal UI"): greedy
    # looped on 4 of 6 (a line 51 times), 5.3 s each; this answered all six in 1.5 s.
    temperature: float = 0.3
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    max_tokens: int = 384

    kind = "chat"

    def sampling(self) -> Sampling:
        return Sampling(self.temperature, self.top_p, self.repeat_penalty)

    def validate(self) -> None:
        if not isinstance(self.system, str):
            raise InputError("a chat prompt's system text is text")
        _check_range("temperature", self.temperature, 0.0, 2.0)
        _check_range("top_p", self.top_p, 0.01, 1.0)
        _check_range("repeat_penalty", self.repeat_penalty, 1.0, 2.0)
        _check_range("max_tokens", self.max_tokens, 1, 4096)


Design = CompletionPrompt | DraftPrompt | ChatPrompt

BUILTIN: dict[str, Design] = {
    # Suggestions of 12 tokens save as many keystrokes as 16 on the development
    # set, and the longest model calls are a quarter shorter.
    COMPLETION_TASK: CompletionPrompt(max_tokens=12),
    "summarize": DraftPrompt(
        "Summarize the text below in a few sentences. Write only the summary."
    ),
    "email": DraftPrompt(
        "Write a short email to the team from the notes below. Write only the email."
    ),
    "rewrite": DraftPrompt(
        "Rewrite the text below so that it reads well. Keep its meaning and length."
    ),
    "continue": DraftPrompt("Continue the text below with one more paragraph in the same style."),
    CUSTOM_DRAFT_TASK: DraftPrompt("{request}"),
    CHAT_TASK: ChatPrompt(),
}


def prompt_task(task: str) -> str:
    """The prompt task a draft task uses: its own name, or ``draft`` for any instruction."""
    name = task.strip().lower()
    return name if name in DRAFT_TASKS else CUSTOM_DRAFT_TASK


def check_task(task: str) -> str:
    """``task`` when it names a prompt redline versions, else a clear error."""
    name = task.strip().lower()
    if name not in PROMPT_TASKS and not is_kind_task(name):
        raise InputError(
            f"unknown prompt task {task!r}",
            f"use one of: {', '.join(PROMPT_TASKS)}, or complete:EXT for one file type",
        )
    return name


def kind_task(kind: str) -> str:
    """The completion task for documents of one file type (``md`` → ``complete:md``)."""
    kind = kind.strip().lower().lstrip(".")
    if not re.fullmatch(r"[a-z0-9]{1,10}", kind):
        raise InputError(f"{kind!r} is not a file type", "give an extension such as md or txt")
    return f"{COMPLETION_TASK}:{kind}"


def is_kind_task(task: str) -> bool:
    return re.fullmatch(rf"{COMPLETION_TASK}:[a-z0-9]{{1,10}}", task) is not None


def document_kind(uri: str | None) -> str:
    """The file type of a document (its extension), or "" when it has none."""
    suffix = PurePosixPath(urlparse(uri).path if uri and "://" in uri else uri or "").suffix
    return suffix.lstrip(".").lower()


def document_name(uri: str | None) -> str:
    """The name of a document, as ``{context}`` shows it."""
    path = urlparse(uri).path if uri and "://" in uri else uri or ""
    return unquote(PurePosixPath(path).name)


def to_body(design: Design) -> dict[str, Any]:
    """The JSON body stored for a design."""
    return {"kind": design.kind, **asdict(design)}


def from_body(body: dict[str, Any]) -> Design:
    """The design a stored body describes, validated; a clear error when it is not one."""
    if not isinstance(body, dict):
        raise InputError("a prompt body is a JSON object")
    kinds = {cls.kind: cls for cls in (CompletionPrompt, DraftPrompt, ChatPrompt)}
    cls = kinds.get(body.get("kind", ""))
    if cls is None:
        raise InputError(f"unknown prompt kind {body.get('kind')!r}", f"use one of {list(kinds)}")
    known = {f.name for f in fields(cls)}
    unknown = set(body) - known - {"kind"}
    if unknown:
        raise InputError(f"unknown prompt field(s): {', '.join(sorted(unknown))}",
                         f"a {cls.kind} prompt has {', '.join(sorted(known))}")  # fmt: skip
    try:
        design = cls(**{k: v for k, v in body.items() if k != "kind"})
    except TypeError as exc:
        raise InputError(f"not a {cls.kind} prompt: {exc}") from exc
    design.validate()
    return design


def with_changes(design: Design, **changes: Any) -> Design:
    """A copy of ``design`` with ``changes``, validated."""
    changed = replace(design, **changes)
    changed.validate()
    return changed


def describe(design: Design) -> str:
    """The design as text a person reads (the template first, then the settings)."""
    body = to_body(design)
    lines = [body.pop("template" if "template" in body else "system"), ""]
    lines += [f"{key}: {value!r}" for key, value in body.items() if key != "kind"]
    return "\n".join(lines)


def _check_range(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} must be a number")
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {value}")


def _fill(template: str, **values: str) -> str:
    return template.format_map({key: values.get(key, "") for key in _fields(template)})


def _fields(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise InputError(
            f"the template does not parse: {exc}", "write a literal brace as {{ or }}"
        ) from exc


def _check_placeholders(template: str, known: tuple[str, ...], required: tuple[str, ...]) -> None:
    if not isinstance(template, str):
        raise InputError("a template is text")
    names = _fields(template)
    unknown = [name or "{}" for name in names if name not in known]
    if unknown:
        raise InputError(
            f"unknown placeholder(s) {', '.join(sorted(set(unknown)))} in the template",
            f"use {', '.join('{' + k + '}' for k in known)}; write a literal brace as {{{{ or }}}}",
        )
    for name in required:
        if names.count(name) != 1:
            raise InputError(f"the template must hold {{{name}}} exactly once")


class ActiveDesigns:
    """The active design of each task, read from the prompt versions (parsed once each)."""

    def __init__(self, versions: PromptVersions) -> None:
        self.versions = versions
        self._parsed: dict[int, Design] = {}

    def __call__(self, task: str) -> Design:
        version_id = self.versions.active_id(task)
        if version_id is None:  # a file type with no prompt of its own
            return self(COMPLETION_TASK)
        design = self._parsed.get(version_id)
        if design is None:
            design = self._parsed[version_id] = from_body(self.versions.active_body(task))
        return design

    def chat(self) -> ChatPrompt:
        """The chat's active prompt."""
        design = self(CHAT_TASK)
        assert isinstance(design, ChatPrompt)
        return design

    def completion(self, uri: str | None) -> CompletionPrompt:
        """The completion prompt for a document: its file type's own, else the general one."""
        kind = document_kind(uri)
        design = self(kind_task(kind)) if kind else self(COMPLETION_TASK)
        assert isinstance(design, CompletionPrompt)
        return design


def builtin_bodies() -> dict[str, dict[str, Any]]:
    """Version 1 of every task's prompt, as stored."""
    return {task: to_body(design) for task, design in BUILTIN.items()}
