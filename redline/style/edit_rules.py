"""Rules read off one edit: candidates from the diff, kept only when replaying them helps.

A candidate is verified by replay: applying it to the draft must bring the
draft strictly closer (in word edits) to the user's version. What the rules
do not explain is left for the model to describe.
"""

from __future__ import annotations

import difflib
import string

from rapidfuzz import fuzz

from redline.style.lexicons import LEXICONS
from redline.style.rules import (
    Bullets,
    Greeting,
    KeepFirst,
    Label,
    LexiconMap,
    MapMark,
    NoContractions,
    Replace,
    Rule,
    SerialComma,
    Signoff,
    apply_rules,
)
from redline.style.shape import Shape, edit_distance, is_list, parse, split_sentences

FAMILIES: tuple[Rule, ...] = (NoContractions(), *(LexiconMap(name) for name in LEXICONS))
# A learned word pair is at most this many words on either side.
MAX_PHRASE_WORDS = 4
PUNCTUATION = string.punctuation + "“”‘’"
# Marks a user may write as another: not those inside words and quotations, nor the full
# stop and the comma, which are what other marks become.
MAPPED_MARKS = "".join(c for c in PUNCTUATION if c not in "'\"“”‘’-_/@#&*()[]{}<>.,")


def frame_candidates(draft: Shape, edit: Shape) -> list[Rule]:
    """Greeting, sign-off, label, list form and length changes between two shapes."""
    found: list[Rule] = []
    if edit.greeting and edit.greeting != draft.greeting:
        found.append(Greeting(edit.greeting))
    if edit.signoff and edit.signoff != draft.signoff:
        found.append(Signoff(list(edit.signoff)))
    if edit.label and edit.label != draft.label:
        found.append(Label(edit.label))
    kept, had = edit.sentences(), draft.sentences()
    if is_list(edit.body) and kept and not is_list(draft.body):
        found.append(Bullets())
    if 0 < len(kept) < len(had) and fuzz.ratio(kept[-1], had[len(kept) - 1]) >= 60:
        found.append(KeepFirst(len(kept)))
    return found


def _strip_shared_punctuation(old: str, new: str) -> tuple[str, str]:
    while old and new and old[-1] == new[-1] and old[-1] in PUNCTUATION:
        old, new = old[:-1], new[:-1]
    while old and new and old[0] == new[0] and old[0] in PUNCTUATION:
        old, new = old[1:], new[1:]
    return old, new


def _span_rules(old: str, new: str, next_word: str) -> list[Rule]:
    """The rules one replaced span of words may show: a word list, marks, or the pair itself."""
    found: list[Rule] = []
    for mark in dict.fromkeys(c for c in old if c in MAPPED_MARKS):
        if mark not in new:  # written as the mark the new text ends with, else a full stop
            instead = next((c for c in reversed(new) if c in ".,;:!?" and c != mark), ".")
            found.append(MapMark(mark, instead))
    if new.endswith(",") and not old.endswith(",") and next_word in ("and", "or"):
        found.append(SerialComma())
    new_lower = new.lower()
    for word in old.split():
        changed = [(family, family.apply(word)) for family in FAMILIES]
        found += [f for f, out in changed if out != word and out.lower() in new_lower]
    old, new = _strip_shared_punctuation(old, new)
    if old.strip(PUNCTUATION).lower() != new.strip(PUNCTUATION).lower() and not any(
        ch in PUNCTUATION for ch in old.replace("'", "") + new.replace("'", "")
    ):
        found.append(Replace(old, new))
    return found


def word_candidates(draft_body: str, edit_body: str) -> list[Rule]:
    """Word and phrase substitutions between two bodies, list markers and layout ignored."""
    old_words = " ".join(split_sentences(draft_body)).split()
    new_words = " ".join(split_sentences(edit_body)).split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    found: list[Rule] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op != "replace":  # a deletion or insertion: read it with the next word kept
            i2, j2 = i2 + 1, j2 + 1
        if max(i2 - i1, j2 - j1) > MAX_PHRASE_WORDS or i2 > len(old_words) or j2 > len(new_words):
            continue
        next_word = old_words[i2] if i2 < len(old_words) else ""
        for rule in _span_rules(" ".join(old_words[i1:i2]), " ".join(new_words[j1:j2]), next_word):
            if rule not in found:
                found.append(rule)
    return found


def verified_rules(draft: str, edited: str) -> list[Rule]:
    """The candidate rules of this edit that each bring the draft closer to it.

    Backward elimination: with all candidates applied together, the one whose
    removal helps most (or costs nothing) goes, until each remaining rule saves
    word edits. At equal gain a word pair goes before a family, so a family the
    edit bears out replaces its pairs, and a pair stays where its family overreaches.
    """
    draft_shape, edit_shape = parse(draft), parse(edited)
    kept = frame_candidates(draft_shape, edit_shape)
    kept += word_candidates(draft_shape.body, edit_shape.body)
    while kept:
        with_all = edit_distance(apply_rules(draft, kept), edited)
        gains = [
            edit_distance(apply_rules(draft, [r for r in kept if r is not rule]), edited) - with_all
            for rule in kept
        ]
        worst = min(range(len(kept)), key=lambda i: (gains[i], not isinstance(kept[i], Replace)))
        if gains[worst] > 0:
            return kept
        kept.pop(worst)
    return []


def residual(draft: str, edited: str, rules: list[Rule]) -> int:
    """Word edits the rules leave unexplained."""
    return edit_distance(apply_rules(draft, rules), edited)
