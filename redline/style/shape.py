"""The shape of a short text: greeting line, lead label, body sentences, sign-off lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

GREETING = re.compile(
    r"^(hi|hello|hey|dear|greetings|good (morning|afternoon|evening)|morning|hiya|to)\b[^\n]{0,40}"
    r"[,!:]?$",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"^(best( regards| wishes)?|kind regards|warm regards|regards|cheers|thanks( again| all)?|"
    r"thank you|many thanks|sincerely|yours( truly| sincerely)?|all the best|talk soon|"
    r"speak soon|take care|love|warmly)[,.!]?$",
    re.IGNORECASE,
)
NAME = re.compile(r"^[A-Z][\w.'-]*( [A-Z][\w.'-]*){0,2}$")
# A label that opens a body, such as "TL;DR:", "Summary:" or "In short:": one of these
# anywhere, or any word or two and a colon followed by text on the same line (a line
# such as "Hiring update:" above a list is a heading, not a label).
KNOWN_LABELS = (
    "TL;DR", "TLDR", "Summary", "In short", "In brief", "Verdict", "Bottom line", "Key points",
    "Overview", "Takeaway", "Takeaways", "Recap", "Gist", "BLUF", "Short version", "Highlights",
    "Conclusion", "Abstract", "Note", "Update", "Status",
)  # fmt: skip
LABEL = re.compile(
    rf"^((?:{'|'.join(re.escape(label) for label in KNOWN_LABELS)}):)(?=\s|$)"
    r"|^([A-Z][\w;'/&-]*(?: [\w;'/&-]+)?:)(?=[ \t]+\S)",
    re.IGNORECASE,
)
# What a label looks like on its own, as a preference quotes it.
LABEL_TEXT = re.compile(r"[A-Z][\w;'/&-]*(?: [\w;'/&-]+)?:", re.IGNORECASE)
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Abbreviations, initials and decimals do not end a sentence.
_NOT_AN_END = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|sr|jr|st|vs|etc|e\.g|i\.e|approx|inc|ltd|no|fig|a\.m|p\.m"
    r"|u\.s|u\.k)|\b[A-Z])\.$",
    re.IGNORECASE,
)
TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """Words and single punctuation marks: the units edit costs are counted in."""
    return TOKEN.findall(text)


def edit_distance(a: str, b: str) -> int:
    """Word-level Levenshtein distance between two texts (whitespace ignored)."""
    return Levenshtein.distance(tokens(a), tokens(b))


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; a line break always ends one; list markers are dropped."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = LIST_MARKER.sub("", line).strip()
        start = 0
        for match in re.finditer(r"[.!?]+[\"')\]*_`]*(?=\s+|$)", line):
            candidate = line[start : match.end()]
            if _NOT_AN_END.search(candidate) and match.end() < len(line):
                continue
            if candidate.strip():
                sentences.append(candidate.strip())
            start = match.end()
        if line[start:].strip():
            sentences.append(line[start:].strip())
    return sentences


# A paragraph: lines up to a blank line.
PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
UNITS = ("sentence", "paragraph", "line")


def unit_spans(body: str, unit: str) -> list[tuple[int, int]]:
    """Where each sentence (list markers left out), paragraph or line of a body starts and ends."""
    if unit == "sentence":
        spans, position = [], 0
        for sentence in split_sentences(body):
            found = body.find(sentence, position)
            if found >= 0:
                spans.append((found, found + len(sentence)))
                position = found + len(sentence)
        return spans
    pattern = PARAGRAPH if unit == "paragraph" else re.compile(r"[^\n]+")
    return [
        (m.start() + len(m[0]) - len(m[0].lstrip()), m.start() + len(m[0].rstrip()))
        for m in pattern.finditer(body)
        if m[0].strip()
    ]


def is_list(text: str) -> bool:
    """Whether every non-empty line of the text is a list item."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 1 and all(LIST_MARKER.match(line) for line in lines)


@dataclass(frozen=True)
class Shape:
    """A text cut into its parts; ``render`` puts them back together."""

    greeting: str | None
    label: str | None
    body: str
    signoff: tuple[str, ...]

    def render(self) -> str:
        body = self.body
        if self.label:
            joiner = "\n" if not body or is_list(body) else " "
            body = f"{self.label}{joiner}{body}".rstrip()
        parts = [p for p in (self.greeting, body, "\n".join(self.signoff)) if p]
        return "\n\n".join(parts)

    def sentences(self) -> list[str]:
        return split_sentences(self.body)


def parse(text: str) -> Shape:
    """Find the greeting line, the sign-off lines and the body's opening label."""
    lines = [line.strip() for line in text.strip().split("\n")]
    greeting = None
    if len(lines) > 1 and GREETING.match(lines[0]) and len(lines[0].split()) <= 6:
        greeting, lines = lines[0], lines[1:]
    signoff: tuple[str, ...] = ()
    content = [i for i, line in enumerate(lines) if line]
    if content:
        last = content[-1]
        if CLOSING.match(lines[last]):
            signoff, lines = (lines[last],), lines[:last]
        elif len(content) >= 2 and NAME.match(lines[last]) and CLOSING.match(lines[content[-2]]):
            signoff, lines = (lines[content[-2]], lines[last]), lines[: content[-2]]
    body = "\n".join(lines).strip()
    label = None
    match = LABEL.match(body)
    if match:
        label, body = match.group(match.lastindex), body[match.end() :].strip()
    return Shape(greeting, label, body, signoff)
