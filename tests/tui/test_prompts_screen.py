"""Prompts: versions per task, activate and roll back, a human comparison, an optimisation run.

Real parts throughout: the embedded model, the SQLite store, the Textual pilot.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, ProgressBar, Select, Static
from tui_support import make_app, showing, wait_for

from redline.agent.prompts import BUILTIN, to_body, with_changes
from redline.tui.prompts import ACTIVE_MARK, CompareScreen, Outcome, PromptsScreen
from redline.tui.widgets.dialogs import Confirm

PARAGRAPHS = (
    "The lab meeting moves to Thursday this week because the freezer repair takes the whole "
    "of Wednesday morning.",
    "Please label every sample box with the date and your initials before it goes into the "
    "cold room.",
    "I ordered more pipette tips and gloves; they should arrive on Monday, so hold off on "
    "borrowing from next door.",
    "Our seminar speaker cancelled, so we will use the slot to go through the new safety "
    "rules together.",
    "Thanks to everyone who helped with the move. The new bench space is bigger and the "
    "light is much better.",
)


# A candidate that differs visibly: a noisy header and none of the user's writing.
NOISY = to_body(
    with_changes(
        BUILTIN["complete"], template="1 2 3 4 5 6 7 8 9 10\n{examples}{prefix}", context_chars=0
    )
)


def texts(screen: PromptsScreen) -> list[tuple[str, str, str]]:
    """Each table row's version, active marker and origin."""
    table = screen.query_one("#versions", DataTable)
    return [tuple(table.get_row_at(row)[:3]) for row in range(table.row_count)]


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def shown(screen) -> str:
    return str(screen.query_one("#version", Static).render())


async def test_lists_builtin_versions_per_task_and_reports_errors(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, PromptsScreen)
        await wait_for(pilot, lambda: texts(screen) == [("complete v1", ACTIVE_MARK, "builtin")])
        assert "{examples}{prefix}" in shown(screen)

        await pilot.press("t")  # the task list opens on "complete"; email is two down
        await pilot.press("down", "down", "enter")
        assert screen.query_one("#task", Select).value == "email"
        await wait_for(pilot, lambda: texts(screen) == [("email v1", ACTIVE_MARK, "builtin")])
        assert "Write a short email to the team" in shown(screen)
        assert screen.query_one("#versions", DataTable).has_focus

        await pilot.press("r")  # nothing to roll back to: said at once, no dialog
        await wait_for(pilot, lambda: "no earlier version" in notes(app))
        assert app.screen is screen
        assert app.assistant.prompts.active("email").number == 1

        await pilot.press("c")  # no drafts yet: nothing to compare on
        await wait_for(pilot, lambda: "no history" in notes(app), 120)
        assert app.screen is screen and not screen.running


async def test_activate_a_stored_version_then_roll_back(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    prompts = app.assistant.prompts
    v1 = prompts.active("complete")
    body = to_body(with_changes(BUILTIN["complete"], order="best_first", context_chars=1200))
    v2 = prompts.add("complete", body, v1.id, "user")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        await wait_for(pilot, lambda: len(texts(screen)) == 2)
        assert texts(screen) == [
            ("complete v1", ACTIVE_MARK, "builtin"),
            ("complete v2", "", "user"),
        ]
        await pilot.press("down")
        detail = shown(screen)
        assert "-order: 'best_last'" in detail and "+order: 'best_first'" in detail
        assert "+context_chars: 1200" in detail

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await pilot.pause()
        assert prompts.active_id("complete") == v1.id

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: prompts.active_id("complete") == v2.id)
        await wait_for(pilot, lambda: texts(screen)[1] == ("complete v2", ACTIVE_MARK, "user"))
        assert texts(screen)[0] == ("complete v1", "", "builtin")
        assert "complete v2 is active" in notes(app)
        assert "this is the active version" not in shown(screen)
        assert "inactive" not in shown(screen).splitlines()[0]

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: prompts.active_id("complete") == v1.id)
        await wait_for(pilot, lambda: texts(screen)[0] == ("complete v1", ACTIVE_MARK, "builtin"))
        assert [a.reason for a in prompts.activations("complete")][-1] == "rollback"


def comparing(app) -> bool:
    """Whether the comparison is on screen, its first pair shown."""
    return showing(app, CompareScreen)


async def observed(app, paragraphs=PARAGRAPHS) -> None:
    for text in paragraphs:
        app.assistant.observe_writing(text)


async def test_compare_candidate_chosen_on_every_pair_becomes_active(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    await observed(app)
    prompts = app.assistant.prompts
    noisy = prompts.add("complete", NOISY, prompts.active_id("complete"), "user")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        await wait_for(pilot, lambda: len(texts(screen)) == 2)
        await pilot.press("down", "c")  # compare the stored version with the active v1
        await wait_for(pilot, lambda: comparing(app), 300)
        compare = app.screen
        pairs = compare.duel.pairs
        assert 1 <= len(pairs) <= 4  # pairs where both prompts said the same are skipped
        assert compare.duel.candidate_id == noisy.id
        title = str(compare.query_one("#compare-title").render())
        assert title.startswith(f"Pair 1 of {len(pairs)}")
        left = str(compare.query_one("#left", Static).render())
        assert left == (pairs[0].left.text.strip() or "(nothing)")

        await pilot.press("2" if pairs[0].candidate_left else "1")  # against the candidate
        await pilot.press("backspace")  # changed my mind: pick the first pair again
        assert compare.picks == []
        for pair in pairs:
            await pilot.press("1" if pair.candidate_left else "2")
        await wait_for(pilot, lambda: isinstance(app.screen, Outcome), 60)
        assert "is now active" in str(app.screen.query_one("#outcome", Static).render())
        await pilot.press("escape")
        assert app.screen is screen

        assert prompts.active_id("complete") == noisy.id
        assert "chosen by you" in prompts.activations("complete")[-1].reason
        await wait_for(pilot, lambda: texts(screen)[-1] == ("complete v2", ACTIVE_MARK, "user"))


async def test_compare_left_early_or_judged_the_same_changes_nothing(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    await observed(app)
    prompts = app.assistant.prompts
    v1 = prompts.active("complete")
    v2 = prompts.add("complete", NOISY, v1.id, "user")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        await wait_for(pilot, lambda: len(texts(screen)) == 2)
        await pilot.press("down", "c")  # compare the stored v2 with the active v1
        await wait_for(pilot, lambda: comparing(app), 300)
        assert app.screen.duel.candidate_id == v2.id
        await pilot.press("1", "escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "left the comparison" in notes(app)

        await pilot.press("c")
        await wait_for(pilot, lambda: comparing(app), 300)
        for _ in app.screen.duel.pairs:
            await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, Outcome), 60)
        assert "Nothing changed" in str(app.screen.query_one("#outcome", Static).render())
        await pilot.press("enter")

        assert prompts.active_id("complete") == v1.id
        assert [v.id for v in prompts.list("complete")] == [v1.id, v2.id]
        assert len(prompts.activations("complete")) == 1


async def test_optimise_one_round_with_progress(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    await observed(app, PARAGRAPHS[:3])
    prompts = app.assistant.prompts
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        await wait_for(pilot, lambda: len(texts(screen)) == 1)
        await pilot.press("shift+tab")  # from the table back to the rounds box
        assert screen.query_one("#rounds", Input).has_focus
        await pilot.press("1", "enter")
        assert screen.query_one("#rounds", Input).value == "1"
        await pilot.press("o")
        assert screen.query_one("#prompt-progress").display
        await pilot.press("c")  # one model job at a time
        assert "still running" in notes(app)
        await wait_for(pilot, lambda: isinstance(app.screen, Outcome), 300)
        report = str(app.screen.query_one("#outcome", Static).render())
        await pilot.press("escape")

        result = screen.last_result
        assert len(result.rounds) == 1 and "round 1: " in report
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total == 1 and bar.progress == 1
        assert not screen.query_one("#prompt-progress").display
        versions = prompts.list("complete")
        await wait_for(pilot, lambda: len(texts(screen)) == len(versions))
        assert len(versions) == (2 if result.version else 1)
        assert prompts.active("complete").origin == ("spo" if result.activated else "builtin")
