"""Preferences written in words, turned into the rules that enforce them.

A user may type a preference ("Keep it to at most 3 sentences. Sign off with
'Best, Sam'.") or correct a learned one; every sentence this module
understands becomes a rule, so even a small model's drafts follow it. A
sentence it does not understand stays a preference for the model's prompt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from redline.style.rewrites import rewrite_stated
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
)
from redline.style.shape import CLOSING, GREETING, LABEL_TEXT, NAME

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
QUOTED = re.compile(r"[\"“']([^\"”]+?)[\"”']")


def _quoted(sentence: str) -> list[str]:
    return [q.replace("\\n", "\n") for q in QUOTED.findall(sentence)]


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _paragraph_length(sentence: str) -> Rule | None:
    match = re.search(
        r"paragraphs? (?:to|of) (?:at most|no more than|up to) (\d+|one|two|three|four|five)"
        r" sentences?",
        sentence,
        re.IGNORECASE,
    )
    return Split(_count(match.group(1))) if match else None


def _wrap(sentence: str) -> Rule | None:
    match = re.search(
        r'^Put (?:"(.+?)" before)?(?: and )?(?:"(.+?)" after)? (each|the first|the last)'
        r" (sentence|paragraph|line) of the main text",
        sentence.strip(),
    )
    if not match or not (match[1] or match[2]):
        return None
    which = match[3].removeprefix("the ").replace("each", "every")
    return Wrap(match[4], which, match[1] or "", match[2] or "")


def _mark(sentence: str) -> Rule | None:
    """A mark named as ``MapMark.describe`` names it (its Unicode name)."""
    match = re.search(r'Do not use ([a-z][a-z -]+?)s\.(?:\s+Write "(.)" instead\.)?', sentence)
    try:
        return MapMark(unicodedata.lookup(match[1]), match[2] or ".") if match else None
    except KeyError:
        return None


def _limit(sentence: str) -> Rule | None:
    if _paragraph_length(sentence):
        return None
    match = re.search(
        r"(?:at most|no more than|up to|maximum of|max\.?|only|under|limit(?:ed)? to)\s+"
        r"(\d+|one|two|three|four|five|six|seven)\s+(sentence|paragraph)s?",
        sentence,
        re.IGNORECASE,
    ) or re.search(
        r"(\d+|one|two|three|four|five)\s+(sentence|paragraph)s?\s+(?:or fewer|or less|max)",
        sentence,
        re.I,
    )
    if not match:
        return None
    return KeepFirst(_count(match.group(1)), match.group(2).lower())


def _opening(sentence: str) -> Rule | None:
    if not re.search(r"\b(begin|start|open|lead|prefix|greet|greeting)", sentence, re.I):
        return None
    for text in _quoted(sentence):
        if LABEL_TEXT.fullmatch(text.strip()):
            return Label(text.strip())
        if GREETING.match(text.strip()):
            return Greeting(text.strip())
    return None


def _closing(sentence: str) -> Rule | None:
    if not re.search(r"\b(sign[- ]?off|end|close|closing|finish)", sentence, re.I):
        return None
    quoted = _quoted(sentence)
    lines = [line.strip() for q in quoted for line in q.split("\n") if line.strip()]
    if lines and CLOSING.match(lines[0]) and all(NAME.match(line) for line in lines[1:2]):
        return Signoff(lines[:2])
    return None


def _replacement(sentence: str) -> Rule | None:
    match = re.search(
        r"(?:write|use|say|prefer)\s+[\"“]([^\"”]+)[\"”],?\s+(?:instead of|not|rather than|over)"
        r"\s+[\"“]([^\"”]+)[\"”]",
        sentence,
        re.IGNORECASE,
    )
    return Replace(match.group(2), match.group(1)) if match else None


KEYWORD_RULES: list[tuple[str, Callable[[], Rule]]] = [
    (r"bullet|bulleted|list of points|as a list", Bullets),
    (r"exclamation", lambda: MapMark("!")),
    (r"contraction", NoContractions),
    (r"british|uk spelling|commonwealth spelling", lambda: LexiconMap("en-GB")),
    (
        r"plain (words|english|language)|formal words|simple words",
        lambda: LexiconMap("plain-english"),
    ),
    (r"oxford comma|serial comma", SerialComma),
]


def rules_from_text(preference: str) -> tuple[list[Rule], list[str]]:
    """The rules a preference states, and its sentences that state no rule."""
    rules: list[Rule] = []
    unparsed: list[str] = []
    for sentence in re.split(r"(?<=[.!])\s+(?=[A-Z])", preference.strip()):
        if rule := rewrite_stated(sentence) or _wrap(sentence):
            rules.extend([rule] if rule not in rules else [])
            continue
        parsers = (_limit, _paragraph_length, _opening, _closing, _mark)
        found = [rule for parse in parsers if (rule := parse(sentence))]
        found += [make() for pattern, make in KEYWORD_RULES if re.search(pattern, sentence, re.I)]
        if not found and (rule := _replacement(sentence)):
            found.append(rule)
        if found:
            rules.extend(rule for rule in found if rule not in rules)
        elif sentence.strip():
            unparsed.append(sentence.strip())
    return rules, unparsed
