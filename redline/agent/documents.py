"""Per-document state of the complete flow: the context block in use and the last suggestion."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from redline.memory.tokens import tokenize

# Re-retrieve the personal context when the document reaches these word counts.
# Each change of the context block costs a full prompt evaluation (about 2 s
# for 500 tokens on 2 cores), so it changes rarely and only when the
# retrieved passages differ.
RETRIEVE_AT_WORDS = (4, 25)
# The first characters of a document identify it when the face gives no uri.
HEAD_CHARS = 40


@dataclass
class DocumentState:
    head: str = ""
    examples: list[str] = field(default_factory=list)
    retrieved_at: int = -1  # index into RETRIEVE_AT_WORDS of the last retrieval, -1 for none
    last_prefix: str | None = None
    last_suggestion: str = ""

    def recall(self, prefix: str, typed_by_hand: bool = False) -> tuple[str | None, str]:
        """What the last suggestion says at ``prefix``: (its rest to serve, or None; the word
        the user refused of it, or "").

        Typing its first characters leaves the rest to serve. Words of it that
        arrive in one piece, up to a word boundary, were accepted in part: the
        user refused the word after them, which the model would only offer again.
        Not so when a face that sees each keystroke says they were ``typed_by_hand``.
        """
        if self.last_prefix is None or not prefix.startswith(self.last_prefix):
            return None, ""
        added = prefix[len(self.last_prefix) :]
        if not self.last_suggestion.startswith(added):
            return None, ""
        rest = self.last_suggestion[len(added) :]
        if not rest.strip():
            return None, ""
        accepted = len(added) > 1 and not typed_by_hand
        if accepted and (added[-1].isspace() or rest[0].isspace()):
            return None, tokenize(rest)[0]
        return rest, ""

    def remember(self, prefix: str, suggestion: str) -> None:
        """What was suggested at ``prefix``: the next keystroke may type into it."""
        self.last_prefix, self.last_suggestion = prefix, suggestion

    def due_retrieval(self, prefix: str) -> bool:
        """Whether the document just reached a word count that calls for new context."""
        words = len(prefix.split(maxsplit=RETRIEVE_AT_WORDS[-1]))  # bounded: a 5 MB text too
        reached = sum(1 for n in RETRIEVE_AT_WORDS if words >= n) - 1
        if reached > self.retrieved_at:
            self.retrieved_at = reached
            return True
        return False


class Documents:
    """The state of the most recently used documents, by uri (or by their first words)."""

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._states: OrderedDict[str, DocumentState] = OrderedDict()
        self.last_examples: list[str] = []

    def state(self, uri: str | None, prefix: str) -> DocumentState:
        """The document's state; a new one when an unnamed document's text starts differently."""
        key = uri or "untitled"
        state = self._states.get(key)
        head = prefix[:HEAD_CHARS]
        if state is None or (
            uri is None and not (head.startswith(state.head) or state.head.startswith(head))
        ):
            state = DocumentState(head=head, examples=list(self.last_examples))
            self._states[key] = state
        elif len(head) > len(state.head):
            state.head = head
        self._states.move_to_end(key)
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)
        return state


def typed_window(prefix: str, max_chars: int = 1500) -> str:
    """The end of the typed text that fits the prompt, starting at a stable place.

    The start moves forward in steps of half the window, not with every
    keystroke, so consecutive prompts share their tokens and the model's
    key/value cache holds.
    """
    if len(prefix) <= max_chars:
        return prefix
    step = max_chars // 2
    start = ((len(prefix) - max_chars) // step + 1) * step
    boundary = prefix.find("\n", start, start + step // 2)
    if boundary == -1:
        boundary = prefix.find(" ", start, start + step // 2)
    return prefix[(boundary + 1 if boundary != -1 else start) :]
