"""The Chat screen: conversations listed on the left, answers streamed in as Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, ListItem, ListView, Markdown, Static, TextArea

from redline.predictors.base import Cancellation
from redline.tui.widgets.busy import BusyBar
from redline.tui.widgets.dialogs import Confirm
from redline.tui.widgets.nav import ScreenTabs

if TYPE_CHECKING:
    from redline.tui.app import RedlineApp

WELCOME = (
    "Ask anything, or draft from a text: `/summarize TEXT`, `/rewrite TEXT`, `/email TEXT`,"
    " `/continue TEXT` (without TEXT: your previous message). `/design WHAT YOU WRITE` designs"
    " a completion prompt with you (`/cancel` stops). Enter sends, Ctrl+J starts a new line,"
    " Esc stops an answer."
)


class ChatInput(TextArea):
    """The message box: Enter sends, Ctrl+J (or Shift+Enter) inserts a newline."""

    class Submitted(Message):
        """The user sent ``text``."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.text.strip():
                self.post_message(self.Submitted(self.text.strip()))
                self.clear()
            return
        if event.key in ("ctrl+j", "shift+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)


class ConversationList(ListView):
    """The saved conversations; Delete removes the highlighted one."""

    BINDINGS = [Binding("delete,x", "screen.delete_conversation", "Delete chat")]


class ChatScreen(Screen[None]):
    """Talk with the assistant; conversations persist across restarts."""

    BINDINGS = [
        Binding("escape", "stop", "Stop answer"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+l", "toggle_list", "Chats"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.thread_id: str | None = None
        self.cancel: Cancellation | None = None
        self.answering = False
        self.designing = False  # the answer being written is a prompt design step
        self.ids: list[str] = []

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    @property
    def conversations(self) -> Any:
        """The assistant's chat conversations."""
        return self.redline.assistant.conversations()

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScreenTabs("chat")
        yield BusyBar()
        with Horizontal():
            with Vertical(id="sidebar"):
                yield Label("Conversations", classes="title")
                yield ConversationList(id="conversations")
            with Vertical(id="chat"):
                yield VerticalScroll(id="messages")
                yield ChatInput(id="message", soft_wrap=True, show_line_numbers=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Chat"
        self.query_one("#messages").anchor()
        self._welcome()
        self.query_one(ChatInput).focus()
        self.refresh_list()

    def on_screen_resume(self) -> None:
        self.sub_title = "Chat"

    def _welcome(self) -> None:
        self.query_one("#messages").mount(Static(WELCOME, classes="welcome"))

    # -- conversations --------------------------------------------------------------

    def refresh_list(self) -> None:
        """Reload the conversation list in the background."""
        self.redline.background(
            lambda: self.conversations.list(), done=self._show_list, group="list"
        )

    def _show_list(self, conversations: list[Any]) -> None:
        view = self.query_one(ConversationList)
        view.clear()
        self.ids = [c.id for c in conversations]
        view.extend(ListItem(Label(c.title)) for c in conversations)
        if self.thread_id in self.ids:
            view.index = self.ids.index(self.thread_id)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is None or index >= len(self.ids) or self.answering:
            return
        thread_id = self.ids[index]
        self.redline.background(
            lambda: self.conversations.messages(thread_id),
            done=lambda messages: self._show_conversation(thread_id, messages),
        )

    def _show_conversation(self, thread_id: str, messages: list[dict[str, str]]) -> None:
        self.thread_id = thread_id
        box = self.query_one("#messages", VerticalScroll)
        box.remove_children()
        for message in messages:
            box.mount(self._bubble(message["role"], message["content"]))
        self.query_one(ChatInput).focus()

    def action_new_conversation(self) -> None:
        """Start an empty conversation."""
        if self.answering:
            self.notify("stop the answer first (Esc)")
            return
        self.thread_id = None
        self.query_one("#messages").remove_children()
        self._welcome()
        self.query_one(ChatInput).focus()

    def action_delete_conversation(self) -> None:
        """Delete the highlighted conversation after asking."""
        index = self.query_one(ConversationList).index
        if index is None or index >= len(self.ids) or self.answering:
            return
        thread_id = self.ids[index]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.redline.background(
                    lambda: self.conversations.delete(thread_id),
                    done=lambda _: self._deleted(thread_id),
                )

        self.app.push_screen(Confirm("Delete this conversation?"), confirmed)

    def _deleted(self, thread_id: str) -> None:
        if thread_id == self.thread_id:
            self.action_new_conversation()
        self.notify("conversation deleted")
        self.refresh_list()

    def action_toggle_list(self) -> None:
        """Show or hide the conversation list."""
        self.query_one("#sidebar").toggle_class("-hidden")

    # -- answering --------------------------------------------------------------------

    @staticmethod
    def _bubble(role: str, text: str) -> Markdown:
        return Markdown(text, classes=role)

    def on_chat_input_submitted(self, event: ChatInput.Submitted) -> None:
        if self.answering:
            self.notify("an answer is still being written (Esc stops it)")
            return
        if self.thread_id is None:
            self.thread_id = self.conversations.new_id()
            self.query_one("#messages").remove_children()
        box = self.query_one("#messages", VerticalScroll)
        box.mount(self._bubble("user", event.text))
        answer = self._bubble("assistant", "")
        box.mount(answer)
        self.answering = True
        self.designing = self.conversations.designing(self.thread_id) or (
            event.text.lower().startswith("/design")
        )
        self.cancel = Cancellation()
        self._stream(self.thread_id, event.text, answer, self.cancel)

    def _stream(self, thread_id: str, text: str, answer: Markdown, cancel: Cancellation) -> None:
        stream = Markdown.get_stream(answer)
        tokens = self.redline.chat_tokens

        def job() -> None:
            try:
                for piece in self.conversations.answer(thread_id, text, cancel, tokens):
                    self.redline.from_thread(stream.write, piece)
            finally:
                self.redline.from_thread(finish)

        async def settle() -> None:
            """Show the answer as stored: a block the model began to repeat is cut there."""
            await stream.stop()
            messages = self.conversations.messages(thread_id)
            if messages and messages[-1]["role"] == "assistant":
                await answer.update(messages[-1]["content"])

        def finish() -> None:
            self.answering = self.designing = False
            self.run_worker(settle())
            self.refresh_list()

        label = "designing a prompt ..." if self.designing else "writing an answer ..."
        self.redline.background(job, label, group="chat")

    def action_stop(self) -> None:
        """Stop the answer being written (a prompt design step always finishes)."""
        if self.designing:
            self.notify("this design step finishes first; then /cancel stops the design")
        elif self.cancel is not None and self.answering:
            self.cancel.cancel()
