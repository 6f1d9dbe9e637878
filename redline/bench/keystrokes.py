"""The simulated typist of `redline bench ksr` and its keystroke-savings metrics.

A simulated user types each target text from left to right. At every word
boundary (the start, and right after each run of whitespace) and right after
each accepted suggestion, the system under test suggests a continuation of the
text typed so far. The user accepts the longest whole-word prefix of it that
matches what they meant to type, for one keystroke (Tab); otherwise they type
the next word and the whitespace after it by hand, one keystroke a character.
KSR = 1 - keystrokes / characters.

In mid-word mode the user is asked after every keystroke, as an editor asks
for an inline completion and a phone keyboard finishes the word being typed:
a suggestion may begin inside the current word ("upd" -> "ate on the"); when
nothing of it is taken, the user types one character and is asked again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Suggest = Callable[[str], str]


# -- the simulated user --------------------------------------------------------


@dataclass
class TargetResult:
    """What typing one target text cost, and how the suggestions fared."""

    chars: int
    id: str = ""
    kind: str = ""
    keystrokes: int = 0
    calls: int = 0
    shown: int = 0  # calls that returned a non-empty suggestion
    accepted: int = 0
    accepted_words: int = 0
    latencies_s: list[float] = field(default_factory=list, repr=False)

    @property
    def ksr(self) -> float:
        return 1.0 - self.keystrokes / self.chars if self.chars else 0.0


def _splits_no_word(text: str, cut: int) -> bool:
    """Whether cutting ``text`` before index ``cut`` (> 0) leaves every word whole."""
    return cut >= len(text) or text[cut].isspace() or text[cut - 1].isspace()


def accepted_length(upcoming: str, suggestion: str) -> int:
    """How many characters of ``suggestion`` the user accepts before typing ``upcoming``.

    The longest prefix of the suggestion that equals the upcoming text, ends
    on a whole-word cut of both and holds at least one word; 0 when none does.
    """
    same = 0
    for wanted, offered in zip(upcoming, suggestion, strict=False):
        if wanted != offered:
            break
        same += 1
    for cut in range(same, 0, -1):
        if _splits_no_word(upcoming, cut) and _splits_no_word(suggestion, cut):
            return cut if suggestion[:cut].strip() else 0
    return 0


def _typed_by_hand(target: str, pos: int) -> int:
    """Where typing by hand from ``pos`` stops: past the word there and the whitespace after it."""
    end = pos
    while end < len(target) and not target[end].isspace():
        end += 1
    while end < len(target) and target[end].isspace():
        end += 1
    return end


def simulate(
    target: str, suggest: Suggest, *, target_id: str = "", kind: str = "", midword: bool = False
) -> TargetResult:
    """Type ``target`` with the help of ``suggest`` and count the keystrokes (``midword``:
    asked after every keystroke, not only at word boundaries)."""
    result = TargetResult(chars=len(target), id=target_id, kind=kind)
    pos = 0
    while pos < len(target):
        start = time.perf_counter()
        suggestion = suggest(target[:pos]) or ""
        result.latencies_s.append(time.perf_counter() - start)
        result.calls += 1
        result.shown += bool(suggestion)
        taken = accepted_length(target[pos:], suggestion)
        if taken:
            result.keystrokes += 1
            result.accepted += 1
            result.accepted_words += len(suggestion[:taken].split())
            pos += taken
        else:
            end = pos + 1 if midword else _typed_by_hand(target, pos)
            result.keystrokes += end - pos
            pos = end
    return result


# -- metrics ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Metrics over a set of targets; KSR is character-weighted, ``ksr_macro`` per target."""

    targets: int
    chars: int
    keystrokes: int
    ksr: float
    ksr_macro: float
    calls: int
    shown: int
    accepted: int
    acceptance_rate: float  # accepted / shown
    words_per_acceptance: float
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    setup_s: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated linearly; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(results: Iterable[TargetResult], setup_s: float = 0.0) -> Summary:
    """Aggregate per-target results into one :class:`Summary`."""
    rows = list(results)
    chars = sum(r.chars for r in rows)
    keystrokes = sum(r.keystrokes for r in rows)
    shown = sum(r.shown for r in rows)
    accepted = sum(r.accepted for r in rows)
    latencies = [s * 1000 for r in rows for s in r.latencies_s]
    return Summary(
        targets=len(rows),
        chars=chars,
        keystrokes=keystrokes,
        ksr=1.0 - keystrokes / chars if chars else 0.0,
        ksr_macro=sum(r.ksr for r in rows) / len(rows) if rows else 0.0,
        calls=sum(r.calls for r in rows),
        shown=shown,
        accepted=accepted,
        acceptance_rate=accepted / shown if shown else 0.0,
        words_per_acceptance=sum(r.accepted_words for r in rows) / accepted if accepted else 0.0,
        latency_mean_ms=sum(latencies) / len(latencies) if latencies else math.nan,
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        latency_max_ms=max(latencies, default=math.nan),
        setup_s=setup_s,
    )
