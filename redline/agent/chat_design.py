"""Prompt design inside a chat: Promptor sessions keyed by conversation, their turns as Markdown.

``/design REQUEST`` starts a :class:`~redline.agent.promptor.PromptDesigner` for the
conversation; every later message of that conversation answers its current turn until
the design is done, and ``/cancel`` stops it. Sessions live in memory only: a restart
ends them, and the conversation simply goes on as a normal chat.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from redline.agent.promptor import PromptDesigner, Turn
from redline.errors import RedlineError

USAGE = (
    "Say what the suggestions should help you write, for example"
    " `/design complete my replies to customer tickets in a calm, short style`."
)
STOPPED = "Stopped: nothing was saved."
NOTHING_TO_STOP = "There is no prompt design to stop in this conversation."
SHOWN_CHARS = 60  # of the typed text before each test prediction


@dataclass
class _Session:
    designer: PromptDesigner
    turn: Turn


class DesignSessions:
    """The prompt designs under way, one per conversation (thread id) at most."""

    def __init__(self, designer: Callable[[], PromptDesigner]) -> None:
        self._designer = designer
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def active(self, thread_id: str) -> bool:
        """Whether the conversation's next message answers a design turn."""
        with self._lock:
            return thread_id in self._sessions

    def start(self, thread_id: str, request: str) -> str:
        """Start designing for ``request`` (replacing a design under way); the first question."""
        if not request.strip():
            return USAGE
        replaced = self.forget(thread_id)
        try:
            designer = self._designer()
            turn = designer.start(request)
        except RedlineError as exc:
            return _failed(exc)
        with self._lock:
            self._sessions[thread_id] = _Session(designer, turn)
        head = "The design under way was stopped; nothing was saved.\n\n" if replaced else ""
        return (
            f"{head}Let's design a completion prompt: “{_escape(request.strip())}”."
            " I will ask a few questions, test the prompt on passages of your own writing and"
            " save it only when you accept it (`/cancel` stops).\n\n" + turn_markdown(turn)
        )

    def reply(self, thread_id: str, text: str) -> str | None:
        """The next turn after the user's answer; None when the conversation has no design."""
        with self._lock:
            session = self._sessions.get(thread_id)
        if session is None:
            return None
        if session.turn.step == "engage" and text.strip().lower() == "cancel":
            return self.cancel(thread_id)
        try:
            turn = session.designer.reply(text)
        except RedlineError as exc:
            self.forget(thread_id)
            return _failed(exc)
        with self._lock:
            if turn.step == "done":
                self._sessions.pop(thread_id, None)
            else:
                session.turn = turn
        return turn_markdown(turn)

    def cancel(self, thread_id: str) -> str:
        """Stop the conversation's design: what is saved stays saved, nothing else is."""
        with self._lock:
            session = self._sessions.pop(thread_id, None)
        if session is None:
            return NOTHING_TO_STOP
        version = session.turn.version
        if session.turn.step == "consent" and version is not None:
            return f"Stopped: **{version.label}** stays saved, not active."
        return STOPPED

    def forget(self, thread_id: str) -> bool:
        """Drop the conversation's design, if any (True when there was one)."""
        with self._lock:
            return self._sessions.pop(thread_id, None) is not None


def turn_markdown(turn: Turn) -> str:
    """A designer's turn as a chat message: the question and its choices, or the test report."""
    if turn.step == "refine":
        return _refine_markdown(turn)
    if turn.step == "done":
        text = _paragraphs(turn.ask)
        if turn.version is not None and not turn.activated:
            text += "\n\nActivate it whenever you like under Prompts."
        return text
    choices = ["yes", "no"] if turn.step == "consent" else turn.choices
    return f"{_paragraphs(turn.ask)}\n\n{_choices(choices)}"


def _refine_markdown(turn: Turn) -> str:
    report, design = turn.report, turn.design
    lines: list[str] = []
    if report is not None:
        described = report.describe()
        lines.append(f"Tested {described}." if report.passages else f"{described.capitalize()}.")
        if report.predictions:
            lines.append("")
            for p in report.predictions:
                lines.append(f"- after `{_code(_tail(p.typed))}`")
                predicted = f"`{_code(p.predicted)}`" if p.predicted.strip() else "*(nothing)*"
                lines.append(f"  - predicted: {predicted}")
                lines.append(f"  - you wrote: `{_code(_head(p.actual))}`")
    if design is not None:
        length = f"{design.max_tokens} tokens" if design.max_tokens else "your usual length"
        seen = "your usual amount"
        if design.context_chars is not None:
            seen = f"{design.context_chars} characters" if design.context_chars else "none"
        lines += [
            "",
            f"The prompt (suggestions up to {length}, {seen} of your writing shown):",
            "",
            "```text",
            design.template.replace("```", "'''"),
            "```",
        ]
    for problem in _problems(turn.ask):
        lines += ["", f"**{_escape(problem)}**"]
    keep, *changes = turn.choices or ["accept"]
    lines += ["", f"Keep it with `{keep}`, or change it: {_choices(changes, lead='')}"]
    return "\n".join(lines)


def _problems(ask: str) -> list[str]:
    """The refine turn's complaints: its unindented lines between the report and the choices."""
    inner = ask.splitlines()[1:-1]
    return [line for line in inner if line.strip() and not line[0].isspace()]


def _tail(text: str) -> str:
    """The end of the typed text, from a word start."""
    if len(text) <= SHOWN_CHARS:
        return text
    tail = text[-SHOWN_CHARS:]
    if not text[-SHOWN_CHARS - 1].isspace() and len(tail.split(maxsplit=1)) > 1:
        tail = tail.split(maxsplit=1)[1]  # drop the cut word
    return "…" + tail.lstrip()


def _head(text: str) -> str:
    """The start of what the user wrote next, to a word end."""
    if len(text) <= SHOWN_CHARS:
        return text
    head = text[:SHOWN_CHARS]
    if not text[SHOWN_CHARS].isspace() and len(head.rsplit(maxsplit=1)) > 1:
        head = head.rsplit(maxsplit=1)[0]  # drop the cut word
    return head.rstrip() + "…"


def _choices(choices: list[str], lead: str = "Answer: ") -> str:
    shown = " · ".join(f"`{_code(c)}`" for c in choices)
    return f"{lead}{shown}" + (" (or `/cancel`)" if lead else ".")


def _paragraphs(text: str) -> str:
    return "\n\n".join(_escape(line) for line in text.splitlines() if line.strip())


def _code(text: str) -> str:
    """Text for an inline code span: one line, no backticks."""
    return " ".join(text.replace("`", "'").split()) or " "


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _failed(exc: RedlineError) -> str:
    hint = f"\n\n*fix:* {exc.hint}" if exc.hint else ""  # our own words, Markdown welcome
    return f"**The prompt design stopped:** {_escape(exc.message)}{hint}"
