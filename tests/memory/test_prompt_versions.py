"""Prompt versions in the real store: append-only, activation as a log, rollback."""

from __future__ import annotations

import pytest

from redline.agent.prompts import BUILTIN, builtin_bodies, to_body, with_changes
from redline.errors import InputError
from redline.memory.prompt_versions import PromptVersions
from redline.memory.store import Store


def _versions(store: Store) -> PromptVersions:
    return PromptVersions(store, builtin_bodies())


def test_each_task_starts_at_its_builtin_version(store: Store) -> None:
    versions = _versions(store)
    first = versions.active("summarize")
    assert (first.number, first.origin, first.active) == (1, "builtin", True)
    assert first.body == to_body(BUILTIN["summarize"])
    assert [v.task for v in versions.list()] == sorted(builtin_bodies())


def test_activate_and_rollback_restore_the_previous_version(store: Store) -> None:
    versions = _versions(store)
    v1 = versions.active("complete")
    body = to_body(with_changes(BUILTIN["complete"], order="best_first"))
    v2 = versions.add("complete", body, v1.id, "spo", {"gate": {"win_rate": 0.8}})
    assert not v2.active and versions.active_id("complete") == v1.id
    versions.activate(v2.id, "test")
    assert versions.active("complete").id == v2.id
    assert versions.rollback("complete").id == v1.id
    assert versions.active_body("complete") == v1.body
    with pytest.raises(InputError, match="no earlier version"):
        versions.rollback("complete")  # v1 was first: a rollback of the rollback is refused
    # Nothing was rewritten: both versions and every activation are still there.
    assert [v.number for v in versions.list("complete")] == [1, 2]
    assert [a.reason for a in versions.activations("complete")] == ["built in", "test", "rollback"]


def test_rollback_pops_activations_like_a_stack(store: Store) -> None:
    versions = _versions(store)
    v1 = versions.active("email")
    v2 = versions.add("email", v1.body | {"instruction": "Two."}, v1.id, "user")
    v3 = versions.add("email", v1.body | {"instruction": "Three."}, v2.id, "user")
    versions.activate(v2.id, "hand")
    versions.activate(v3.id, "hand")
    assert versions.rollback("email").id == v2.id
    assert versions.rollback("email").id == v1.id


def test_versions_survive_a_restart(data_dir) -> None:
    first = Store(data_dir)
    versions = _versions(first)
    v1 = versions.active("rewrite")
    v2 = versions.add("rewrite", v1.body | {"instruction": "Tighten it."}, v1.id, "user")
    versions.activate(v2.id, "hand")
    first.close()
    again = Store(data_dir)
    try:
        assert _versions(again).active("rewrite").body["instruction"] == "Tighten it."
    finally:
        again.close()


def test_unknown_tasks_and_versions_are_named(store: Store) -> None:
    versions = _versions(store)
    with pytest.raises(InputError, match="unknown prompt task 'poem'"):
        versions.active("poem")
    with pytest.raises(InputError, match="no prompt version 42"):
        versions.get(42)


def test_previous_names_what_a_rollback_restores(store: Store) -> None:
    versions = _versions(store)
    v1 = versions.active("continue")
    assert versions.previous("continue") is None
    v2 = versions.add("continue", v1.body | {"instruction": "Go on."}, v1.id, "user")
    versions.activate(v2.id, "hand")
    assert versions.previous("continue").id == v1.id
