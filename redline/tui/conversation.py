"""Chat conversations: a LangGraph graph whose threads persist in the data dir.

One node answers the newest user message: a ``/task`` command drafts through
``Assistant.draft``; anything else streams from the predictor with a system
prompt that carries the user's active learned preferences. The messages live
in a SQLite checkpointer (``chats.sqlite3``), one thread per conversation.
"""

from __future__ import annotations

import operator
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from redline.predictors.base import Cancellation, Prompt

SYSTEM = (
    "You are redline, a personal writing assistant. Answer the user's message helpfully and"
    " briefly. Use Markdown where it helps."
)
# Commands that turn a text into a draft: /summarize TEXT (or the previous message).
TASKS = {
    "summarize": "summarize",
    "summarise": "summarize",
    "rewrite": "rewrite",
    "email": "email",
    "continue": "continue",
}
MAX_TOKENS = 384  # longest answer, in tokens
HISTORY_CHARS = 1500
PREFERENCES_SHOWN = 8
STOPPED = "\n\n*(stopped)*"


class ChatState(TypedDict):
    """A conversation: messages as ``{"role": "user" | "assistant", "content": str}``."""

    messages: Annotated[list[dict[str, str]], operator.add]


@dataclass
class ChatContext:
    """What one answer run needs beyond the state: the way to stop it."""

    cancel: Cancellation


@dataclass(frozen=True)
class Conversation:
    """A conversation in the list: its thread id and a title from its first message."""

    id: str
    title: str


def parse_command(text: str) -> tuple[str, str] | None:
    """``("summarize", rest)`` for ``/summarize rest``; None when the text is no draft command."""
    if not text.startswith("/"):
        return None
    name, _, rest = text[1:].partition(" ")
    task = TASKS.get(name.strip().lower())
    return (task, rest.strip()) if task else None


def chat_prompt(messages: list[dict[str, str]], preferences: list[str]) -> Prompt:
    """The predictor prompt: instructions and preferences first, then recent turns and the ask."""
    context = SYSTEM
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
    return Prompt(text=text, context=context, raw=False)


def _draft_source(messages: list[dict[str, str]], given: str) -> str:
    """The text a command works on: the one given, else the newest message that is not one."""
    if given:
        return given
    for message in reversed(messages[:-1]):
        if parse_command(message["content"]) is None:
            return message["content"]
    return ""


class ConversationStore:
    """Conversations of one data dir: answer (streaming), list, load and delete them."""

    def __init__(self, assistant: Any, max_tokens: int = MAX_TOKENS) -> None:
        self.assistant = assistant
        self.max_tokens = max_tokens
        path = assistant.settings.data_path / "chats.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
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
        command = parse_command(messages[-1]["content"])
        if command is not None:
            text = self._draft(messages, *command)
            write(text)
            return {"messages": [{"role": "assistant", "content": text}]}
        preferences = [p.text for p in self.assistant.preferences.list(status="active")]
        prompt = chat_prompt(messages, preferences if self.assistant.learning else [])
        cancel = runtime.context.cancel
        pieces: list[str] = []
        for piece in self.assistant.predictor.stream(prompt, self.max_tokens, (), cancel):
            pieces.append(piece)
            write(piece)
        text = "".join(pieces).strip() + (STOPPED if cancel.cancelled else "")
        return {"messages": [{"role": "assistant", "content": text}]}

    def _draft(self, messages: list[dict[str, str]], task: str, given: str) -> str:
        source = _draft_source(messages, given)
        if not source.strip():
            return f"Give me the text to {task}: `/{task} your text`, or send the text first."
        draft = self.assistant.draft(source, task=task)
        used = draft.preference or "none yet"
        return f"{draft.text}\n\n*draft {draft.id} ({task}); preferences used: {used}*"

    def answer(self, thread_id: str, text: str, cancel: Cancellation) -> Iterator[str]:
        """Add the user's message to the conversation and yield the answer as it is written."""
        config = {"configurable": {"thread_id": thread_id}}
        update = {"messages": [{"role": "user", "content": text}]}
        yield from self.graph.stream(
            update, config, stream_mode="custom", context=ChatContext(cancel)
        )

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
        """Forget a conversation and all its checkpoints."""
        self._saver.delete_thread(thread_id)

    @staticmethod
    def new_id() -> str:
        """An id for a new conversation."""
        return uuid.uuid4().hex

    def close(self) -> None:
        """Close the conversations database."""
        self._conn.close()
