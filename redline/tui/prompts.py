"""The Prompts screen: each task's prompt versions; activate, roll back, optimise, compare.

A version's prompt is shown as ``describe(from_body(body))`` and diffed against the
active one line by line, as `redline prompts diff` does. Optimising (SPO) and the
human pairwise comparison run the model, so they run in thread workers; the
comparison shows its pairs on a screen of its own and the user picks with 1, 2, =.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from redline.agent.prompt_report import diff_lines, evidence_lines, evidence_summary, prompt_text
from redline.agent.prompts import COMPLETION_TASK, OPTIMIZED_TASKS
from redline.predictors.base import Cancellation
from redline.tui.widgets.busy import BusyBar
from redline.tui.widgets.dialogs import Confirm
from redline.tui.widgets.nav import ScreenTabs

if TYPE_CHECKING:
    from redline.tui.app import RedlineApp

COLUMNS = (
    ("version", 12),
    ("active", 6),
    ("origin", 7),
    ("parent", 6),
    ("evidence", 16),
)
ACTIVE_MARK = "●"
DEFAULT_ROUNDS = 3
MAX_ROUNDS = 50
SHOWN_CHARS = 360  # of a comparison item's input
CSS = "prompts.tcss"


# -- words for versions ---------------------------------------------------------------


def ago(stamp: float, now: float | None = None) -> str:
    """How long ago ``stamp`` was, in rough words; a date once it is more than a week old."""
    seconds = max(0.0, (now or time.time()) - stamp)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d ago"
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d")


def diff_text(old: Any, new: Any) -> Text:
    """A unified diff of two versions' prompts, coloured like `redline prompts diff`."""
    text = Text()
    for line in diff_lines(old, new, context=1):
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        text.append(line + "\n", style=style)
    return text if text else Text("(the same prompt)\n", style="dim")


def version_detail(version: Any, active: Any | None) -> Text:
    """A version's header and evidence, its diff against the active version, its prompt."""
    state = "active" if version.active else "inactive"
    text = Text()
    text.append(version.label, style="bold")
    text.append(f" (id {version.id}, {state}, from {version.origin}, {ago(version.created)})\n")
    for line in evidence_lines(version):
        text.append(line + "\n", style="dim")
    if active is not None and version.id != active.id:
        text.append(f"\nagainst the active version ({active.label}):\n", style="bold")
        text.append_text(diff_text(active, version))
    text.append("\nprompt:\n", style="bold")
    text.append(prompt_text(version) + "\n")
    return text


def optimise_report(result: Any) -> Text:
    """What an optimisation run did, as `redline optimize` prints it."""
    text = Text()
    text.append(
        f"judged by {result.judge} on {result.sample} item(s), {result.held_out} held out;"
        f" {result.calls} model calls\n\n"
    )
    for r in result.rounds:
        verdict = "accepted" if r.decision.accepted else "rejected"
        text.append(f"round {r.number}: ", style="bold")
        text.append(verdict, style="green" if r.decision.accepted else "red")
        text.append(f" ({r.decision.describe()})\n  {r.change}\n")
    if not result.rounds:
        text.append("no variation of the prompt was left to try\n")
    text.append("\n")
    if result.version is None:
        text.append(f"No candidate beat {result.start.label}; it stays active.\n")
        return text
    if result.activated:
        text.append(f"{result.version.label} is now active", style="bold green")
        text.append(f": {result.gate.describe()} on held-out items. Roll back (r) undoes it.\n")
    elif result.gate is None:
        text.append(
            f"Stored {result.version.label}, not active: no item was held out to check"
            " it. Activate it (a) if you trust it.\n"
        )
    else:
        text.append(
            f"Stored {result.version.label}, not active: on held-out items"
            f" {result.gate.describe()}.\n"
        )
    text.append("\n")
    text.append_text(diff_text(result.start, result.version))
    return text


def duel_report(duel: Any, decision: Any, version: Any | None) -> Text:
    """What the user's picks decided."""
    text = Text()
    if version is not None:
        text.append(f"{version.label} is now active", style="bold green")
        text.append(f": it won your comparison ({decision.describe()}). Roll back (r) undoes it.")
        text.append("\n\n")
        text.append_text(diff_text(duel.incumbent, version))
    else:
        text.append("Nothing changed", style="bold")
        text.append(
            f": the candidate did not win more than half of the pairs"
            f" ({decision.describe()}); {duel.incumbent.label} stays active.\n"
        )
    return text


def shorten(text: str, limit: int, keep_end: bool) -> str:
    """``text`` cut to about ``limit`` characters at a space, marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if keep_end:
        tail = text[-limit:]
        return "…" + tail[tail.find(" ") + 1 :] if " " in tail else "…" + tail
    head = text[:limit]
    return (head[: head.rfind(" ")] if " " in head else head) + " …"


# -- screens ----------------------------------------------------------------------------


class Outcome(ModalScreen[None]):
    """The result of an optimisation or a comparison, scrollable; any of Esc, Enter, OK closes."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            with VerticalScroll():
                yield Static(self.body, id="outcome")
            with Horizontal():
                yield Button("OK", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss()


class CompareScreen(Screen[list[str] | None]):
    """The pairs of a duel one at a time; dismissed with the picks, or None when left early."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("1", "pick('left')", "Left better"),
        Binding("2", "pick('right')", "Right better"),
        Binding("equals_sign", "pick('same')", "Same"),
        Binding("backspace", "back", "Back"),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(self, duel: Any) -> None:
        super().__init__()
        self.duel = duel
        self.picks: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="compare-title", classes="title")
        yield Static(id="compare-shown")
        with Horizontal(id="compare-outputs"):
            with VerticalScroll(id="compare-left"):
                yield Static(id="left")
            with VerticalScroll(id="compare-right"):
                yield Static(id="right")
        yield Label("", id="compare-note", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Compare {self.duel.task} prompts"
        self.query_one("#compare-left").border_title = "1  left"
        self.query_one("#compare-right").border_title = "2  right"
        self.query_one("#compare-shown").border_title = "input"
        self._show()

    def _show(self) -> None:
        pair = self.duel.pairs[len(self.picks)]
        total = len(self.duel.pairs)
        what = "continuation" if self.duel.task == COMPLETION_TASK else "draft"
        self.query_one("#compare-title", Label).update(
            f"Pair {len(self.picks) + 1} of {total}: which {what} is better?"
        )
        keep_end = self.duel.task == COMPLETION_TASK
        self.query_one("#compare-shown", Static).update(
            Text(shorten(pair.shown, SHOWN_CHARS, keep_end))
        )
        self.query_one("#left", Static).update(Text(pair.left.text.strip() or "(nothing)"))
        self.query_one("#right", Static).update(Text(pair.right.text.strip() or "(nothing)"))
        same = pair.left.text.strip() == pair.right.text.strip()
        self.query_one("#compare-note", Label).update(
            "the two outputs are the same: = says so" if same else ""
        )

    def action_pick(self, pick: str) -> None:
        """Record the pick for this pair; after the last pair, hand the picks back."""
        self.picks.append(pick)
        if len(self.picks) == len(self.duel.pairs):
            self.dismiss(self.picks)
        else:
            self._show()

    def action_back(self) -> None:
        """Go back to the previous pair and pick again."""
        if self.picks:
            self.picks.pop()
            self._show()

    def action_leave(self) -> None:
        """Leave without deciding anything."""
        self.dismiss(None)


class PromptsScreen(Screen[None]):
    """A task's prompt versions with their evidence; activate, roll back, optimise, compare."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("t", "pick_task", "Task"),
        Binding("a", "activate", "Activate"),
        Binding("r", "rollback", "Roll back"),
        Binding("o", "optimise", "Optimise"),
        Binding("c", "compare", "Compare"),
        Binding("escape", "stop", "Stop", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.versions: list[Any] = []
        self.running = ""  # "optimising" or "comparing" while the model works
        self.last_result: Any = None  # the last optimisation's or comparison's result
        self._waiting: list[tuple[Screen[Any], Callable[[Any], Any] | None]] = []
        self._cancel: Cancellation | None = None

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    @property
    def table(self) -> DataTable:
        return self.query_one("#versions", DataTable)

    @property
    def task(self) -> str:
        value = self.query_one("#task", Select).value
        return value if isinstance(value, str) else COMPLETION_TASK

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScreenTabs("prompts")
        yield BusyBar()
        with Horizontal(id="prompt-controls"):
            yield Label("task")
            yield Select(
                [(task, task) for task in OPTIMIZED_TASKS],
                value=COMPLETION_TASK,
                allow_blank=False,
                compact=True,
                id="task",
            )
            yield Label("rounds")
            yield Input(
                str(DEFAULT_ROUNDS), type="integer", max_length=2, compact=True, id="rounds"
            )
        with Horizontal(id="prompt-progress"):
            yield Label("", id="progress-what")
            yield ProgressBar(total=None, show_eta=False, id="progress")
        yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="version-detail"):
            yield Static("", id="version")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Prompts"
        for name, width in COLUMNS:
            self.table.add_column(name, width=width, key=name)
        self.table.add_column("created", key="created")
        self.query_one("#prompt-progress").display = False
        self.table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.sub_title = "Prompts"
        if self._waiting:
            screen, callback = self._waiting.pop(0)
            self.app.push_screen(screen, callback)
        else:
            self.action_reload()

    # -- the versions ------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the task's versions again."""
        task, prompts = self.task, self.redline.assistant.prompts
        self.redline.background(
            lambda: (task, prompts.list(task)),
            done=self._loaded,
            group="prompt-versions",
            exclusive=True,
        )

    def _loaded(self, found: tuple[str, list[Any]]) -> None:
        task, versions = found
        if task != self.task:
            return
        selected = self.current()
        self.versions = versions
        numbers = {v.id: f"v{v.number}" for v in versions}
        self.table.clear()
        for v in versions:
            self.table.add_row(
                v.label,
                ACTIVE_MARK if v.active else "",
                v.origin,
                numbers.get(v.parent_id, "-") if v.parent_id else "-",
                evidence_summary(v),
                ago(v.created),
                key=str(v.id),
            )
        ids = [v.id for v in versions]
        if selected is not None and selected.id in ids:
            row = ids.index(selected.id)
        else:
            row = next((i for i, v in enumerate(versions) if v.active), 0)
        self.table.move_cursor(row=row)
        self._detail()

    def active(self) -> Any | None:
        """The task's active version, as last read."""
        return next((v for v in self.versions if v.active), None)

    def current(self) -> Any | None:
        """The highlighted version."""
        row = self.table.cursor_row
        return self.versions[row] if self.versions and 0 <= row < len(self.versions) else None

    def _detail(self) -> None:
        version = self.current()
        shown = version_detail(version, self.active()) if version else Text("no versions")
        self.query_one("#version", Static).update(shown)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.versions = []
        self.table.clear()
        self.action_reload()
        self.table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def action_pick_task(self) -> None:
        """Choose another task."""
        select = self.query_one("#task", Select)
        select.focus()
        select.expanded = True

    # -- activate and roll back --------------------------------------------------------

    def _then_reload(self, job: Callable[[], Any], label: str, note: Callable[[Any], str]) -> None:
        def done(result: Any) -> None:
            self.notify(note(result))
            self.action_reload()

        self.redline.background(job, label, done=done)

    def action_activate(self) -> None:
        """Use the highlighted version from now on, after asking."""
        version, active = self.current(), self.active()
        if version is None:
            return
        if version.active:
            self.notify(f"{version.label} is already active")
            return
        prompts = self.redline.assistant.prompts
        instead = f" instead of {active.label}" if active else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._then_reload(
                    lambda: prompts.activate(version.id, "activated by hand"),
                    "activating ...",
                    lambda v: f"{v.label} is active; roll back (r) undoes it",
                )

        self.app.push_screen(Confirm(f"Use {version.label}{instead}?"), confirmed)

    def action_rollback(self) -> None:
        """Go back to the version that was active before the last activation, after asking."""
        task, active = self.task, self.active()
        prompts = self.redline.assistant.prompts
        previous = prompts.previous(task)
        if previous is None:
            self.notify(f"{task} has no earlier version to roll back to", severity="warning")
            return
        now = f" ({active.label} is active)" if active else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._then_reload(
                    lambda: prompts.rollback(task),
                    "rolling back ...",
                    lambda v: f"{v.label} is active again",
                )

        self.app.push_screen(
            Confirm(f"Roll the {task} prompt back to {previous.label}{now}?"), confirmed
        )

    # -- optimise and compare (the model) ----------------------------------------------

    def _free(self) -> bool:
        if self.running:
            self.notify(f"wait: {self.running} is still running", severity="warning")
        return not self.running

    def _present(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> None:
        """Show ``screen`` now if this screen is in front, else when the user comes back."""
        if self.is_current:
            self.app.push_screen(screen, callback)
        else:
            self._waiting.append((screen, callback))
            self.notify("the prompts result is ready: F5 shows it")

    def _rounds(self) -> int | None:
        value = self.query_one("#rounds", Input).value.strip()
        rounds = int(value) if value.isdigit() else 0
        if not 1 <= rounds <= MAX_ROUNDS:
            self.notify(f"rounds: a number from 1 to {MAX_ROUNDS}", severity="warning")
            return None
        return rounds

    def action_optimise(self) -> None:
        """Look for a better prompt for the task on your own writing (SPO), with progress."""
        rounds = self._rounds()
        if rounds is None or not self._free():
            return
        task, assistant = self.task, self.redline.assistant
        self.running = "optimising"
        self._progress(f"optimising the {task} prompt: loading ...", 0, None)
        self.query_one("#prompt-progress").display = True

        def progress(what: str, done: int, total: int) -> None:
            self.redline.from_thread(self._progress, what, done, total)

        self._cancel = cancel = Cancellation()

        def job() -> Any:
            try:
                return assistant.optimize(task, rounds=rounds, progress=progress, cancel=cancel)
            finally:
                self.redline.from_thread(self._idle)

        self.redline.background(job, done=self._optimised, group="prompt-model")

    def action_stop(self) -> None:
        """Stop an optimisation after its current round (what it found is kept, inactive)."""
        if self.running == "optimising" and self._cancel is not None:
            self._cancel.cancel()
            self._progress("stopping after this round ...", 0, None)

    def _progress(self, what: str, done: int, total: int | None) -> None:
        self.query_one("#progress-what", Label).update(what)
        self.query_one("#progress", ProgressBar).update(total=total, progress=done)

    def _idle(self) -> None:
        self.running = ""
        self.query_one("#prompt-progress").display = False

    def _optimised(self, result: Any) -> None:
        self.last_result = result
        if result.activated:
            self.notify(f"{result.version.label} is now active")
        elif result.version is not None:
            self.notify(f"stored {result.version.label}, not active")
        else:
            self.notify(f"{result.start.label} stays active")
        self.action_reload()
        self._present(Outcome(f"Optimised the {result.task} prompt", optimise_report(result)))

    def action_compare(self) -> None:
        """Compare the highlighted version (or a new variation) with the active one yourself."""
        if not self._free():
            return
        task, assistant, version = self.task, self.redline.assistant, self.current()
        candidate = version.id if version is not None and not version.active else None
        self.running = "comparing"

        def job() -> Any:
            try:
                return assistant.prompt_duel(task, version_id=candidate)
            finally:
                self.redline.from_thread(setattr, self, "running", "")

        self.redline.background(
            job,
            "running both prompts on your writing ...",
            done=self._compare,
            group="prompt-model",
        )

    def _compare(self, duel: Any) -> None:
        def picked(picks: list[str] | None) -> None:
            if picks is None:
                self.notify("left the comparison: nothing changed")
                return
            assistant = self.redline.assistant
            self.redline.background(
                lambda: assistant.settle_prompt_duel(duel, picks),
                "deciding ...",
                done=lambda settled: self._settled(duel, *settled),
            )

        self._present(CompareScreen(duel), picked)

    def _settled(self, duel: Any, decision: Any, version: Any | None) -> None:
        self.last_result = (decision, version)
        self.notify(f"{version.label} is now active" if version else "nothing changed")
        self.action_reload()
        self._present(
            Outcome(f"Your comparison of {duel.task} prompts", duel_report(duel, decision, version))
        )
