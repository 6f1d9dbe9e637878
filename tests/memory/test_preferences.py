"""Preference memory: merging, the similarity-weighted vote, deletion, restarts, two processes."""

from __future__ import annotations

from pathlib import Path

import faiss
import pytest

from redline.errors import InputError
from redline.memory.preferences import PreferenceMemory
from redline.memory.store import Store
from redline.style.rules import KeepFirst, Label, MapMark
from tests.documents import NEWS, RECIPE, STORY


@pytest.fixture
def memory(store: Store, embedder) -> PreferenceMemory:
    return PreferenceMemory(store, embedder)


def learn_label(memory: PreferenceMemory, source: str, label: str = "TL;DR:") -> int:
    """Store a draft of ``source`` whose edit showed a label preference; returns its id."""
    context = memory.context("summarize", source)
    draft_id = memory.save_draft(context, source, "draft text", None, [])
    rule = Label(label)
    memory.record_edit(draft_id, f"{label} draft text", 4, [(rule.describe(), rule)], [], [])
    return draft_id


def test_same_rule_from_two_edits_is_one_preference_with_support_two(memory) -> None:
    learn_label(memory, NEWS[0])
    learn_label(memory, NEWS[1])
    (preference,) = memory.list()
    assert preference.rule == Label("TL;DR:")
    assert preference.support == 2 and len(preference.contexts) == 2


def test_preference_is_retrieved_for_similar_documents_only(memory) -> None:
    learn_label(memory, NEWS[0])
    learn_label(memory, NEWS[1])
    similar = memory.aggregate(memory.context("summarize", NEWS[2]))
    assert similar.rules == [Label("TL;DR:")]
    assert similar.text == 'Start the main text with "TL;DR:".'
    for unrelated in (RECIPE, STORY):
        assert memory.aggregate(memory.context("summarize", unrelated)).rules == []


def test_contexts_vote_so_a_minority_preference_is_left_out(memory) -> None:
    for source in NEWS[:2]:
        context = memory.context("summarize", source)
        draft_id = memory.save_draft(context, source, "x", None, [])
        rule = KeepFirst(2)
        memory.record_edit(draft_id, "y", 1, [(rule.describe(), rule)], [], [])
    learn_label(memory, NEWS[0] + " An update followed.")
    chosen = memory.aggregate(memory.context("summarize", NEWS[2]))
    assert KeepFirst(2) in chosen.rules and Label("TL;DR:") not in chosen.rules


def test_undone_preference_is_superseded_not_deleted(memory) -> None:
    learn_label(memory, NEWS[0])
    (old,) = memory.list()
    context = memory.context("summarize", NEWS[1])
    draft_id = memory.save_draft(context, NEWS[1], "TL;DR: x", old.text, [old.id])
    new = Label("Summary:")
    memory.record_edit(draft_id, "Summary: x", 2, [(new.describe(), new)], [], [old.id])
    statuses = {p.rule.params["text"]: p.status for p in memory.list()}
    assert statuses == {"TL;DR:": "superseded", "Summary:": "active"}
    assert memory.aggregate(memory.context("summarize", NEWS[2])).rules == [new]


def test_delete_removes_row_evidence_index_rows_and_rule(memory, store) -> None:
    learn_label(memory, NEWS[0])
    learn_label(memory, NEWS[1])
    (preference,) = memory.list()
    assert memory.index.sync().ntotal == 2
    memory.delete(preference.id)
    assert store.query("SELECT count(*) FROM preferences")[0][0] == 0
    assert store.query("SELECT count(*) FROM evidence")[0][0] == 0
    assert memory.index.sync().ntotal == 0
    assert faiss.read_index(str(memory.index.path)).ntotal == 0
    assert memory.aggregate(memory.context("summarize", NEWS[2])).rules == []
    with pytest.raises(InputError, match="no preference"):
        memory.get(preference.id)


def test_restart_keeps_preferences_and_retrieval(data_dir: Path, embedder) -> None:
    first = Store(data_dir)
    learn_label(PreferenceMemory(first, embedder), NEWS[0])
    first.close()
    second = Store(data_dir)
    again = PreferenceMemory(second, embedder)
    assert [p.rule for p in again.list()] == [Label("TL;DR:")]
    assert again.aggregate(again.context("summarize", NEWS[1])).rules == [Label("TL;DR:")]
    second.close()


def test_second_process_sees_what_the_first_learned(data_dir: Path, embedder) -> None:
    server, tui = Store(data_dir), Store(data_dir)
    server_memory, tui_memory = PreferenceMemory(server, embedder), PreferenceMemory(tui, embedder)
    assert tui_memory.aggregate(tui_memory.context("summarize", NEWS[2])).rules == []
    learn_label(server_memory, NEWS[0])
    assert tui_memory.aggregate(tui_memory.context("summarize", NEWS[2])).rules == [Label("TL;DR:")]
    (preference,) = tui_memory.list()
    tui_memory.delete(preference.id)
    assert server_memory.aggregate(server_memory.context("summarize", NEWS[2])).rules == []
    server.close()
    tui.close()


def test_disable_and_edit_change_what_is_used(memory) -> None:
    learn_label(memory, NEWS[0])
    (preference,) = memory.list()
    context = memory.context("summarize", NEWS[1])
    memory.set_status(preference.id, "disabled")
    assert memory.aggregate(context).rules == []
    memory.set_status(preference.id, "active")
    edited = memory.edit(preference.id, "Keep it to at most 2 sentences.")
    assert edited.rule == KeepFirst(2) and edited.origin == "user"
    assert memory.aggregate(context).rules == [KeepFirst(2)]
    with pytest.raises(InputError):
        memory.set_status(preference.id, "forgotten")


def test_written_preference_holds_everywhere(memory) -> None:
    added = memory.add("Do not use exclamation marks.")
    assert added.rule is not None and added.rule == MapMark("!")
    assert memory.aggregate(memory.context("email", RECIPE)).rules == [added.rule]


def test_export_then_import_into_an_empty_memory(memory, tmp_path: Path, embedder) -> None:
    learn_label(memory, NEWS[0])
    memory.add("Sound warm but brief.")
    exported = memory.export()
    other_store = Store(tmp_path / "other")
    other = PreferenceMemory(other_store, embedder)
    assert other.import_(exported) == 2
    assert other.import_(exported) == 0  # the same preferences again: merged
    assert sorted(p.text for p in other.list()) == sorted(p.text for p in memory.list())
    assert other.aggregate(other.context("summarize", NEWS[1])).rules == [Label("TL;DR:")]
    with pytest.raises(InputError, match="not a redline preferences export"):
        other.import_({"something": "else"})
    other_store.close()


def test_a_rule_of_a_type_no_longer_known_is_read_again_from_its_words(
    memory: PreferenceMemory, store: Store
) -> None:
    added = memory.add("Use at most 2 sentences.")
    with store.transaction() as conn:  # as an earlier version stored it
        old = '{"kind": "gone", "n": 2}'
        conn.execute("UPDATE preferences SET rule = ? WHERE id = ?", (old, added.id))
    assert memory.get(added.id).rule == KeepFirst(2)
