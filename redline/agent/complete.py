"""The complete flow: what to insert at the cursor, on every keystroke.

Inside a word being typed ("quick upd") the suggestion begins with the rest
of that word ("ate on the rollout"): the user's phrases and vocabulary finish
it first, else the model spells it again from its start (token healing).

recall_cache ─hit─▶ END
     │miss
match_phrases ─the user's own phrase is certain, or phrases only─▶ finish ─▶ END
     │otherwise
gather_context ─▶ build_prompt ─▶ generate ─▶ finish ─▶ END

With ``phrases_only`` (the language server while its models still load) the
model is never asked: the user's likeliest phrase, however unsure, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from langgraph.graph import END

from redline.agent.documents import Documents, DocumentState, typed_window
from redline.agent.graphs import chain, compile_flow, graph_of
from redline.agent.prompts import CompletionPrompt, document_name
from redline.agent.words import split_trailing_space, whole_words
from redline.memory.phrases import Phrase, PhraseModel
from redline.memory.tokens import NEWLINE
from redline.predictors.base import Cancellation, Predictor, Prompt, WordBias, generate
from redline.predictors.repetition import cut_repeats

# Characters of the document around the cursor used to find similar passages.
QUERY_CHARS = 600
# The longest suggestion from inside a word, where the next keystroke asks again:
# measured with `redline bench ksr --midword` (see the README).
MIDWORD_TOKENS = 8
# The logit boost that rules a word out.
REFUSED = -100.0


class CompleteState(TypedDict, total=False):
    prefix: str
    suffix: str
    uri: str | None
    max_tokens: int
    cancel: Cancellation | None
    typed_by_hand: bool  # the text since the last request came key by key: nothing was accepted
    phrases_only: bool  # the model is not to be asked (it is not loaded yet)
    document: DocumentState
    phrases: PhraseModel
    phrase: Phrase | None
    refused: str  # the word the user refused at this point of the last suggestion, or ""
    design: CompletionPrompt  # the document's active prompt, read once per model call
    prompt: Prompt
    needs_space: bool
    generated: str
    finished: bool
    suggestion: str
    source: str  # where the suggestion came from: cache, phrases, model or none


class Writing(Protocol):
    """The user's writing as the flow reads it (all of it, or all but held-out passages)."""

    def phrases(self) -> PhraseModel: ...

    def similar_samples(self, text: str, max_chars: int) -> list[str]: ...


@dataclass
class CompleteDeps:
    """What the complete flow's nodes use; owned by the Assistant."""

    writing: Writing
    predictor: Predictor
    design: Callable[[str | None], CompletionPrompt]  # a document's active prompt (by uri)
    documents: Documents
    context_chars: int  # used when the design does not say
    personal: bool = True  # False: neither the user's phrases nor their passages are used
    # A phrase of the user's is suggested without the model when each of its
    # words followed its context this often, in contexts seen this many times.
    phrase_probability: float = 0.5
    phrase_support: int = 1
    phrase_words: int = 16
    phrase_extend: float | None = 0.1  # the threshold for the words after the first
    # How strongly the user's own next words steer the model (added to the
    # logit of a word's first token, times the word's share after this context).
    phrase_bias: float = 6.0


def build_complete_graph(deps: CompleteDeps) -> Any:
    """The compiled LangGraph of the complete flow."""

    def recall_cache(state: CompleteState) -> CompleteState:
        document = deps.documents.state(state.get("uri"), state["prefix"])
        update: CompleteState = {"document": document}
        if _inside_word(state.get("suffix", "")):
            update.update(suggestion="", source="none")
            return update
        remainder, refused = document.recall(state["prefix"], state.get("typed_by_hand", False))
        if remainder is not None:
            document.remember(state["prefix"], remainder)
            update.update(suggestion=remainder, source="cache")
        else:
            update["refused"] = refused
        return update

    def user_phrase(state: CompleteState, phrases: PhraseModel, certainty: float) -> Phrase | None:
        return phrases.continue_text(
            state["prefix"],
            max_words=min(deps.phrase_words, state.get("max_tokens", deps.phrase_words)),
            min_probability=certainty,
            min_support=deps.phrase_support,
            extend_probability=deps.phrase_extend,
            refused=state.get("refused", ""),
        )

    def match_phrases(state: CompleteState) -> CompleteState:
        if not deps.personal:
            return {"phrase": None}
        phrases = deps.writing.phrases()
        return {"phrases": phrases, "phrase": user_phrase(state, phrases, deps.phrase_probability)}

    def gather_context(state: CompleteState) -> CompleteState:
        document, prefix = state["document"], state["prefix"]
        design = deps.design(state.get("uri"))
        if deps.personal and document.due_retrieval(prefix):
            chars = design.context_chars
            examples = deps.writing.similar_samples(
                prefix[-QUERY_CHARS:], deps.context_chars if chars is None else chars
            )  # best first: the design orders them
            if examples and set(examples) != set(document.examples):
                document.examples = examples
                deps.documents.last_examples = examples
        return {"design": design}

    def build_prompt(state: CompleteState) -> CompleteState:
        text, had_space = split_trailing_space(typed_window(state["prefix"]))
        design = state["design"]
        context = design.context(state["document"].examples, document_name(state.get("uri")))
        longest = min(state.get("max_tokens", 16), design.max_tokens or 64)
        if text and not text[-1].isspace():  # inside a word: asked again at the next key
            longest = min(longest, MIDWORD_TOKENS)
        prompt = Prompt(text=text, context=context, new_word=had_space)
        return {"prompt": prompt, "needs_space": had_space, "max_tokens": longest}

    def generate_text(state: CompleteState) -> CompleteState:
        typed = state["prompt"].text
        biases = []
        if state.get("refused", "") not in ("", NEWLINE):
            biases.append(refusal_bias(typed, state["refused"]))
        if deps.personal and deps.phrase_bias > 0:
            biases.append(phrase_bias(state["phrases"], typed, deps.phrase_bias))
        generation = generate(
            deps.predictor,
            state["prompt"],
            state.get("max_tokens", 16),
            stop=("\n",),
            cancel=state.get("cancel"),
            bias=combined(biases),
        )
        return {
            "generated": generation.text,
            "finished": generation.finish_reason in ("stop", "loop"),
        }

    def finish(state: CompleteState) -> CompleteState:
        phrase = state.get("phrase")
        if phrase is not None:
            suggestion, source = cut_repeats(phrase.text), "phrases"
        else:
            suggestion = whole_words(state.get("generated", ""), state.get("finished", True))
            if state.get("needs_space"):
                suggestion = suggestion[1:] if suggestion.startswith(" ") else ""
            source = "model" if suggestion else "none"
            if not suggestion and deps.personal:  # nothing from the model: the user's likeliest
                guess = user_phrase(state, state["phrases"], 0.0)
                if guess is not None:
                    suggestion, source = cut_repeats(guess.text), "phrases"
        document = state["document"]
        document.remember(state["prefix"], suggestion)
        return {"suggestion": suggestion, "source": source}

    graph = graph_of(
        CompleteState,
        {"recall_cache": recall_cache, "match_phrases": match_phrases,
         "gather_context": gather_context, "build_prompt": build_prompt,
         "generate": generate_text, "finish": finish},
    )  # fmt: skip
    graph.add_conditional_edges(
        "recall_cache",
        lambda s: END if "suggestion" in s else "match_phrases",
        [END, "match_phrases"],
    )
    graph.add_conditional_edges(
        "match_phrases",
        lambda s: (
            "finish" if s.get("phrase") is not None or s.get("phrases_only") else "gather_context"
        ),
        ["finish", "gather_context"],
    )
    chain(graph, "gather_context", "build_prompt", "generate", "finish", END)
    return compile_flow(graph)


def phrase_bias(phrases: PhraseModel, typed: str, strength: float) -> WordBias:
    """A word bias favouring what the user wrote next after the same words before."""

    def bias(generated: str) -> dict[str, float]:
        text = typed + generated
        if not phrases.at_word_end(text):
            return {}
        space = "" if not text or text[-1].isspace() else " "
        already = set(generated.split())  # no boost for a word said already: it would loop
        return {
            space + word: strength * share
            for word, share in phrases.next_words(text).items()
            if word != NEWLINE and word not in already
        }

    return bias


def refusal_bias(typed: str, refused: str) -> WordBias:
    """A word bias that rules out ``refused`` as the first word after ``typed``."""
    word = (" " if typed and not typed[-1].isspace() else "") + refused
    return lambda generated: {} if generated else {word: REFUSED}


def combined(biases: list[WordBias]) -> WordBias | None:
    """One word bias adding up the boosts of ``biases``; None for none (nothing to steer)."""
    if len(biases) < 2:
        return biases[0] if biases else None

    def bias(generated: str) -> dict[str, float]:
        total: dict[str, float] = {}
        for each in biases:
            for word, boost in each(generated).items():
                total[word] = total.get(word, 0.0) + boost
        return total

    return bias


def _inside_word(suffix: str) -> bool:
    """Whether the cursor sits inside a word (completing there would split it)."""
    return bool(suffix) and (suffix[0].isalnum() or suffix[0] == "_")
