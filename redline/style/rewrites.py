"""Token rewrites: rules of any shape, read off changes and generalised by anti-unification.

    a change (old tokens → new tokens, with the unchanged token on each side)
      │
      ▼
    literal rewrite: every old token matched as it is; the new text built from
      │              copies of old tokens (as they are, or in lower, upper or
      │              title case) and constants
      ▼
    rewrites of one shape ──anti-unify──▶ the most specific rewrite covering both:
                                          a token that differs becomes the narrowest
                                          token class both belong to (a number, a
                                          capitalised word, ...); an edge token of
                                          context that does not unify is dropped

Nothing here names a preference: "40 percent" → "40%", "Slack" → "`Slack`",
"04/03/2025" → "2025-03-04" and "follow up" → "follow-up" are all rewrites,
and which of them generalise is decided by the edits (Getafix's anti-unification,
Refazer's and FlashFill's derivations of new text from copies of the old).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from redline.style.rules import Rule, register

# Tokens: numbers (with decimal or thousands marks), words, single marks.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?!\w)|\w+|[^\w\s]")
# Token classes, the narrowest first; every one of them lies inside "word".
CLASSES: dict[str, tuple[str, str]] = {
    "number": (r"\d+(?:[.,]\d+)*", "a number"),
    "upper": (r"[A-Z][A-Z0-9]+", "a word in capitals"),
    "capitalised": (r"[A-Z][a-z]+", "a capitalised word"),
    "mixed": (r"[a-z]*[A-Z]?[a-z]+(?:[A-Z][a-z0-9]*)+", "a word in mixed case"),
    "lower": (r"[a-z]+", "a lower-case word"),
    "word": (r"\w+", "a word"),
}
CASES = {
    "same": lambda s: s,
    "lower": str.lower,
    "upper": str.upper,
    "title": lambda s: s[:1].upper() + s[1:],
}
# A change is read as a rewrite when it spans at most this many tokens, context included.
MAX_TOKENS = 8
# Changes at most this many tokens apart are also read as one.
JOIN = 2

Part = str | list  # a constant, or [index of the old token copied, case]


def _is_class(element: str) -> bool:
    return len(element) > 2 and element.startswith("<") and element.endswith(">")


def _class_of(element: str) -> str:
    return element[1:-1]


def _element_pattern(element: str) -> str:
    if _is_class(element):
        return CLASSES[_class_of(element)][0]
    if element.islower():  # a lower-case word is also written capitalised, at a sentence start
        return f"(?i:{re.escape(element)})"
    return re.escape(element)


@register
class Rewrite(Rule):
    """Runs of tokens matching ``match`` (literals and ``<class>`` elements, whitespace between
    them where ``gaps`` says) are written as ``output``: constants and copies of matched tokens."""

    kind = "rewrite"
    stage = 10

    def __init__(self, match: Sequence[str], gaps: Sequence[bool], output: Sequence[Part]) -> None:
        parts = [p if isinstance(p, str) else [int(p[0]), str(p[1])] for p in output]
        super().__init__(match=list(match), gaps=[bool(g) for g in gaps], output=parts)
        if not match or len(gaps) != len(match) - 1:
            raise ValueError("a rewrite needs tokens to match and one gap between each two")
        for element in match:
            if _is_class(element) and _class_of(element) not in CLASSES:
                raise ValueError(f"unknown token class {element}; known: {', '.join(CLASSES)}")
        for part in parts:
            if not isinstance(part, str) and (
                not 0 <= part[0] < len(match) or part[1] not in CASES
            ):
                raise ValueError(f"a rewrite copies token {part[0]} in case {part[1]!r}")
        body = "".join(
            f"({_element_pattern(e)})" + (("\\s+" if gaps[i] else "") if i < len(gaps) else "")
            for i, e in enumerate(match)
        )
        before = r"(?<!\w)" if re.match(r"\w", _sample(match[0])) else ""
        after = r"(?!\w)" if re.match(r"\w", _sample(match[-1])) else ""
        self._pattern = re.compile(before + body + after)

    @property
    def slot(self) -> str:
        return "rewrite:" + " ".join(self.params["match"])

    @property
    def literal(self) -> bool:
        """Whether every token is matched as it is (one change seen, nothing generalised)."""
        return not any(_is_class(e) for e in self.params["match"])

    def render(self, tokens: Sequence[str]) -> str:
        """The output for matched tokens."""
        return "".join(
            p if isinstance(p, str) else CASES[p[1]](tokens[p[0]]) for p in self.params["output"]
        )

    def apply(self, text: str) -> str:
        def substitute(found: re.Match[str]) -> str:
            new = self.render(found.groups())
            window = text[max(0, found.start() - len(new)) : found.end() + len(new)]
            return found.group() if new in window else new  # already written that way

        return self._pattern.sub(substitute, text)

    def describe(self) -> str:
        match, gaps = self.params["match"], self.params["gaps"]
        names = _placeholders(match)
        spaced = [" " if gap else "" for gap in gaps] + [""]
        old = "".join(name + space for name, space in zip(names, spaced, strict=True))
        new = "".join(
            p if isinstance(p, str) else _copy_name(match[p[0]], names[p[0]], p[1])
            for p in self.params["output"]
        )
        return f'Write "{old}" as "{new}".'


CASE_NAMES = {"lower": "in lower case", "upper": "in capitals", "title": "capitalised"}


def _copy_name(element: str, name: str, case: str) -> str:
    if case == "same":
        return name
    if not _is_class(element):
        return CASES[case](element)
    return name[:-1] + ", " + CASE_NAMES[case] + "}"


def _sample(element: str) -> str:
    """A token the element matches (to see whether it is a word)."""
    return "a" if _is_class(element) else element


def _placeholders(match: Sequence[str]) -> list[str]:
    """Each element as the description shows it: literals as they are, classes as {a number}."""
    classes = [e for e in match if _is_class(e)]
    names, seen = [], {}
    for element in match:
        if not _is_class(element):
            names.append(element)
            continue
        seen[element] = seen.get(element, 0) + 1
        number = f" {seen[element]}" if classes.count(element) > 1 else ""
        names.append("{" + CLASSES[_class_of(element)][1] + number + "}")
    return names


# -- reading rewrites off an edit ------------------------------------------------------


def _tokens(text: str) -> list[re.Match[str]]:
    return list(TOKEN.finditer(text))


def _derive(old: Sequence[str], new: Sequence[str], spaces: Sequence[str]) -> list[Part]:
    """The new tokens as copies of old ones (in order where they repeat) and constants;
    ``spaces[k]`` is the whitespace before new token k + 1."""
    parts: list[Part] = []
    used: set[int] = set()
    for k, token in enumerate(new):
        copy = None
        for case, convert in CASES.items():
            choices = [i for i, o in enumerate(old) if convert(o) == token]
            choices = [i for i in choices if i not in used] or choices
            if choices:
                copy = [choices[0], case]
                used.add(choices[0])
                break
        parts.append(copy if copy else token)
        if k < len(spaces) and spaces[k]:
            parts.append("\n" if "\n" in spaces[k] else " ")
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def _changed_runs(opcodes: list[tuple[str, int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Each changed run of tokens, and each run of changes at most ``JOIN`` tokens apart
    (a name wrapped in marks is an insertion on each side of it)."""
    changes = [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in opcodes if op != "equal"]
    runs = list(changes)
    for first, change in enumerate(changes):
        for later in changes[first + 1 :]:
            if later[0] - change[1] > JOIN or later[1] - change[0] > MAX_TOKENS:
                break
            runs.append((change[0], later[1], change[2], later[3]))
            change = later
    return runs


def literal_rewrites(old_text: str, new_text: str) -> list[Rewrite]:
    """The literal rewrites each changed run of tokens shows: the run alone, and with the
    unchanged token before it, after it or both (a deletion or insertion needs context)."""
    old, new = _tokens(old_text), _tokens(new_text)
    matcher = difflib.SequenceMatcher(
        None, [m.group() for m in old], [m.group() for m in new], autojunk=False
    )
    found: list[Rewrite] = []
    for i1, i2, j1, j2 in _changed_runs(matcher.get_opcodes()):
        left = 1 if i1 > 0 and j1 > 0 else 0
        right = 1 if i2 < len(old) and j2 < len(new) else 0
        spans = {(i1 - x, i2 + y, j1 - x, j2 + y) for x in (0, left) for y in (0, right)}
        for a, b, c, d in sorted(spans):
            if a == b or b - a > MAX_TOKENS or d - c > MAX_TOKENS + 2:
                continue
            match = [m.group() for m in old[a:b]]
            gaps = [old[k].end() < old[k + 1].start() for k in range(a, b - 1)]
            spaces = [new_text[new[k].end() : new[k + 1].start()] for k in range(c, d - 1)]
            rewrite = Rewrite(match, gaps, _derive(match, [m.group() for m in new[c:d]], spaces))
            if rewrite not in found:
                found.append(rewrite)
    return found


# -- anti-unification --------------------------------------------------------------------


def _classes_of(element: str) -> list[str]:
    if _is_class(element):
        name = _class_of(element)
        return [name] if name == "word" else [name, "word"]
    return [n for n, (pattern, _) in CLASSES.items() if re.fullmatch(pattern, element)]


def _unify(a: str, b: str) -> str | None:
    """The most specific element matching both, or None."""
    if a == b:
        return a
    if a.lower() == b.lower() and not _is_class(a) and not _is_class(b):
        return a.lower()
    shared = [name for name in _classes_of(a) if name in _classes_of(b)]
    return f"<{shared[0]}>" if shared else None


def _drop_edge(rule: Rewrite, side: int) -> Rewrite | None:
    """The rule without its first (side 0) or last (side -1) token of context, when the
    output only copies that token unchanged at the same edge."""
    match, gaps, output = rule.params["match"], rule.params["gaps"], list(rule.params["output"])
    index = 0 if side == 0 else len(match) - 1
    if len(match) < 2 or not output or output[side] != [index, "same"]:
        return None
    output.pop(side)
    if any(not isinstance(p, str) and p[0] == index for p in output):
        return None
    gap = gaps[0] if side == 0 else gaps[-1]
    if output and isinstance(output[side], str) and gap:
        output[side] = output[side].lstrip() if side == 0 else output[side].rstrip()
        if not output[side]:
            output.pop(side)
    shift = 1 if side == 0 else 0
    output = [p if isinstance(p, str) else [p[0] - shift, p[1]] for p in output]
    return Rewrite(
        match[1:] if side == 0 else match[:-1], gaps[1:] if side == 0 else gaps[:-1], output
    )


def _same_form(a: Rewrite, b: Rewrite) -> bool:
    return (
        len(a.params["match"]) == len(b.params["match"])
        and a.params["gaps"] == b.params["gaps"]
        and a.params["output"] == b.params["output"]
    )


def generalise(a: Rewrite | None, b: Rewrite | None, trim: bool = True) -> Rewrite | None:
    """The most specific rewrite that does what both do (anti-unification), or None.

    Where the two differ in their context, the context is dropped: first the
    token after the change, then the one before, then both."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    if _same_form(a, b):
        unified = [_unify(x, y) for x, y in zip(a.params["match"], b.params["match"], strict=True)]
        if None not in unified:
            return Rewrite(unified, a.params["gaps"], a.params["output"])
        if None in unified[1:-1]:
            return None
    if not trim:
        return None
    for sides in ((-1,), (0,), (-1, 0)):
        narrower_a, narrower_b = a, b
        for side in sides:
            narrower_a = narrower_a and _drop_edge(narrower_a, side)
            narrower_b = narrower_b and _drop_edge(narrower_b, side)
        general = generalise(narrower_a, narrower_b, trim=False)
        if general is not None:
            return general
    return None


def generalisations(rewrites: Sequence[Rewrite], others: Sequence[Rewrite] = ()) -> list[Rewrite]:
    """Rewrites covering two or more of ``rewrites`` (or one of them and one of ``others``),
    each grown as far as the rest of them allow; the literal ones are not repeated."""
    found: list[Rewrite] = []
    pool = list(rewrites)
    for i, first in enumerate(pool):
        for second in [*pool[i + 1 :], *others]:
            general = generalise(first, second)
            if general is None or general in pool or general in found:
                continue
            for more in pool:
                wider = generalise(general, more)
                general = wider if wider is not None else general
            if general not in found:
                found.append(general)
    return found


# -- reading a rewrite back from its description --------------------------------------------

STATED = re.compile(r'^\s*Write "(.+)" as "(.*)"\.?\s*$', re.DOTALL)
PLACEHOLDER = re.compile(r"\{([^{}]+?)(?: (\d+))?(?:, (in lower case|in capitals|capitalised))?\}")


PIECE = re.compile(rf"(?P<placeholder>{PLACEHOLDER.pattern})|(?P<token>{TOKEN.pattern})|\s+")


def _pieces(text: str) -> tuple[list[str], list[str], dict[str, str]]:
    """Tokens (a placeholder as one token, written {name n}), the whitespace after each,
    and the case each placeholder asks for."""
    tokens: list[str] = []
    spaces: list[str] = []
    cases: dict[str, str] = {}
    for piece in PIECE.finditer(text):
        if piece["placeholder"]:
            found = PLACEHOLDER.fullmatch(piece[0])
            token = "{" + found[1] + (f" {found[2]}" if found[2] else "") + "}"
            if found[3]:
                cases[token] = {v: k for k, v in CASE_NAMES.items()}[found[3]]
        elif piece["token"]:
            token = piece[0]
        else:
            if spaces:
                spaces[-1] = piece[0]
            continue
        tokens.append(token)
        spaces.append("")
    return tokens, spaces, cases


def rewrite_stated(sentence: str) -> Rewrite | None:
    """The rewrite a sentence of the form ``Write "OLD" as "NEW".`` states (as ``describe``
    writes it), or None."""
    stated = STATED.match(sentence)
    if not stated:
        return None
    names = {description: name for name, (_, description) in CLASSES.items()}
    old, old_spaces, _ = _pieces(stated[1])
    new, new_spaces, cases = _pieces(stated[2])
    match = []
    for token in old:
        found = PLACEHOLDER.fullmatch(token)
        if found and found[1] not in names:
            return None
        match.append(f"<{names[found[1]]}>" if found else token)
    output = [
        p if isinstance(p, str) else [p[0], cases.get(old[p[0]], p[1])]
        for p in _derive(old, new, new_spaces[:-1])
    ]
    try:
        return Rewrite(match, [bool(s) for s in old_spaces[:-1]], output) if old else None
    except ValueError:
        return None
