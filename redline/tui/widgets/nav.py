"""The line of screen names under the header: shows where you are; click or F2-F5 to switch."""

from __future__ import annotations

from textual.widgets import Static

SCREENS = (
    ("chat", "F2 Chat"),
    ("write", "F3 Write"),
    ("preferences", "F4 Preferences"),
    ("prompts", "F5 Prompts"),
)


class ScreenTabs(Static):
    """The app's screens as clickable names, the current one highlighted."""

    DEFAULT_CSS = """
    ScreenTabs { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, current: str) -> None:
        names = [
            f"[reverse] {label} [/]"
            if mode == current
            else f"[@click=app.switch_mode('{mode}')] {label} [/]"
            for mode, label in SCREENS
        ]
        super().__init__("  ".join(names))
