"""Drafts, learning, the chat and the SPO judge with a model server: each through the chat
endpoint of the server, none through text completion."""

from __future__ import annotations

from redline import Assistant
from redline.agent.pairwise import FIRST, SECOND, Item, ModelJudge, Output
from redline.predictors.base import Cancellation
from tests.documents import NEWS
from tests.remote.conftest import ModelServer

NOTES = (
    "The spectrometer lamp failed again on Monday, so the calibration runs moved to "
    "Wednesday. Mei replaced the lamp and checked the alignment; the first runs look "
    "clean and the backlog should be cleared by Friday."
)


class Requests:
    """Counts of the server's requests by endpoint since it was made."""

    def __init__(self, server: ModelServer) -> None:
        self.server = server
        self.start = {path: server.requests(path) for path in self.PATHS}

    PATHS = ("/v1/chat/completions", "/v1/completions")

    def since(self) -> dict[str, int]:
        return {path: self.server.requests(path) - self.start[path] for path in self.PATHS}


def test_a_draft_and_the_learning_from_its_edit_ask_the_chat_endpoint(
    assistant: Assistant, model_server: ModelServer
) -> None:
    requests = Requests(model_server)
    draft = assistant.draft(NOTES, task="summarize")
    assert draft.origin == "model" and draft.text.strip()
    assert requests.since() == {"/v1/chat/completions": 1, "/v1/completions": 0}

    # Its halves swapped: no rule explains that, so the model is asked what the edit says.
    words = draft.text.split()
    edited = " ".join(words[len(words) // 2 :] + words[: len(words) // 2])
    requests = Requests(model_server)
    learned = assistant.learn(draft, edited)
    assert learned.skipped is None
    assert requests.since()["/v1/chat/completions"] >= 1
    assert requests.since()["/v1/completions"] == 0


def test_the_chat_streams_its_answer_from_the_server(
    assistant: Assistant, model_server: ModelServer
) -> None:
    conversations = assistant.conversations()
    thread = conversations.new_id()
    requests = Requests(model_server)
    pieces = list(conversations.answer(thread, "What should I tell my team?", Cancellation(), 12))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert requests.since() == {"/v1/chat/completions": 1, "/v1/completions": 0}
    assert conversations.messages(thread)[-1]["role"] == "assistant"


def test_the_server_judges_two_outputs_in_both_orders(model_server: ModelServer) -> None:
    from redline.predictors.remote import LiteLLMPredictor

    judge = ModelJudge(LiteLLMPredictor(model_server.model, model_server.api_base))
    item = Item("news", NEWS[0], "summarize")
    verdicts = {
        judge.compare(item, Output("A short, faithful summary."), Output("zzz qqq")),
        judge.compare(item, Output("zzz qqq"), Output("A short, faithful summary.")),
    }
    assert verdicts <= {FIRST, SECOND}


def test_optimize_with_the_server_as_judge(assistant: Assistant, model_server: ModelServer) -> None:
    for source in NEWS[:2]:
        assistant.draft(source)
    requests = Requests(model_server)
    result = assistant.optimize("summarize", rounds=1, judge=model_server.model, sample=1)
    assert result.judge == f"model {model_server.model}"
    assert requests.since()["/v1/chat/completions"] >= 3  # a proposal, its draft, two verdicts
