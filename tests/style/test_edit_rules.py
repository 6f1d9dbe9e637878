"""Rules read off an edit: found in the diff, kept only when replaying them helps."""

from __future__ import annotations

from redline.style.edit_rules import residual, verified_rules
from redline.style.rules import (
    Bullets,
    Greeting,
    KeepFirst,
    Label,
    LexiconMap,
    MapMark,
    NoContractions,
    Replace,
    SerialComma,
    Signoff,
)

DRAFT = (
    "The council approved the plan on Monday. Work will commence in April! It's expected to "
    "take a year. Critics say the color scheme is dull. Shops, cafes and bars will stay open."
)


def learned(draft: str, edited: str) -> list:
    return verified_rules(draft, edited)


def test_frame_changes_are_found() -> None:
    edited = (
        "Hi team,\n\nTL;DR:\n- The council approved the plan on Monday.\n"
        "- Work will commence in April!\n\nBest,\nSam"
    )
    rules = learned(DRAFT, edited)
    for rule in (Greeting("Hi team,"), Label("TL;DR:"), Bullets(), KeepFirst(2)):
        assert rule in rules
    assert Signoff(["Best,", "Sam"]) in rules
    assert residual(DRAFT, edited, rules) == 0


def test_word_changes_become_families_or_word_pairs() -> None:
    edited = (
        "The council approved the plan on Monday. Work will start in April. It is expected to "
        "take a year. Critics say the colour scheme is drab. Shops, cafes, and bars will stay open."
    )
    rules = learned(DRAFT, edited)
    for rule in (
        LexiconMap("plain-english"),
        MapMark("!"),
        NoContractions(),
        LexiconMap("en-GB"),
        SerialComma(),
    ):
        assert rule in rules
    assert Replace("dull", "drab") in rules
    assert residual(DRAFT, edited, rules) == 0


def test_a_cut_in_the_middle_is_not_a_length_limit() -> None:
    sentences = DRAFT.split(". ")
    edited = ". ".join(sentences[:1] + sentences[2:])
    assert not any(isinstance(rule, KeepFirst) for rule in learned(DRAFT, edited))


def test_a_candidate_that_does_not_help_is_dropped() -> None:
    # The user fixed one American spelling but kept another: British spelling as a whole
    # would undo what they kept, so only the word pair is learned.
    draft = "The color of the center stays."
    edited = "The colour of the center stays."
    rules = learned(draft, edited)
    assert LexiconMap("en-GB") not in rules
    assert Replace("color", "colour") in rules
