"""The help screen: what each screen does and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# redline

| key | everywhere |
| --- | --- |
| F1 | this help |
| F2 / F3 / F4 / F5 | Chat / Write / Preferences / Prompts |
| Ctrl+P | command palette |
| Ctrl+Q | quit |

**Chat** (F2): Enter sends, Ctrl+J starts a new line, Esc stops an answer,
Ctrl+N starts a new chat, Ctrl+L shows or hides the list of chats; in the
list, Enter opens a chat and Delete removes it. `/summarize`, `/rewrite`,
`/email` or `/continue` followed by a text drafts from it (without a text:
from your previous message), shaped by your preferences. `/design` followed
by what you write designs a completion prompt with you: answer its
questions, see it tested on your own writing, then accept or change it;
`/cancel` stops.

**Write** (F3): suggestions appear as grey text when you pause at the end of
a line: Tab accepts, Esc dismisses, typing the same letters keeps it.
Ctrl+T drafts from the selection or the whole text (summarize, rewrite,
email, continue, or your own instruction), Ctrl+R rewrites it, Ctrl+S saves
and remembers your writing, Ctrl+G turns suggestions off or on.

**Draft review**: edit the draft, then Ctrl+S: redline shows your edit as a
diff and what it learned. *Keep* it, *Correct* its words, or *Discard* it;
the draft goes into your text. Esc drops the draft.

**Preferences** (F4): / searches, E edits, Space disables or enables,
Delete removes, N adds one in your words, Ctrl+E exports to JSON.

**Prompts** (F5): T picks a task; the table lists its prompt versions with
their evidence, and the highlighted one shows its prompt and its diff
against the active one. A activates it, R rolls back, O optimises on your
writing (rounds in the box above; Esc stops after the current round),
C compares two prompts yourself: 1 left, 2 right, = same, Backspace back,
Esc leaves.

Press Esc to close this help.
"""


class HelpScreen(ModalScreen[None]):
    """The key bindings and what each screen does."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)
