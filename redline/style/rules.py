"""Rewrite rules learned from edits: deterministic, idempotent, described in words.

A rule's ``spec`` (a JSON dict) is what the store keeps; ``make_rule`` builds
it back. ``slot`` names what the rule decides, so two rules in one slot
(``prefix`` "TL;DR:" and ``prefix`` "Summary:") contradict each other.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from redline.style.lexicons import CONTRACTIONS, LEXICONS
from redline.style.shape import UNITS, Shape, is_list, parse, split_sentences, unit_spans

RULE_TYPES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: a rule type ``make_rule`` can build by its ``kind``."""
    RULE_TYPES[cls.kind] = cls
    return cls


def make_rule(spec: Mapping[str, Any]) -> Rule:
    """The rule a spec describes, e.g. ``{"kind": "keep_first", "n": 3, "unit": "sentence"}``."""
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
class LexiconMap(WordMapRule):
    """Words rewritten by a word list from a general source (``lexicons.LEXICONS``), by name."""

    kind = "lexicon"

    def __init__(self, lexicon: str) -> None:
        if lexicon not in LEXICONS:
            raise ValueError(f"unknown lexicon {lexicon!r}; known: {', '.join(LEXICONS)}")
        super().__init__(lexicon=lexicon)
        self.words = LEXICONS[lexicon]
        self.stage = self.words.stage

    @property
    def slot(self) -> str:
        return f"lexicon:{self.params['lexicon']}"

    def mapping(self) -> Mapping[str, str]:
        return self.words.mapping

    def pattern(self) -> re.Pattern[str]:
        if not self.words.suffixes:
            return super().pattern()
        if not hasattr(self, "_pattern"):
            stems = "|".join(sorted(map(re.escape, self.words.mapping), key=len, reverse=True))
            suffixes = "|".join(sorted(self.words.suffixes, key=len, reverse=True))
            self._pattern = re.compile(rf"\b({stems})({suffixes})\b", re.IGNORECASE)
        return self._pattern

    def apply(self, text: str) -> str:
        if not self.words.suffixes:
            return super().apply(text)
        words = self.words

        def substitute(match: re.Match[str]) -> str:
            stem, suffix = match.group(1), match.group(2)
            key = stem.lower()
            if (key in words.whole_word_only and suffix not in ("", "s")) or (
                key in words.bound and not suffix
            ):
                return match.group()
            new = words.mapping[key]
            if new.endswith("e") and suffix[:1] in ("e", "i"):  # centre + ed -> centred
                new = new[:-1]
            return match_case(stem, new) + suffix

        return self.pattern().sub(substitute, text)

    def describe(self) -> str:
        return self.words.description


@register
class MapMark(Rule):
    """A punctuation mark the user writes as another: a run of marks ending a clause that holds
    ``old`` becomes ``new`` (a run holding "?" stays a question)."""

    kind = "map_mark"
    stage = 10

    def __init__(self, old: str, new: str = ".") -> None:
        super().__init__(old=old, new=new)
        self._run = re.compile(rf"[!?.]*{re.escape(old)}+[!?.]*(?!\w)")

    @property
    def slot(self) -> str:
        return f"map_mark:{self.params['old']}"

    def apply(self, text: str) -> str:
        old, new = self.params["old"], self.params["new"]
        return self._run.sub(lambda m: "?" if "?" in m.group() and old != "?" else new, text)

    def describe(self) -> str:
        old, new = self.params["old"], self.params["new"]
        name = unicodedata.name(old, repr(old)).lower()
        instead = "" if new == "." else f' Write "{new}" instead.'
        return f"Do not use {name}s.{instead}"


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


@register
class KeepFirst(ShapeRule):
    """Only the first ``n`` units of the body: sentences or paragraphs."""

    kind = "keep_first"
    stage = 20
    UNITS = ("sentence", "paragraph")

    def __init__(self, n: int, unit: str = "sentence") -> None:
        if unit not in self.UNITS:
            raise ValueError(f"unknown unit {unit!r}; known: {', '.join(self.UNITS)}")
        super().__init__(n=int(n), unit=unit)

    @property
    def slot(self) -> str:
        return f"keep_first:{self.params['unit']}"

    def reshape(self, shape: Shape) -> Shape:
        ends = [end for _, end in unit_spans(shape.body, self.params["unit"])]
        if len(ends) <= self.params["n"]:
            return shape
        return replace(shape, body=shape.body[: ends[self.params["n"] - 1]].rstrip())

    def describe(self) -> str:
        n, unit = self.params["n"], self.params["unit"]
        return f"Use at most {n} {unit}{'s' if n != 1 else ''}."


@register
class Split(ShapeRule):
    """Paragraphs of at most ``n`` sentences: a longer one is split (lists stay as they are)."""

    kind = "split"
    stage = 25

    def __init__(self, n: int) -> None:
        if int(n) < 1:
            raise ValueError("a split needs at least 1 sentence a paragraph")
        super().__init__(n=int(n))

    def reshape(self, shape: Shape) -> Shape:
        body, n = shape.body, self.params["n"]
        for start, end in reversed(unit_spans(body, "paragraph")):
            paragraph = body[start:end]
            spans = unit_spans(paragraph, "sentence")
            if len(spans) <= n or is_list(paragraph):
                continue
            groups = [spans[i : i + n] for i in range(0, len(spans), n)]
            split = "\n\n".join(paragraph[group[0][0] : group[-1][1]] for group in groups)
            body = body[:start] + split + body[end:]
        return replace(shape, body=body)

    def describe(self) -> str:
        n = self.params["n"]
        return f"Keep paragraphs to at most {n} sentence{'s' if n != 1 else ''}."


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
class Wrap(ShapeRule):
    """Text put before and after the first, last or every sentence, paragraph or line of the
    body ("**" around the first sentence, "> " before every paragraph, ...)."""

    kind = "wrap"
    stage = 35
    WHICH = ("first", "last", "every")

    def __init__(self, unit: str, which: str, before: str = "", after: str = "") -> None:
        if unit not in UNITS or which not in self.WHICH or not (before or after):
            raise ValueError(
                f"a wrap needs a unit ({', '.join(UNITS)}), which ({', '.join(self.WHICH)})"
                " and text to put before or after it"
            )
        super().__init__(unit=unit, which=which, before=before, after=after)

    @property
    def slot(self) -> str:
        return f"wrap:{self.params['which']}:{self.params['unit']}"

    def reshape(self, shape: Shape) -> Shape:
        before, after, body = self.params["before"], self.params["after"], shape.body
        spans = unit_spans(body, self.params["unit"])
        chosen = {"first": spans[:1], "last": spans[-1:], "every": spans}[self.params["which"]]
        for start, end in reversed(chosen):
            if after and not body.startswith(after, end) and not body[:end].endswith(after):
                body = body[:end] + after + body[end:]
            if before and not body.startswith(before, start) and not body[:start].endswith(before):
                body = body[:start] + before + body[start:]
        return replace(shape, body=body)

    def describe(self) -> str:
        put = " and ".join(
            f'"{text}" {where}'
            for text, where in ((self.params["before"], "before"), (self.params["after"], "after"))
            if text
        )
        which = "each" if self.params["which"] == "every" else "the " + self.params["which"]
        return f"Put {put} {which} {self.params['unit']} of the main text."


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


# Rule kinds defined in modules of their own register themselves on import.
from redline.style import rewrites  # noqa: E402, F401
