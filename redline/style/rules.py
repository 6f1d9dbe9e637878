"""Rewrite rules learned from edits: deterministic, idempotent, described in words.

A rule's ``spec`` (a JSON dict) is what the store keeps; ``make_rule`` builds
it back. ``slot`` names what the rule decides, so two rules in one slot
(``prefix`` "TL;DR:" and ``prefix`` "Summary:") contradict each other.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from redline.style.lexicons import BRITISH_STEMS, CONTRACTIONS, PLAIN_WORDS, WHOLE_WORD_ONLY
from redline.style.shape import Shape, is_list, parse, split_sentences

RULE_TYPES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: a rule type ``make_rule`` can build by its ``kind``."""
    RULE_TYPES[cls.kind] = cls
    return cls


def make_rule(spec: Mapping[str, Any]) -> Rule:
    """The rule a spec describes, e.g. ``{"kind": "max_sentences", "n": 3}``."""
    params = dict(spec)
    kind = params.pop("kind", None)
    if kind not in RULE_TYPES:
        raise ValueError(f"unknown rule kind {kind!r}; known: {', '.join(sorted(RULE_TYPES))}")
    return RULE_TYPES[kind](**params)


class Rule(ABC):
    """One rewrite a user wants; ``stage`` orders rules (words first, frame last)."""

    kind: ClassVar[str]
    stage: ClassVar[int]

    def __init__(self, **params: Any) -> None:
        self.params = params

    @property
    def slot(self) -> str:
        return self.kind

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params}

    @abstractmethod
    def describe(self) -> str:
        """The preference this rule enforces, as one sentence."""

    @abstractmethod
    def apply(self, text: str) -> str:
        """The text rewritten to follow the rule (applying it twice changes nothing more)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and self.spec() == other.spec()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.spec().items())))

    def __repr__(self) -> str:
        return f"Rule({self.spec()})"


def apply_rules(text: str, rules: list[Rule]) -> str:
    """Apply rules in stage order until the text stops changing."""
    ordered = sorted(rules, key=lambda rule: rule.stage)
    for _ in range(3):
        before = text
        for rule in ordered:
            text = rule.apply(text)
        if text == before:
            break
    return text


# -- words -------------------------------------------------------------------------


def match_case(original: str, replacement: str) -> str:
    """The replacement written in the case of the original word."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class WordMapRule(Rule):
    """Case-keeping replacement of whole words or phrases from a mapping."""

    stage = 10

    def mapping(self) -> Mapping[str, str]:
        raise NotImplementedError

    def pattern(self) -> re.Pattern[str]:
        if not hasattr(self, "_pattern"):
            keys = sorted(self.mapping(), key=len, reverse=True)
            parts = [re.escape(k).replace(r"\ ", r"\s+").replace("'", "['’]") for k in keys]
            self._pattern = re.compile(
                rf"(?<![\w'’])(?:{'|'.join(parts)})(?![\w'’])", re.IGNORECASE
            )
        return self._pattern

    def replacement(self, key: str, match: re.Match[str]) -> str:
        return self.mapping()[key]

    def apply(self, text: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            key = re.sub(r"\s+", " ", match.group().lower()).replace("’", "'")
            return match_case(match.group(), self.replacement(key, match))

        return self.pattern().sub(substitute, text) if self.mapping() else text


@register
class Replace(WordMapRule):
    """One word or phrase the user always changes into another."""

    kind = "replace"

    def __init__(self, old: str, new: str) -> None:
        super().__init__(old=old.lower(), new=new)

    @property
    def slot(self) -> str:
        return f"replace:{self.params['old']}"

    def mapping(self) -> Mapping[str, str]:
        return {self.params["old"]: self.params["new"]}

    def describe(self) -> str:
        return f'Write "{self.params["new"]}" instead of "{self.params["old"]}".'


@register
class NoContractions(WordMapRule):
    """Contractions written out in full."""

    kind = "no_contractions"
    _HAS = re.compile(r"\s+(?:been|got|gotten)\b", re.IGNORECASE)
    _HAD = re.compile(r"\s+(?:better|been)\b", re.IGNORECASE)

    def mapping(self) -> Mapping[str, str]:
        return CONTRACTIONS

    def replacement(self, key: str, match: re.Match[str]) -> str:
        full = CONTRACTIONS[key]
        subject = full.rsplit(" ", 1)[0]
        if key.endswith("'s") and key != "let's" and self._HAS.match(match.string, match.end()):
            return f"{subject} has"
        if key.endswith("'d") and self._HAD.match(match.string, match.end()):
            return f"{subject} had"
        return full

    def describe(self) -> str:
        return 'Write contractions out in full ("do not", not "don\'t").'


@register
class PlainWords(WordMapRule):
    """Formal words replaced by plain ones."""

    kind = "plain_words"
    stage = 5  # before spelling: "utilize" becomes "use", not "utilise"

    def mapping(self) -> Mapping[str, str]:
        return PLAIN_WORDS

    def describe(self) -> str:
        return 'Use plain words, not formal ones ("use", not "utilize").'


SUFFIXES = (
    "", "s", "es", "e", "ed", "ing", "ings", "er", "ers", "ful", "able", "ably", "ite", "ites",
    "ation", "ations", "al", "ally", "less", "ly", "hood", "hoods",
)  # fmt: skip


@register
class BritishSpelling(WordMapRule):
    """American spellings turned British, inflections included."""

    kind = "british_spelling"

    def mapping(self) -> Mapping[str, str]:
        return BRITISH_STEMS

    def pattern(self) -> re.Pattern[str]:
        if not hasattr(self, "_pattern"):
            stems = "|".join(sorted(map(re.escape, BRITISH_STEMS), key=len, reverse=True))
            suffixes = "|".join(sorted(SUFFIXES, key=len, reverse=True))
            self._pattern = re.compile(rf"\b({stems})({suffixes})\b", re.IGNORECASE)
        return self._pattern

    def apply(self, text: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            stem, suffix = match.group(1), match.group(2)
            if stem.lower() in WHOLE_WORD_ONLY and suffix not in ("", "s"):
                return match.group()
            new = BRITISH_STEMS[stem.lower()]
            if new.endswith("re") and suffix[:1] in ("e", "i"):  # centered -> centred
                new = new[:-1]
            if stem.lower().endswith("z") and not suffix:
                return match.group()
            return match_case(stem, new) + suffix

        return self.pattern().sub(substitute, text)

    def describe(self) -> str:
        return 'Use British spelling ("colour", "organise", "centre").'


@register
class NoExclamation(Rule):
    """Exclamation marks become full stops."""

    kind = "no_exclamation"
    stage = 10
    _RUN = re.compile(r"[!?.]*![!?.]*")

    def apply(self, text: str) -> str:
        return self._RUN.sub(lambda m: "?" if "?" in m.group() else ".", text)

    def describe(self) -> str:
        return "Do not use exclamation marks."


# Words that open an introductory phrase, not a list: "After lunch, Sam and I ...".
INTRODUCTORY = {
    "after", "before", "when", "while", "if", "although", "though", "in", "on", "at", "for",
    "by", "during", "since", "because", "however", "yesterday", "today", "tomorrow", "then",
    "so", "but", "also", "first", "finally", "meanwhile", "still", "as", "once", "with",
    "without", "unlike", "like", "instead", "besides", "otherwise", "now", "here", "there",
}  # fmt: skip
CONJUNCTION = re.compile(r"(?<=\w) (and|or) (?=\w)")


@register
class SerialComma(Rule):
    """A comma before the "and" or "or" that ends a list of three or more."""

    kind = "serial_comma"
    stage = 10

    @staticmethod
    def _is_list(before: str) -> bool:
        clause = re.split(r"[.;:!?()\n]", before)[-1]
        items = [item.split() for item in clause.split(",")]
        run = 0
        for words in reversed(items):
            if not 1 <= len(words) <= 3:
                break
            run += 1
        if len(items) < 2 or run == 0:
            return False
        if run >= 3:
            return True
        head = items[-2]  # "red, green or blue"; "two dogs, a cat and a toddler"
        return bool(head) and head[0].lower() not in INTRODUCTORY

    def apply(self, text: str) -> str:
        def comma(match: re.Match[str]) -> str:
            before = text[: match.start()]
            return f", {match[1]} " if self._is_list(before) else match.group()

        return CONJUNCTION.sub(comma, text)

    def describe(self) -> str:
        return 'Use the serial comma in lists ("A, B, and C").'


# -- the body --------------------------------------------------------------------


class ShapeRule(Rule):
    """A rule over the parts of a text: greeting, label, body, sign-off."""

    def apply(self, text: str) -> str:
        shape = parse(text)
        new = self.reshape(shape)
        return text if new == shape else new.render()

    @abstractmethod
    def reshape(self, shape: Shape) -> Shape: ...


def _sentence_ends(body: str) -> list[int]:
    ends, position = [], 0
    for sentence in split_sentences(body):
        found = body.find(sentence, position)
        position = found + len(sentence) if found >= 0 else position
        ends.append(position)
    return ends


@register
class MaxSentences(ShapeRule):
    """At most ``n`` sentences in the body."""

    kind = "max_sentences"
    stage = 20

    def __init__(self, n: int) -> None:
        super().__init__(n=int(n))

    def reshape(self, shape: Shape) -> Shape:
        ends = _sentence_ends(shape.body)
        if len(ends) <= self.params["n"]:
            return shape
        return replace(shape, body=shape.body[: ends[self.params["n"] - 1]].rstrip())

    def describe(self) -> str:
        n = self.params["n"]
        return f"Use at most {n} sentence{'s' if n != 1 else ''}."


def _heading(body: str) -> tuple[str, str]:
    """A short first line ending in a colon ("Hiring update:") and the rest of the body."""
    first, _, rest = body.partition("\n")
    if first.rstrip().endswith(":") and len(first.split()) <= 4 and rest.strip():
        return first.strip(), rest
    return "", body


@register
class Bullets(ShapeRule):
    """The body as a list: one sentence per line, each starting with "- "."""

    kind = "bullets"
    stage = 30

    def reshape(self, shape: Shape) -> Shape:
        heading, body = _heading(shape.body)
        sentences = split_sentences(body)
        if not sentences or (is_list(body) and len(sentences) == body.count("\n") + 1):
            return shape
        items = "\n".join(f"- {s}" for s in sentences)
        return replace(shape, body=f"{heading}\n{items}" if heading else items)

    def describe(self) -> str:
        return "Write the main text as a bulleted list, one sentence per line."


@register
class Label(ShapeRule):
    """The body opens with a label such as "TL;DR:"."""

    kind = "label"
    stage = 40

    def __init__(self, text: str) -> None:
        super().__init__(text=text)

    def reshape(self, shape: Shape) -> Shape:
        label, body = self.params["text"], shape.body
        if body.startswith(label):  # a label parse() does not know, followed by a list
            body = body[len(label) :].strip()
        return replace(shape, label=label, body=body)

    def describe(self) -> str:
        return f'Start the main text with "{self.params["text"]}".'


# -- the frame -------------------------------------------------------------------


@register
class Greeting(ShapeRule):
    """A fixed greeting line."""

    kind = "greeting"
    stage = 50

    def __init__(self, text: str) -> None:
        super().__init__(text=text)

    def reshape(self, shape: Shape) -> Shape:
        return replace(shape, greeting=self.params["text"])

    def describe(self) -> str:
        return f'Open with the greeting "{self.params["text"]}".'


@register
class Signoff(ShapeRule):
    """Fixed closing lines, such as "Best," and a name."""

    kind = "signoff"
    stage = 50

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines=list(lines))

    def reshape(self, shape: Shape) -> Shape:
        return replace(shape, signoff=tuple(self.params["lines"]))

    def describe(self) -> str:
        first, *rest = self.params["lines"]
        name = f' and the name "{rest[0]}" below it' if rest else ""
        return f'Sign off with "{first}"{name}.'
