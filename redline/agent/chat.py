"""Chat conversations: a LangGraph graph whose threads persist in the data dir.

One node answers the newest user message: a ``/task`` command drafts through
``Assistant.draft``; ``/design REQUEST`` starts a prompt design (Promptor) whose
turns the next messages answer until it is done or ``/cancel`` stops it;
anything else streams from the predictor with the chat's active prompt version
(its system text and sampling: greedy decoding loops on a small model) and the
user's active learned preferences, and stops when the answer starts repeating
itself (the repeated block is cut from the stored answer). The messages live in
a SQLite checkpointer (``chats.sqlite3``), one thread per conversation; design
sessions live in memory.
"""

from __future__ import annotations

import operator
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from redline.agent.chat_design import DesignSessions
from redline.agent.prompts import ChatPrompt
from redline.memory import private
from redline.predictors.base import Cancellation, Prompt
from redline.predictors.repetition import cut_repeats, without_loops

CHATS_NAME = "chats.sqlite3"

# Commands that turn a text into a draft: /summarize TEXT (or the previous message).
TASKS = {
    "summarize": "summarize",
    "summarise": "summarize",
    "rewrite": "rewrite",
    "email": "email",
    "continue": "continue",
}
DESIGN_COMMANDS = ("design", "cancel")  # /design REQUEST starts a prompt design, /cancel stops it
HISTORY_CHARS = 1500
PREFERENCES_SHOWN = 8
STOPPED = "\n\n*(stopped)*"


class ChatState(TypedDict):
    """A conversation: messages as ``{"role": "user" | "assistant", "content": str}``."""

    messages: Annotated[list[dict[str, str]], operator.add]


@dataclass
class ChatContext:
    """What one answer run needs beyond the state: its conversation, the way to stop it and
    the longest answer."""

    cancel: Cancellation
    thread_id: str = ""
    max_tokens: int | None = None


@dataclass(frozen=True)
class Conversation:
    """A conversation in the list: its thread id and a title from its first message."""

    id: str
    title: str


def split_command(text: str) -> tuple[str, str] | None:
    """``("name", rest)`` for ``/name rest`` (the name in lower case); None for plain text."""
    match = re.match(r"/(\S+)\s*(.*)", text, re.DOTALL)
    return (match[1].lower(), match[2].strip()) if match else None


def parse_command(text: str) -> tuple[str, str] | None:
    """``("summarize", rest)`` for ``/summarize rest``; None when the text is no draft command."""
    command = split_command(text)
    if command is None:
        return None
    task = TASKS.get(command[0])
    return (task, command[1]) if task else None


def chat_prompt(
    messages: list[dict[str, str]], preferences: list[str], design: ChatPrompt | None = None
) -> Prompt:
    """The predictor prompt: instructions and preferences first, then recent turns and the ask."""
    design = design or ChatPrompt()
    context = design.system
    if preferences:
        shown = "\n".join(f"- {p}" for p in preferences[:PREFERENCES_SHOWN])
        context += f"\nThe user's writing preferences (follow them when you write text):\n{shown}"
    *earlier, last = messages
    history, used = [], 0
    for message in reversed(earlier):
        line = f"{message['role'].capitalize()}: {message['content']}"
        if used + len(line) > HISTORY_CHARS:
            break
        history.insert(0, line)
        used += len(line)
    text = last["content"]
    if history:
        text = "Our conversation so far:\n" + "\n".join(history) + f"\n\nMy new message: {text}"
    return Prompt(text=text, context=context, raw=False, sampling=design.sampling())


def _draft_source(messages: list[dict[str, str]], given: str) -> str:
    """The text a command works on: the one given, else the newest message that is not one."""
    if given:
        return given
    for message in reversed(messages[:-1]):
        command = split_command(message["content"])
        if command is None or (command[0] not in TASKS and command[0] not in DESIGN_COMMANDS):
            return message["content"]
    return ""


class Conversations:
    """Conversations of one data dir: answer (streaming), list, load and delete them."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.designs = DesignSessions(assistant.prompt_designer)
        self._conn = private.connect(assistant.settings.data_path / CHATS_NAME)
        self._saver = SqliteSaver(self._conn)
        self._lock = threading.Lock()
        self.graph = self._build()

    def _build(self) -> Any:
        graph = StateGraph(ChatState, context_schema=ChatContext)
        graph.add_node("answer", self._answer)
        graph.add_edge(START, "answer")
        graph.add_edge("answer", END)
        return graph.compile(checkpointer=self._saver)

    def _answer(self, state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
        write = get_stream_writer()
        messages = state["messages"]
        designed = self._design(runtime.context.thread_id, messages[-1]["content"])
        if designed is not None:
            write(designed)
            return {"messages": [{"role": "assistant", "content": designed}]}
        command = parse_command(messages[-1]["content"])
        if command is not None:
            text = self._draft(messages, *command)
            write(text)
            return {"messages": [{"role": "assistant", "content": text}]}
        preferences = [p.text for p in self.assistant.preferences.list(status="active")]
        design = self.assistant.designs.chat()
        prompt = chat_prompt(messages, preferences if self.assistant.learning else [], design)
        cancel = runtime.context.cancel
        tokens = runtime.context.max_tokens or design.max_tokens
        pieces: list[str] = []
        for piece in without_loops(self.assistant.predictor.stream(prompt, tokens, (), cancel)):
            pieces.append(piece)
            write(piece)
        text = cut_repeats("".join(pieces).strip()) + (STOPPED if cancel.cancelled else "")
        return {"messages": [{"role": "assistant", "content": text}]}

    def _design(self, thread_id: str, text: str) -> str | None:
        """The answer when the message starts, answers or stops a prompt design, else None."""
        command = split_command(text)
        if command is not None and command[0] == "design":
            return self.designs.start(thread_id, command[1])
        if command is not None and command[0] == "cancel":
            return self.designs.cancel(thread_id)
        return self.designs.reply(thread_id, text)

    def _draft(self, messages: list[dict[str, str]], task: str, given: str) -> str:
        source = _draft_source(messages, given)
        if not source.strip():
            return f"Give me the text to {task}: `/{task} your text`, or send the text first."
        draft = self.assistant.draft(source, task=task)
        used = draft.preference or "none yet"
        return f"{draft.text}\n\n*draft {draft.id} ({task}); preferences used: {used}*"

    def answer(
        self, thread_id: str, text: str, cancel: Cancellation, max_tokens: int | None = None
    ) -> Iterator[str]:
        """Add the user's message to the conversation and yield the answer as it is written
        (``max_tokens``: the longest model answer, else the default)."""
        config = {"configurable": {"thread_id": thread_id}}
        update = {"messages": [{"role": "user", "content": text}]}
        context = ChatContext(cancel, thread_id, max_tokens)
        yield from self.graph.stream(update, config, stream_mode="custom", context=context)

    def designing(self, thread_id: str) -> bool:
        """Whether the conversation's next message answers a prompt design."""
        return self.designs.active(thread_id)

    def messages(self, thread_id: str) -> list[dict[str, str]]:
        """The messages of a conversation, oldest first."""
        state = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        return list(state.values.get("messages", []))

    def list(self) -> list[Conversation]:
        """Every conversation, most recently active first."""
        seen: dict[str, str] = {}
        with self._lock:
            for checkpoint in self._saver.list(None):
                thread = checkpoint.config["configurable"]["thread_id"]
                if thread in seen or checkpoint.config["configurable"].get("checkpoint_ns"):
                    continue
                messages = checkpoint.checkpoint["channel_values"].get("messages") or []
                first = next((m["content"] for m in messages if m["role"] == "user"), "")
                seen[thread] = " ".join(first.split())[:60] or "(empty)"
        return [Conversation(thread, title) for thread, title in seen.items()]

    def delete(self, thread_id: str) -> None:
        """Forget a conversation, all its checkpoints and its prompt design."""
        self.designs.forget(thread_id)
        self._saver.delete_thread(thread_id)

    @staticmethod
    def new_id() -> str:
        """An id for a new conversation."""
        return uuid.uuid4().hex

    def close(self) -> None:
        """Close the conversations database, once no thread is reading or writing it (closing
        a connection while another thread uses it crashes the process)."""
        with self._lock, self._saver.lock:
            self._conn.close()
