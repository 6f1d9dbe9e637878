"""The user's recurring phrases: a word n-gram model of their own writing.

Tokens are whitespace-separated words with their punctuation attached, and
line breaks as tokens of their own, so that greetings, list markers and
sign-offs ("Thanks all,\\nDana") are phrases like any other. Each text ends
with an end marker, so a phrase chain stops where the user's documents end
(after the sign-off) instead of running on into the next one. A word being
typed is finished with the likeliest word of the user's that starts with its
letters, after the same context where one was seen there, else by how often
the user writes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from redline.memory.outline import MIN_DOCUMENTS, Opening, Outline, at_paragraph_start
from redline.memory.phrase_counts import END, ORDER, START, MemoryCounts
from redline.memory.tokens import NEWLINE, join_tokens, tokenize

# Characters at the end of a text read for its context: far more than the few
# words the model looks back, and a constant cost however long the document.
CONTEXT_CHARS = 400


class Counts(Protocol):
    """What the model reads: :class:`redline.memory.phrase_counts.MemoryCounts` or
    ``StoredCounts``."""

    def followers(self, context: tuple[str, ...]) -> Mapping[str, int]: ...

    def openings_after(self, context: tuple[Opening, ...]) -> Mapping[str, int]: ...

    def words_from(self, partial: str) -> Mapping[str, int]: ...

    def written(self, word: str) -> int: ...

    def texts(self) -> int: ...


@dataclass(frozen=True)
class Phrase:
    """A continuation proposed from the user's phrases, with the weakest link's evidence."""

    text: str
    words: int
    probability: float
    support: int


class PhraseModel:
    """Counts of what followed each context of up to ``ORDER - 1`` tokens in the user's
    writing (in memory unless ``counts`` says where they are)."""

    def __init__(self, counts: Counts | None = None, order: int = ORDER) -> None:
        self.order = order
        self.source = MemoryCounts(order) if counts is None else counts
        self.outline = Outline(self.source)

    @property
    def texts(self) -> int:
        """How many texts the counts come from."""
        return self.source.texts()

    def written(self, word: str) -> int:
        """How often the user wrote ``word``."""
        return self.source.written(word)

    def add(self, text: str) -> None:
        """Learn the phrases of one piece of writing (a model held in memory)."""
        if not isinstance(self.source, MemoryCounts):
            raise TypeError("stored counts grow with Store.add_sample")
        self.source.add(text)

    def next_token(
        self,
        history: list[str],
        partial: str = "",
        min_support: int = 1,
        refused: str = "",
        goes_on: bool = False,
    ) -> tuple[str, float, int] | None:
        """The likeliest next token after ``history``: starts with ``partial``, is not ``refused``.

        Looks at the longest context seen at least ``min_support`` times in
        the user's writing; returns the token, its probability there
        (interpolated with the shorter contexts, so a context seen once is
        trusted as far as the shorter ones agree), and how often that
        context was seen. Given a ``partial`` word, the probability is among
        the words that start with it, and where no context was followed by
        one, the user's words are ranked by how often they were written.
        Where the text ``goes_on`` (the user asks what follows), one text that
        ended after this context is no evidence: it is most likely this very
        text, observed unfinished when its editor opened it.
        """
        for n in range(min(self.order - 1, len(history)), 0, -1):
            followers = self.source.followers(tuple(history[-n:]))
            if goes_on and followers and followers.get(END) == 1:
                followers = Counter({t: c for t, c in followers.items() if t != END})
            if not followers:
                continue
            if partial or refused:
                followers = Counter(
                    {t: c for t, c in followers.items() if _extends(t, partial, refused)}
                )
            total = sum(followers.values())
            if total < min_support:
                continue
            smoothed = self._smoother(history, n)
            scores = {t: smoothed(t) for t in followers}
            token = max(scores, key=lambda t: (scores[t], followers[t]))
            share = scores[token] / sum(scores.values()) if partial else scores[token]
            return token, share, total
        if partial:
            return self._finish_word(partial, refused, min_support)
        return None

    def _finish_word(
        self, partial: str, refused: str, min_support: int
    ) -> tuple[str, float, int] | None:
        """The word of the user's that most often finished ``partial``, its share and support."""
        found = self.source.words_from(partial)
        words = {w: c for w, c in found.items() if _extends(w, partial, refused)}
        total = sum(words.values())
        if not words or total < min_support:
            return None
        word = max(words, key=lambda w: (words[w], -len(w)))
        return word, words[word] / total, total

    def _smoother(self, history: list[str], n: int) -> Callable[[str], float]:
        """P(token | last n tokens), Witten-Bell interpolated with the shorter contexts: each
        context's total is summed once, however many tokens are scored."""
        levels = []
        for k in range(1, n + 1):
            followers = self.source.followers(tuple(history[-k:]))
            if followers:
                levels.append((followers, sum(followers.values()), len(followers)))

        def smoothed(token: str) -> float:
            probability = 0.0
            for followers, total, kinds in levels:
                probability = (followers.get(token, 0) + kinds * probability) / (total + kinds)
            return probability

        return smoothed

    def next_words(self, text: str) -> dict[str, float]:
        """What the user wrote next after the end of ``text`` (a finished word or whitespace).

        The shares of each follower of the longest context seen before;
        empty when the context is new.
        """
        history = context_tokens(text)
        for n in range(min(self.order - 1, len(history)), 0, -1):
            followers = self.source.followers(tuple(history[-n:]))
            if followers:
                total = sum(followers.values())
                return {t: count / total for t, count in followers.items() if t != END}
        return {}

    def at_word_end(self, text: str) -> bool:
        """Whether a new word may start after ``text``: it ends in whitespace or a finished word."""
        if not text or text[-1].isspace():
            return True
        history = context_tokens(text)
        return self.word_is_complete(history[:-1], history[-1])

    def word_is_complete(self, history: list[str], word: str) -> bool:
        """Whether the word at the cursor is finished, judged by what the user wrote after it."""
        for n in range(min(self.order - 1, len(history)), 0, -1):
            followers = self.source.followers(tuple(history[-n:]))
            if not followers:
                continue
            exact = followers.get(word, 0)
            longer = sum(c for t, c in followers.items() if t.startswith(word) and t != word)
            if exact or longer:
                return exact >= longer
        return self.source.written(word) > 0

    def continue_text(
        self,
        prefix: str,
        max_words: int = 8,
        min_probability: float = 0.5,
        min_support: int = 2,
        extend_probability: float | None = None,
        refused: str = "",
    ) -> Phrase | None:
        """Continue ``prefix`` with the user's phrases while they agree with each other.

        Each further word must follow its context in at least
        ``min_probability`` of the cases, that context having been seen at
        least ``min_support`` times; the first is never ``refused``. Returns
        None when not even one word is that certain.
        """
        history, partial = _split_prefix(prefix)
        if partial and self.word_is_complete(history, partial):
            history, partial = history + [partial], ""
        words: list[str] = []
        weakest_p, weakest_support = 1.0, 0
        opening = None
        if at_paragraph_start(prefix):
            opening = self.outline.next_opening(prefix, max(MIN_DOCUMENTS, min_support))
        if opening and opening.probability >= min_probability and opening.words[0] != refused:
            words = list(opening.words[:max_words])
            history = history + words
            weakest_p, weakest_support = opening.probability, opening.support
        while len(words) < max_words:
            found = (
                self.next_token(history, partial, min_support, refused, goes_on=True)
                if not words
                else self.next_token(history, "", min_support)
            )
            if found is None:
                break
            token, probability, support = found
            if token == END:
                break
            threshold = (
                min_probability if not words or extend_probability is None else extend_probability
            )
            if probability < threshold or support < min_support:
                break
            words.append(token)
            history = history + [token]
            weakest_p = min(weakest_p, probability)
            weakest_support = min(weakest_support or support, support)
        while words and words[-1] == NEWLINE:
            words.pop()
        if not words:
            return None
        if partial:
            text = words[0][len(partial) :] + join_tokens(words[1:], space_before=True)
        else:
            text = join_tokens(words, space_before=bool(prefix) and not prefix[-1].isspace())
        return Phrase(text, len(words), weakest_p, weakest_support)


def _extends(token: str, partial: str, refused: str) -> bool:
    """Whether ``token`` finishes the word ``partial`` (is longer) and is not ``refused``."""
    return token != END and token != refused and token.startswith(partial) and token != partial


def context_tokens(text: str) -> list[str]:
    """The tokens at the end of ``text``, after a start marker when they reach its start."""
    if len(text) <= CONTEXT_CHARS:
        return [START, *tokenize(text)]
    return tokenize(text[-CONTEXT_CHARS:])[1:]  # the first may be the end of a word


def _split_prefix(prefix: str) -> tuple[list[str], str]:
    """(the completed tokens, the partial word at the cursor)."""
    tokens = context_tokens(prefix)
    if prefix and not prefix[-1].isspace():
        return tokens[:-1], tokens[-1]
    return tokens, ""
