"""Rules read off one edit: candidates from the diff, kept only when replaying them helps.

A candidate is verified by replay: applying it to the draft must bring the
draft strictly closer (in word edits) to the user's version. What the rules
do not explain is left for the model to describe.
"""

from __future__ import annotations

import difflib
import re
import string
from bisect import bisect_left

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from redline.style.lexicons import LEXICONS
from redline.style.rewrites import Rewrite, generalisations, generalise, literal_rewrites
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
    Split,
    Wrap,
    apply_rules,
)
from redline.style.shape import (
    TOKEN,
    UNITS,
    Shape,
    edit_distance,
    is_list,
    parse,
    split_sentences,
    unit_spans,
)

FAMILIES: tuple[Rule, ...] = (NoContractions(), *(LexiconMap(name) for name in LEXICONS))
# A learned word pair is at most this many words on either side.
MAX_PHRASE_WORDS = 4
PUNCTUATION = string.punctuation + "“”‘’"
# Marks a user may write as another: not those inside words and quotations, nor the full
# stop and the comma, which are what other marks become.
MAPPED_MARKS = "".join(c for c in PUNCTUATION if c not in "'\"“”‘’-_/@#&*()[]{}<>.,")


def frame_candidates(draft: Shape, edit: Shape) -> list[Rule]:
    """Greeting, sign-off, label, list form, length and paragraph changes between two shapes."""
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
    longest = _longest_paragraph(edit.body)
    if 0 < longest < _longest_paragraph(draft.body) and "\n\n" in edit.body:
        found.append(Split(longest))
    return found


def _longest_paragraph(body: str) -> int:
    """The most sentences any paragraph of the body has."""
    return max(
        (len(split_sentences(body[s:e])) for s, e in unit_spans(body, "paragraph")), default=0
    )


def _insertions(old: str, new: str) -> list[tuple[int, str, str]]:
    """Text the edit inserted into ``old``: (old token index, text with the whitespace after
    it, text with the whitespace before it)."""
    old_tokens, new_tokens = list(TOKEN.finditer(old)), list(TOKEN.finditer(new))
    matcher = difflib.SequenceMatcher(
        None, [m[0] for m in old_tokens], [m[0] for m in new_tokens], autojunk=False
    )
    found = []
    for op, i1, _, j1, j2 in matcher.get_opcodes():
        if op == "insert":
            leading = new[new_tokens[j1].start() : _start(new_tokens, j2, len(new))]
            trailing = new[_end(new_tokens, j1 - 1) : new_tokens[j2 - 1].end()]
            found.append((i1, leading.strip("\n"), trailing.strip("\n")))
    return found


def _start(tokens: list[re.Match[str]], index: int, default: int) -> int:
    return tokens[index].start() if index < len(tokens) else default


def _end(tokens: list[re.Match[str]], index: int) -> int:
    return tokens[index].end() if index >= 0 else 0


def wrap_candidates(draft_body: str, edit_body: str) -> list[Rule]:
    """Text inserted where a sentence, paragraph or line of the body starts or ends."""
    inserted = _insertions(draft_body, edit_body)
    if not inserted:
        return []
    starts = [m.start() for m in TOKEN.finditer(draft_body)]
    found: list[Rule] = []
    for unit in UNITS:
        spans = unit_spans(draft_body, unit)
        bounds = [(bisect_left(starts, s), bisect_left(starts, e)) for s, e in spans]
        for which, chosen in (("first", bounds[:1]), ("last", bounds[-1:]), ("every", bounds)):
            before = [lead for i, lead, _ in inserted if i in {s for s, _ in chosen}]
            after = [trail for i, _, trail in inserted if i in {e for _, e in chosen}]
            for b, a in {(_most_common(before), ""), ("", _most_common(after)),
                         (_most_common(before), _most_common(after))}:  # fmt: skip
                if (b or a) and (rule := Wrap(unit, which, b, a)) not in found:
                    found.append(rule)
    return found


def _most_common(texts: list[str]) -> str:
    return max(set(texts), key=texts.count) if texts else ""


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


def rewrite_candidates(draft: str, edited: str) -> list[Rule]:
    """Literal rewrites of each change, and their generalisations that the edit bears out:
    a generalisation that would change text the user left as it is is not one."""
    literal = literal_rewrites(draft, edited)
    return [*literal, *(g for g in generalisations(literal) if g.apply(edited) == edited)]


def _distance(a: str, b: str) -> tuple[int, int]:
    """Word edits, then character edits (a space too many is a change of its own)."""
    return edit_distance(a, b), Levenshtein.distance(a, b)


def _size(rule: Rule) -> int:
    """How many tokens a rewrite matches (0 for other rules): the fewer, the more it covers."""
    return len(rule.params["match"]) if isinstance(rule, Rewrite) else 0


def _generality(rule: Rule) -> int:
    """What goes first when rules explain an edit equally: a literal rewrite, then a word pair."""
    if isinstance(rule, Rewrite):
        return 2 if not rule.literal else 0
    return 1 if isinstance(rule, Replace) else 2


def verified_rules(draft: str, edited: str) -> list[Rule]:
    """The candidate rules of this edit that each bring the draft closer to it.

    Forward selection, the general rules first: among class rewrites, families
    and frame rules, the one that brings the draft closest to the edit joins
    until none helps; then word pairs, then literal rewrites explain what is
    left. So a rule the edit bears out stands for its instances, and an
    instance stays where its generalisation overreaches. Then each chosen rule
    the others made redundant goes, the most literal first.
    """
    return select(draft, edited, candidates(draft, edited))


def candidates(draft: str, edited: str) -> list[Rule]:
    """Every rule the diff between draft and edit suggests."""
    draft_shape, edit_shape = parse(draft), parse(edited)
    found = frame_candidates(draft_shape, edit_shape)
    found += word_candidates(draft_shape.body, edit_shape.body)
    found += wrap_candidates(draft_shape.body, edit_shape.body)
    return found + [r for r in rewrite_candidates(draft, edited) if r not in found]


def select(draft: str, edited: str, pool: list[Rule]) -> list[Rule]:
    """The rules of ``pool`` that together bring the draft closest (see ``verified_rules``)."""
    chosen: list[Rule] = []
    distance = _distance(draft, edited)
    for tier in sorted({_generality(r) for r in pool}, reverse=True):
        left = [r for r in pool if _generality(r) == tier]
        while left:
            scored = [(_distance(apply_rules(draft, [*chosen, r]), edited), r) for r in left]
            best, rule = min(scored, key=lambda pair: (pair[0], _size(pair[1])))
            if best >= distance:
                break
            chosen.append(rule)
            left.remove(rule)
            distance = best
    for rule in sorted(chosen, key=_generality):
        rest = [r for r in chosen if r is not rule]
        if _distance(apply_rules(draft, rest), edited) <= distance:
            chosen = rest
    return chosen


def _instances(rule: Rewrite, draft: str, edited: str) -> list[Rewrite]:
    """The rewrite and the literal rewrites of the same change with its token of context
    before, after or on both sides."""
    if not rule.literal:
        return [rule]
    inner = rule.params["match"]
    wider = [r for r in literal_rewrites(draft, edited) if _size(r) > len(inner)]
    return [rule] + [
        r for r in wider if any(r.params["match"][i : i + len(inner)] == inner for i in (0, 1))
    ]


Seen = list[tuple[str, str]]  # drafts and the user's edits of them


def widen(
    rules: list[Rule], draft: str, edited: str, past: list[tuple[int, Rewrite, Seen]]
) -> tuple[list[Rule], dict[int, Rule]]:
    """This edit's rewrites generalised with stored ones of the same form (``past``: id,
    rule, and the drafts it was seen in with the user's edits of them).

    Anti-unification of the two changes, bare or with their context, the most
    general first; a generalisation is taken where it explains this edit as
    well and changes nothing the user left in any of those edits: the other
    documents are its negative evidence. Returns the rules and, for each stored
    rewrite now generalised, the rule that replaces it."""
    widened: dict[int, Rule] = {}
    rules = list(rules)
    for index, rule in enumerate(rules):
        if not isinstance(rule, Rewrite):
            continue
        covered = []
        for pid, stored, seen in past:
            texts = [edit for _, edit in seen]
            theirs = [stored] + [i for d, e in seen for i in _instances(stored, d, e)[1:]]
            pairs = [(m, t) for m in _instances(rules[index], draft, edited) for t in theirs]
            generals = [generalise(m, t) for m, t in pairs]
            for general in sorted(
                {g for g in generals if g is not None}, key=lambda g: len(g.params["match"])
            ):
                if general == rules[index] == stored:
                    break
                trial = [*rules[:index], general, *rules[index + 1 :]]
                if all(general.apply(t) == t for t in [edited, *texts]) and (
                    residual(draft, edited, trial) <= residual(draft, edited, rules)
                ):
                    rules = trial
                    covered += [pid] if general != stored else []
                    break
        widened.update(dict.fromkeys(covered, rules[index]))
    return rules, widened


def residual(draft: str, edited: str, rules: list[Rule]) -> int:
    """Word edits the rules leave unexplained."""
    return edit_distance(apply_rules(draft, rules), edited)
