"""Preferences of shapes no code names, learned from two edits and used for a third document.

Real stores, the real embedder and the learn flow through the Assistant; the
drafts are texts the user accepted and then edited (``remember_suggestion``),
so each test knows exactly what was drafted.
"""

from __future__ import annotations

from pathlib import Path

from redline import Assistant

SOURCES = [
    "Notes for the lab: the freezer audit is due, the new pipettes arrived, Ana leads the review.",
    "Notes for the lab: the centrifuge service is booked, Omar orders gloves, the review moves.",
    "Notes for the lab: the cold room is cleaned, Ravi checks the stock, the audit is planned.",
]


def teach(assistant: Assistant, source: str, draft: str, edited: str) -> list[str]:
    """The user edits a drafted text; returns the descriptions of what was learned."""
    record = assistant.remember_suggestion(draft, before=source, task="email")
    learned = assistant.learn(record, edited)
    assert learned.skipped is None
    return [rule.describe() for rule in learned.rules]


def rules_for(assistant: Assistant, source: str) -> list:
    """The rules the draft flow would apply to a new document (retrieval and vote)."""
    return assistant.preferences.aggregate(assistant.preferences.context("email", source)).rules


def apply_all(rules: list, text: str) -> str:
    for rule in rules:
        text = rule.apply(text)
    return text


def test_dates_reordered_in_two_edits_are_reordered_in_a_third_document(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        first = teach(
            assistant,
            SOURCES[0],
            "The freezer audit is due on 04/03/2025, so please label your boxes.",
            "The freezer audit is due on 2025-03-04, so please label your boxes.",
        )
        assert first == ['Write "04/03/2025" as "2025-03-04".']  # one change: a literal
        second = teach(
            assistant,
            SOURCES[1],
            "The centrifuge service is booked for 17/06/2024 and gloves are ordered.",
            "The centrifuge service is booked for 2024-06-17 and gloves are ordered.",
        )
        assert len(second) == 1 and "{a number 3}-{a number 2}-{a number 1}" in second[0]
        (general,) = assistant.preferences.list(status="active")
        assert general.support == 2  # both documents back it; the literal is superseded
        (literal,) = assistant.preferences.list(status="superseded")
        assert literal.superseded_by == general.id
        rules = rules_for(assistant, SOURCES[2])
        assert apply_all(rules, "Stock check on 09/12/2025, cleaning on 10/12/2025.") == (
            "Stock check on 2025-12-09, cleaning on 2025-12-10."
        )


def teach_backticks(assistant: Assistant, second_draft: str) -> None:
    """Two edits that wrap a tool's name in backticks: Benchling, then Quartzy."""
    teach(
        assistant,
        SOURCES[0],
        "We log the audit in Benchling and the results go to the shared drive.",
        "We log the audit in `Benchling` and the results go to the shared drive.",
    )
    teach(assistant, SOURCES[1], second_draft, second_draft.replace("Quartzy", "`Quartzy`"))


def test_names_wrapped_in_backticks_are_wrapped_where_the_edits_allow(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        teach_backticks(
            assistant, "Omar orders gloves through Quartzy and the review moves to next week."
        )
        rules = rules_for(assistant, SOURCES[2])
        assert apply_all(rules, "Ravi checks the stock in Labguru and reports.") == (
            "Ravi checks the stock in `Labguru` and reports."
        )
        assert apply_all(rules, "Ravi checks it.") == "Ravi checks it."  # sentence starts stay


def test_a_word_of_the_class_left_alone_blocks_the_generalisation(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        # the user wrapped Quartzy but left Ana as she is: names are not the class
        teach_backticks(
            assistant, "Omar orders gloves through Quartzy and the review goes to Ana and Omar."
        )
        stored = assistant.preferences.list()
        assert sorted(p.rule.describe() for p in stored) == [
            'Write "Benchling" as "`Benchling`".',
            'Write "Quartzy" as "`Quartzy`".',
        ]
        assert {p.status for p in stored} == {"active"}


def test_a_compound_hyphenated_once_is_a_literal_rule_that_keeps_case(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        learned = teach(
            assistant,
            SOURCES[0],
            "Please follow up with Ana after the audit.",
            "Please follow-up with Ana after the audit.",
        )
        assert learned == ['Write "follow up" as "follow-up".']
        (preference,) = assistant.preferences.list()
        assert preference.rule.apply("Follow up on the gloves.") == "Follow-up on the gloves."


def test_an_edit_that_replaces_everything_teaches_nothing_and_says_so(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        record = assistant.remember_suggestion(
            "Please follow up with Ana after the audit.", before=SOURCES[0], task="email"
        )
        learned = assistant.learn(
            record, "Audit moved. Ask Omar about the gloves before Friday; Ravi has the keys."
        )
        assert learned.skipped.startswith("the edit replaced the draft")
        assert assistant.preferences.list() == []


def test_an_edit_of_200000_characters_teaches_nothing_and_says_so(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        draft = "Please follow up with Ana after the audit. " * 4_650
        record = assistant.remember_suggestion(draft, before=SOURCES[0], task="email")
        learned = assistant.learn(record, draft.replace("follow up", "follow-up"))
        assert "at most 20,000" in learned.skipped
        assert assistant.preferences.list() == []
