"""Suggestions from a model server: the text continued through /v1/completions, stop
sequences, streaming and cancellation, the mid-word and new-word rules of the local model."""

from __future__ import annotations

import time

import pytest

from redline import Assistant
from redline.predictors.base import Cancellation, Prompt, generate
from redline.predictors.remote import LiteLLMPredictor
from tests.remote.conftest import ALIAS, ModelServer

UPDATE = "Hi all, quick update on the"


@pytest.fixture(scope="module")
def predictor(model_server: ModelServer) -> LiteLLMPredictor:
    return LiteLLMPredictor(model_server.model, model_server.api_base)


def test_complete_continues_the_text_through_the_completions_endpoint(
    assistant: Assistant, model_server: ModelServer
) -> None:
    completions = model_server.requests("/v1/completions")
    chats = model_server.requests("/v1/chat/completions")
    detail = assistant.complete_detail(UPDATE, uri="update")
    suggestion = detail["suggestion"]
    assert detail["source"] == "model"
    # The next words of the sentence, not an answer to it ("I'm glad to see ...").
    assert suggestion.startswith(" ") and suggestion[1].islower(), suggestion
    assert model_server.requests("/v1/completions") == completions + 1
    assert model_server.requests("/v1/chat/completions") == chats


@pytest.mark.parametrize("prefix", ["openai", "hosted_vllm"])
def test_both_openai_compatible_prefixes_continue_the_text(
    model_server: ModelServer, prefix: str
) -> None:
    predictor = LiteLLMPredictor(f"{prefix}/{ALIAS}", model_server.api_base)
    assert predictor.continues_text()
    generation = generate(predictor, Prompt(UPDATE), max_tokens=6)
    assert generation.text.startswith(" ") and generation.text[1].islower(), generation


def test_a_stop_sequence_ends_the_continuation_before_it(predictor: LiteLLMPredictor) -> None:
    full = generate(predictor, Prompt(UPDATE), max_tokens=8)
    second = full.text.split()[1]
    stopped = generate(predictor, Prompt(UPDATE), max_tokens=8, stop=(" " + second,))
    assert stopped.text == " " + full.text.split()[0]
    assert stopped.finish_reason == "stop"
    assert generate(predictor, Prompt(UPDATE), max_tokens=2).finish_reason == "length"


def test_a_stream_cancelled_mid_way_ends_at_once_and_frees_the_server(
    predictor: LiteLLMPredictor,
) -> None:
    prompt = Prompt("Once upon a time there was a lab.\n")
    started = time.monotonic()
    pieces = list(predictor.stream(prompt, max_tokens=160))
    whole = time.monotonic() - started
    assert len(pieces) > 20, "the server streams piece by piece"

    cancel = Cancellation()
    stream = predictor.stream(prompt, max_tokens=160, cancel=cancel)
    received = [next(stream), next(stream)]
    cancel.cancel()
    with pytest.raises(StopIteration) as end:
        next(stream)
    assert end.value.value == "cancelled"
    assert received == pieces[:2]
    # The closed response stopped the generation: the server answers the next request
    # at once instead of writing the 158 tokens left first.
    started = time.monotonic()
    assert generate(predictor, Prompt(UPDATE), max_tokens=2).text
    assert time.monotonic() - started < whole / 2


def test_a_word_being_typed_is_finished_only_where_the_model_spells_it(
    predictor: LiteLLMPredictor,
) -> None:
    full = generate(predictor, Prompt(UPDATE), max_tokens=8, stop=("\n",)).text
    word = full.split()[1]  # " new product": "pro" of the second word is typed
    typed = full[: full.index(word) + 3]
    finished = generate(predictor, Prompt(UPDATE + typed), max_tokens=8, stop=("\n",)).text
    assert finished.startswith(word[3:]), (full, finished)
    agreed = min(len(full), len(typed + finished))
    assert (typed + finished)[:agreed] == full[:agreed]
    # A word the model would not write next gets nothing, not the model's other word.
    assert generate(predictor, Prompt(UPDATE + " xyl"), max_tokens=8).text == ""


def test_after_a_typed_space_the_continuation_starts_a_new_word(
    predictor: LiteLLMPredictor,
) -> None:
    generation = generate(predictor, Prompt(UPDATE, new_word=True), max_tokens=6)
    assert generation.text.startswith(" ") and generation.text[1].isalpha(), generation
    # A continuation that does not start a word ("Hello" is followed by ",") gives none.
    assert generate(predictor, Prompt("Hello", new_word=True), max_tokens=4).text == ""


def test_a_model_that_only_chats_is_asked_to_continue_in_a_chat(
    model_server: ModelServer,
) -> None:
    chatting = LiteLLMPredictor("openai/gpt-4o-mini", model_server.api_base)
    assert not chatting.continues_text()
    chats = model_server.requests("/v1/chat/completions")
    generate(chatting, Prompt(UPDATE), max_tokens=6)
    assert model_server.requests("/v1/chat/completions") == chats + 1


def test_nothing_to_continue_asks_nothing(
    predictor: LiteLLMPredictor, model_server: ModelServer
) -> None:
    before = model_server.requests("/v1/completions")
    assert generate(predictor, Prompt(""), max_tokens=4).text == ""
    assert generate(predictor, Prompt("Hel"), max_tokens=4).text == ""
    assert model_server.requests("/v1/completions") == before
