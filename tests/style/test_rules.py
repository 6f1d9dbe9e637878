"""Rules: each one rewrites as described, is idempotent, and reads back from its description."""

from __future__ import annotations

import pytest

from redline.style.rule_text import rules_from_text
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
    apply_rules,
    make_rule,
)
from redline.style.shape import edit_distance, parse, split_sentences

EMAIL = (
    "Hello,\n\nThe color of the new center is great! We will utilize it in order to organize "
    "the talks. It's been a long year, and I'd better say thanks to Ana, Bo and Cy. "
    "Dr. Lee arrives at 9 a.m. on Friday.\n\nThanks,\nRavi"
)

CASES = [
    (LexiconMap("en-GB"), "The colour of the new centre", "organized", "organised"),
    (NoContractions(), "It has been a long year", "I'd better", "I had better"),
    (LexiconMap("plain-english"), "use it to organize", "commence", "start"),
    (MapMark("!"), "is great.", "Wow!", "Wow."),
    (SerialComma(), "Ana, Bo, and Cy", "red, green or blue", "red, green, or blue"),
    (Replace("talks", "sessions"), "organize the sessions", "Talks", "Sessions"),
]


@pytest.mark.parametrize(("rule", "expected_in_email", "before", "after"), CASES)
def test_word_rules(rule, expected_in_email: str, before: str, after: str) -> None:
    assert expected_in_email in rule.apply(EMAIL)
    assert rule.apply(before) == after
    assert rule.apply(rule.apply(EMAIL)) == rule.apply(EMAIL)


def test_serial_comma_leaves_an_introductory_phrase_alone() -> None:
    assert SerialComma().apply("After lunch, Sam and I left.") == "After lunch, Sam and I left."


def test_frame_rules_reshape_greeting_label_list_length_and_signoff() -> None:
    rules = [Greeting("Hi team,"), Label("TL;DR:"), Bullets(), KeepFirst(2)]
    rules.append(Signoff(["Best,", "Sam"]))
    out = apply_rules(EMAIL, rules)
    assert out.startswith("Hi team,\n\nTL;DR:\n- The color of the new center is great!\n- We will")
    assert out.endswith("the talks.\n\nBest,\nSam")
    assert apply_rules(out, rules) == out


def test_sentences_keep_abbreviations_initials_and_decimals() -> None:
    assert split_sentences("Dr. Lee paid 4.5 euros at 9 a.m. today. J. Smith agreed.") == [
        "Dr. Lee paid 4.5 euros at 9 a.m. today.",
        "J. Smith agreed.",
    ]


def test_a_heading_above_a_list_is_not_a_label_and_stays_a_heading() -> None:
    notes = "Hiring update:\n- Backend role is open.\nFrontend role is slow."
    assert parse(notes).label is None
    assert (
        Bullets().apply(notes)
        == "Hiring update:\n- Backend role is open.\n- Frontend role is slow."
    )


def test_an_unusual_label_before_a_list_is_applied_once() -> None:
    rules = [Label("Résumé:"), Bullets()]
    once = apply_rules("One thing. Two things.", rules)
    assert once == "Résumé:\n- One thing.\n- Two things."
    assert apply_rules(once, rules) == once


def test_shape_finds_greeting_label_and_signoff_with_name() -> None:
    shape = parse("Hi all,\n\nSummary: it went well.\n\nKind regards,\nAna Lopez")
    assert (shape.greeting, shape.label, shape.body) == ("Hi all,", "Summary:", "it went well.")
    assert shape.signoff == ("Kind regards,", "Ana Lopez")


def test_edit_distance_counts_words_and_marks_not_whitespace() -> None:
    assert edit_distance("I don't know!", "I  do not\nknow.") == 4
    assert edit_distance("a b", "a\n\nb") == 0


ALL = [
    LexiconMap("en-GB"), Bullets(), Greeting("Dear Ana,"), Label("Verdict:"), KeepFirst(1),
    NoContractions(), MapMark("!"), LexiconMap("plain-english"), Replace("kids", "children"),
    SerialComma(),
    Signoff(["Cheers,", "Alex"]), Signoff(["Best wishes,"]),
]  # fmt: skip


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.kind)
def test_description_reads_back_as_the_same_rule(rule) -> None:
    assert rules_from_text(rule.describe()) == ([rule], [])
    assert make_rule(rule.spec()) == rule


def test_preference_in_other_words_becomes_rules_and_the_rest_stays_text() -> None:
    rules, rest = rules_from_text(
        'Keep it to at most three sentences. Begin the main text with "In short:". '
        'Sound warm. End with the sign-off "Best," and the name "Sam" on the line below.'
    )
    assert rules == [KeepFirst(3), Label("In short:"), Signoff(["Best,", "Sam"])]
    assert rest == ["Sound warm."]


def test_unknown_rule_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown rule kind 'shout'"):
        make_rule({"kind": "shout"})


def test_generic_operations_cover_other_marks_units_and_lists() -> None:
    assert MapMark(";").apply("We ship; they test. See TL;DR below.") == (
        "We ship. they test. See TL;DR below."
    )
    assert MapMark(";").describe() == "Do not use semicolons."
    two = KeepFirst(2, "paragraph")
    assert two.apply("One.\n\nTwo.\nStill two.\n\nThree.") == "One.\n\nTwo.\nStill two."
    assert rules_from_text(two.describe())[0] == [two]
    assert LexiconMap("en-GB").apply("We centered the color.") == "We centred the colour."
