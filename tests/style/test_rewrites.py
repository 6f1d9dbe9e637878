"""Rewrites and wraps: rules of shapes no code names, read off edits and generalised."""

from __future__ import annotations

from redline.style.edit_rules import verified_rules, widen
from redline.style.rewrites import Rewrite, generalise, literal_rewrites
from redline.style.rule_text import rules_from_text
from redline.style.rules import KeepFirst, Split, Wrap, make_rule


def only_rewrite(draft: str, edited: str) -> Rewrite:
    (rule,) = verified_rules(draft, edited)
    assert isinstance(rule, Rewrite)
    return rule


def test_two_changes_of_one_shape_in_an_edit_become_a_class_rule() -> None:
    rule = only_rewrite(
        "Sales rose 25 percent of the total. Costs fell 40 percent.",
        "Sales rose 25% of the total. Costs fell 40%.",
    )
    assert rule.describe() == 'Write "{a number} percent" as "{a number}%".'
    assert rule.apply("It grew 7 percent, then 3.5 percent.") == "It grew 7%, then 3.5%."
    assert make_rule(rule.spec()) == rule


def test_one_change_stays_literal_and_keeps_the_case_it_meets() -> None:
    rule = only_rewrite("Please follow up with Ana.", "Please follow-up with Ana.")
    assert rule.literal and rule.describe() == 'Write "follow up" as "follow-up".'
    assert rule.apply("Follow up, then follow  up.") == "Follow-up, then follow-up."


def test_reordered_tokens_are_copies_and_anti_unify_into_classes() -> None:
    first, second = (
        next(r for r in literal_rewrites(old, new) if len(r.params["output"]) == 5)
        for old, new in (("04/03/2025", "2025-03-04"), ("17/06/2024", "2024-06-17"))
    )
    general = generalise(first, second)
    assert general.describe() == (
        'Write "{a number 1}/{a number 2}/{a number 3}" as '
        '"{a number 3}-{a number 2}-{a number 1}".'
    )
    assert general.apply("from 1/2/2026 to 3/4/2026") == "from 2026-2-1 to 2026-4-3"


def test_changes_to_different_constants_do_not_generalise() -> None:
    (three,) = literal_rewrites("three", "3")
    (four,) = literal_rewrites("four", "4")
    assert generalise(three, four) is None


def test_text_left_alone_blocks_a_generalisation_across_documents() -> None:
    before, after = "Log it in Benchling today.", "Log it in `Benchling` today."
    (benchling,) = verified_rules(before, after)
    past = [(1, benchling, [(before, after)])]
    draft = "Order through Quartzy and ask for Omar today."
    edited = "Order through `Quartzy` and ask for Omar today."  # Order and Omar left alone
    rules, widened = widen(verified_rules(draft, edited), draft, edited, past)
    assert rules == [Rewrite(["Quartzy"], [], ["`", [0, "same"], "`"])] and widened == {}
    draft, edited = "Order through Quartzy and ask.", "Order through `Quartzy` and ask."
    rules, widened = widen(verified_rules(draft, edited), draft, edited, past)
    assert widened == {1: rules[0]} and not rules[0].literal


def test_a_rewrite_applied_twice_changes_nothing_more() -> None:
    rule = only_rewrite("We use Slack daily.", "We use `Slack` daily.")
    once = rule.apply("Slack is down; Slack is back.")
    assert once == "`Slack` is down; `Slack` is back." and rule.apply(once) == once


def test_text_put_around_the_first_sentence_is_a_wrap_of_that_unit() -> None:
    draft = "Hey team,\n\nSales rose in May. Costs fell. We hired two people.\n\nBest,\nSam"
    edited = "Hey team,\n\n**Sales rose in May.** Costs fell. We hired two people.\n\nBest,\nSam"
    assert verified_rules(draft, edited) == [Wrap("sentence", "first", "**", "**")]
    rule = Wrap("sentence", "first", "**", "**")
    assert rule.describe() == 'Put "**" before and "**" after the first sentence of the main text.'
    other = rule.apply("Rain is due. Bring coats.")
    assert other == "**Rain is due.** Bring coats." and rule.apply(other) == other


def test_text_put_before_every_paragraph_is_a_wrap_of_every_paragraph() -> None:
    draft = "First point here.\n\nSecond point here.\n\nThird point here."
    edited = "> First point here.\n\n> Second point here.\n\n> Third point here."
    (rule,) = verified_rules(draft, edited)
    assert rule.params["which"] == "every" and rule.params["before"] == "> "
    assert rule.apply("One.\n\nTwo.") == "> One.\n\n> Two."


def test_paragraphs_cut_shorter_are_a_split_of_every_paragraph() -> None:
    draft = "One rose. Two fell. Three held. Four went.\n\nFive came. Six left. Seven ran."
    edited = "One rose. Two fell.\n\nThree held. Four went.\n\nFive came. Six left.\n\nSeven ran."
    assert verified_rules(draft, edited) == [Split(2)]
    assert Split(2).apply(edited) == edited
    cut = "One rose. Two fell.\n\nThree held. Four went."
    assert set(verified_rules(draft, cut)) == {KeepFirst(4), Split(2)}


def test_every_new_rule_reads_back_from_its_description() -> None:
    learned = [
        *verified_rules(
            "Costs fell 40 percent. Sales rose 25 percent.", "Costs fell 40%. Sales rose 25%."
        ),
        *verified_rules("It is done; we ship today.", "It is done. We ship today."),
        *verified_rules("Please follow up with Ana.", "Please follow-up with Ana."),
        Wrap("sentence", "first", "**", "**"),
        Wrap("paragraph", "every", before="> "),
        Split(2),
    ]
    for rule in learned:
        assert rules_from_text(rule.describe()) == ([rule], []), rule.describe()
