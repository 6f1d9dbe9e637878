"""Big and odd documents: 5 MB on one line, unpaired surrogates; answered, and quietly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pytest_lsp import LanguageClient

from tests.lsp.conftest import (
    fresh_memory,
    inline_at,
    insert,
    open_doc,
    start_server,
    stats,
    stop_server,
    wait_loaded,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILLER = "The lab ran its weekly checks and logged the results. " * 96_000  # 5.3 MB


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(
    memory_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LanguageClient]:
    client, _ = await start_server(fresh_memory(memory_template, tmp_path_factory.mktemp("big")))
    await wait_loaded(client)
    yield client
    await stop_server(client)


async def test_a_5_mb_line_is_typed_into_and_completed_from_its_end(client: LanguageClient) -> None:
    uri = "file:///notes/huge.md"
    text = FILLER + "Shout if"
    open_doc(client, uri, text)
    insert(client, uri, 2, 0, len(text), " I")  # one line: the character is the whole length
    (item,) = await inline_at(client, uri, 0, len(text) + 2)
    assert item.insert_text.startswith(" missed anything.")
    assert item.range.start.character == len(text) + 2
    assert (await stats(client))["last_completion"] == "phrases"
    logged = " ".join(m.message for m in client.log_messages)
    assert f"huge.md has {len(text):,} characters" in logged and "not observed" in logged
    assert not client.messages  # the user only opened it: no popup


async def test_unpaired_surrogates_get_an_answer(client: LanguageClient) -> None:
    uri = "file:///notes/odd.md"
    text = "A stray \ud800 half of a pair, then Shout if I"
    open_doc(client, uri, text)
    (item,) = await inline_at(client, uri, 0, len(text.encode("utf-16-le", "surrogatepass")) // 2)
    assert item.insert_text.startswith(" missed anything.")
    assert not client.messages
