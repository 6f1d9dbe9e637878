"""The llama.cpp backend with the embedded model: prompts, stops, limits, cancellation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redline.predictors.base import Cancellation, Prompt, generate
from redline.predictors.discovery import embedded_model_path
from redline.predictors.llama import DOCUMENT_START, LlamaPredictor


@pytest.fixture(scope="module")
def llama() -> Iterator[LlamaPredictor]:
    predictor = LlamaPredictor(embedded_model_path())
    yield predictor
    predictor.close()


def test_typed_control_markers_stay_plain_text(llama: LlamaPredictor) -> None:
    start = llama.tokenize(DOCUMENT_START)
    assert len(start) == 1
    tokens = llama.prompt_tokens(Prompt(text=f"say {DOCUMENT_START} now", context="Notes.\n"))
    assert tokens.count(start[0]) == 1  # only the document start redline put there


def test_a_shared_context_keeps_its_tokens_from_call_to_call(llama: LlamaPredictor) -> None:
    context = "Some earlier writing of mine.\n\n---\n\n"
    first = llama.prompt_tokens(Prompt(text="Hi all", context=context))
    second = llama.prompt_tokens(Prompt(text="Hi all, here is", context=context))
    shared = len(llama.prompt_tokens(Prompt(text="", context=context)))
    assert first[:shared] == second[:shared]


def test_stop_sequence_and_token_limit(llama: LlamaPredictor) -> None:
    prompt = Prompt(text="1, 2, 3, 4, 5,")
    limited = generate(llama, prompt, max_tokens=3)
    assert limited.finish_reason == "length"
    stopped = generate(llama, prompt, max_tokens=40, stop=(" 8",))
    assert stopped.finish_reason == "stop"
    assert " 8" not in stopped.text and "7" in stopped.text


def test_cancellation_ends_the_stream(llama: LlamaPredictor) -> None:
    cancel = Cancellation()
    pieces = []
    stream = llama.stream(Prompt(text="Once upon a time"), max_tokens=64, cancel=cancel)
    for piece in stream:
        pieces.append(piece)
        cancel.cancel()
    assert len(pieces) == 1


def test_a_new_word_follows_a_moved_space(llama: LlamaPredictor) -> None:
    # After a finished sentence the model would rather end the line or add
    # punctuation; a typed space says the next word comes now.
    for text in ("The ledger archive is complete.", "Thanks all,", "See you on Monday"):
        plain = generate(llama, Prompt(text=text), max_tokens=4)
        steered = generate(llama, Prompt(text=text, new_word=True), max_tokens=4)
        assert steered.text[:1] == " " and steered.text[1:2] not in " \n.,;:!?", (text, plain)


def test_a_bias_rules_out_a_word(llama: LlamaPredictor) -> None:
    prompt = Prompt(text="1, 2, 3, 4,")  # " 4," is spelled again first: three of the tokens
    assert generate(llama, prompt, max_tokens=6).text.startswith(" 5")
    ruled_out = generate(llama, prompt, 6, bias=lambda done: {} if done else {" 5": -100.0})
    assert not ruled_out.text.startswith(" 5")


def test_the_word_being_typed_is_spelled_again_and_cut(llama: LlamaPredictor) -> None:
    # Without token healing the model sees "upd" as a finished token and punctuates.
    for typed, rest in (("Hi all, quick upd", "ate"), ("See you on Mon", "day")):
        text = generate(llama, Prompt(text=typed), max_tokens=8, stop=("\n",)).text
        assert text.startswith(rest), (typed, text)
    # The typed letters are never generated twice.
    assert not generate(llama, Prompt(text="The meeting is tomor"), 8).text.startswith("tomor")
