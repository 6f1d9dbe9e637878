"""Drafts and learning through the Assistant, with the real embedded model and stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline import Assistant, Draft, Learned
from redline.errors import InputError
from redline.style.shape import parse, split_sentences
from tests.documents import NEWS, RECIPE


def labelled_list(draft: Draft) -> str:
    """A user's edit: "TL;DR:" on its own line, then one sentence per bullet."""
    return "TL;DR:\n" + "\n".join(f"- {s}" for s in split_sentences(parse(draft.text).body))


def test_two_consistent_edits_back_each_rule_twice(taught: Path) -> None:
    with Assistant(data_dir=taught) as assistant:
        support = {p.rule.kind: p.support for p in assistant.preferences.list()}
    assert support == {"label": 2, "bullets": 2}


@pytest.fixture(scope="module")
def taught(tmp_path_factory) -> Path:
    """A data dir whose user twice turned a news summary into a list behind "TL;DR:"."""
    data_dir = tmp_path_factory.mktemp("taught")
    with Assistant(data_dir=data_dir) as assistant:
        drafts = [assistant.draft(source) for source in NEWS[:2]]
        for draft in drafts:
            learned = assistant.learn(draft, labelled_list(draft))
            assert isinstance(learned, Learned) and learned.skipped is None
            assert 'Start the main text with "TL;DR:".' in learned.preference
            assert {rule.kind for rule in learned.rules} == {"label", "bullets"}
    return data_dir


def test_rules_from_two_consistent_edits_shape_a_new_similar_document(taught: Path) -> None:
    with Assistant(data_dir=taught) as assistant:
        draft = assistant.draft(NEWS[2])
        assert draft.text.startswith("TL;DR:\n- ")
        assert all(line.startswith("- ") for line in parse(draft.text).body.split("\n"))
        assert "TL;DR:" in draft.preference and "bulleted list" in draft.preference
        assert draft.id == 3
        kept = assistant.learn(draft, draft.text)  # accepted as it is: both rules confirmed
        assert kept.skipped == "the draft was kept as it is"
        assert {p.support for p in assistant.preferences.list()} == {3}


def test_unrelated_document_is_drafted_without_them(taught: Path) -> None:
    with Assistant(data_dir=taught) as assistant:
        draft = assistant.draft(RECIPE, task="email")
    assert draft.preference is None
    assert "TL;DR" not in draft.text


def test_no_learning_mode_neither_retrieves_nor_learns(taught: Path) -> None:
    with Assistant(data_dir=taught, learning=False) as assistant:
        before = assistant.preferences.list()
        draft = assistant.draft(NEWS[2])
        assert draft.preference is None and not draft.text.startswith("TL;DR:")
        learned = assistant.learn(draft, "Summary: " + draft.text)
        assert learned.skipped == "learning is off"
        assert [p.to_json() for p in assistant.preferences.list()] == [p.to_json() for p in before]


def test_oracle_preference_replaces_retrieval_and_is_enforced(taught: Path) -> None:
    preference = 'Begin the main text with "Summary:". Keep it to at most 1 sentence.'
    with Assistant(data_dir=taught, learning=False) as assistant:
        draft = assistant.draft(NEWS[2], preference=preference)
    assert draft.preference == preference
    assert draft.text.startswith("Summary:") and "TL;DR" not in draft.text
    assert len(split_sentences(parse(draft.text).body)) == 1


def test_email_draft_is_about_its_notes(data_dir: Path) -> None:
    notes = "team offsite:\n- Thursday 9am, boathouse\n- bring laptops\n- lunch is provided"
    with Assistant(data_dir=data_dir) as assistant:
        draft = assistant.draft(notes, task="email")
    assert draft.task == "email" and draft.origin in ("model", "extract")
    assert any(word in draft.text.lower() for word in ("offsite", "boathouse", "laptop"))


def test_drafts_say_no_sentence_twice(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        drafts = [assistant.draft(source, task=task) for source in (NEWS[0], RECIPE)
                  for task in ("summarize", "email", "continue")]  # fmt: skip
    for draft in drafts:
        sentences = [" ".join(s.lower().split()) for s in split_sentences(draft.text)]
        long = [s for s in sentences if len(s.split()) >= 3]
        assert len(long) == len(set(long)), draft.text


def test_trivial_and_empty_edits_teach_nothing(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        draft = assistant.draft(NEWS[0])
        assert assistant.learn(draft, draft.text).skipped == "the draft was kept as it is"
        assert "empty" in assistant.learn(draft, "  ").skipped
        assert assistant.learn(draft, draft.text.replace(" ", "  ")).skipped == (
            "only whitespace changed"
        )
        assert assistant.preferences.list() == []


def test_bad_input_is_refused_with_a_message(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        with pytest.raises(InputError, match="at most 200,000"):
            assistant.draft("word " * 1_000_000)
        with pytest.raises(InputError, match="empty"):
            assistant.draft("   ")
        with pytest.raises(InputError, match="no draft 99"):
            assistant.learn(99, "text")
        draft = assistant.draft(NEWS[1])
        with pytest.raises(InputError, match="edited text"):
            assistant.learn(draft, b"bytes")  # type: ignore[arg-type]


def test_an_accepted_suggestion_edited_later_teaches_like_a_draft(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        draft = assistant.remember_suggestion(" missed anything.", before="Shout if I")
        learned = assistant.learn(draft, " missed everything.")
    assert learned.preference == 'Write "everything" instead of "anything".'
