"""Widgets the screens share: the busy bar, the suggesting editor, dialogs."""
