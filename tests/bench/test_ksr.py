"""The keystroke-savings benchmark: simulator, data loading, baselines and one real run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from redline.bench.keystrokes import accepted_length, percentile, simulate, summarize
from redline.bench.ksr import format_table, run_ksr
from redline.bench.systems import LlmSystem, NgramSystem
from redline.bench.texts import load_data
from redline.errors import ConfigError, InputError

TEXT = "Hi team,\n\nQuick update on where things stand this week.\n\nThanks all,\nDana"
HISTORY = [
    "Hi team,\n\nQuick update on Harbor this week.\nThanks all,\nDana",
    "Hi team,\n\nQuick update on Kestrel this week.\nThanks all,\nDana",
]
WORDS = re.compile(r"\s*\S+")


def oracle(target: str, max_words: int | None = None):
    """A suggester that knows the target: its next ``max_words`` words (all if None)."""

    def suggest(prefix: str) -> str:
        assert target.startswith(prefix)
        rest = target[len(prefix) :]
        return rest if max_words is None else "".join(WORDS.findall(rest)[:max_words])

    return suggest


def test_perfect_oracle_types_the_text_with_one_tab() -> None:
    result = simulate(TEXT, oracle(TEXT))
    assert (result.keystrokes, result.calls, result.accepted) == (1, 1, 1)
    assert result.ksr == pytest.approx(1 - 1 / len(TEXT))
    assert result.accepted_words == len(TEXT.split())


@pytest.mark.parametrize("max_words", [1, 2, 3])
def test_oracle_in_chunks_reaches_the_ceiling_for_its_acceptances(max_words: int) -> None:
    result = simulate(TEXT, oracle(TEXT, max_words))
    assert result.accepted == -(-len(TEXT.split()) // max_words)
    assert result.keystrokes == result.accepted == result.calls == result.shown
    assert result.ksr == pytest.approx(1 - result.accepted / len(TEXT))


def test_empty_suggester_saves_nothing_and_is_asked_once_a_word() -> None:
    prefixes: list[str] = []
    result = simulate(TEXT, lambda p: prefixes.append(p) or "")
    assert result.ksr == 0.0 and result.keystrokes == len(TEXT)
    assert result.calls == len(TEXT.split()) and result.shown == 0
    assert all(p == "" or p[-1].isspace() for p in prefixes)
    summary = summarize([result])
    assert summary.ksr == 0.0 and summary.acceptance_rate == 0.0


def test_a_word_of_the_suggestion_is_never_split() -> None:
    assert accepted_length("quick brown fox", "quickly") == 0
    assert accepted_length("quickly brown", "quick") == 0
    assert accepted_length("quick brown fox", "quick brownish") == len("quick ")
    result = simulate("the quick fox", lambda p: "quickly fox" if p == "the " else "")
    assert result.accepted == 0 and result.shown == 1 and result.ksr == 0.0


def test_partial_acceptance_then_asks_again_before_the_space() -> None:
    target = "quick brown fox"
    prefixes: list[str] = []

    def suggest(prefix: str) -> str:
        prefixes.append(prefix)
        return {"": "quick brownish", "quick ": "brown"}.get(prefix, "")

    result = simulate(target, suggest)
    assert prefixes == ["", "quick ", "quick brown", "quick brown "]
    # Tab takes "quick " (the longest cut keeps the space), Tab takes "brown",
    # then " " and "fox" are typed by hand.
    assert result.keystrokes == 1 + 1 + 1 + 3 and result.accepted == 2


def test_accepting_up_to_and_across_a_line_break() -> None:
    target = "Thanks all,\nDana"
    through = simulate(target, lambda p: "Thanks all,\nDan" if p == "" else "")
    assert through.accepted == 1 and through.accepted_words == 2
    assert through.keystrokes == 1 + len("Dana")
    before = simulate(target, lambda p: "Thanks all," if p == "" else "")
    assert before.keystrokes == 1 + len("\n") + len("Dana")
    assert accepted_length("\nDana", "\n") == 0  # whitespace alone is no acceptance


def test_summary_weights_ksr_by_characters() -> None:
    short = simulate("a b", oracle("a b"))
    long = simulate("x " * 50, lambda p: "")
    summary = summarize([short, long], setup_s=2.5)
    assert summary.ksr == pytest.approx(1 - (1 + 100) / (3 + 100))
    assert summary.ksr_macro == pytest.approx((1 - 1 / 3) / 2)
    assert (summary.targets, summary.calls, summary.shown, summary.accepted) == (2, 51, 1, 1)
    assert summary.words_per_acceptance == 2 and summary.setup_s == 2.5
    assert summary.latency_p50_ms <= summary.latency_p95_ms <= summary.latency_max_ms
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)


def write_folder(folder: Path, history: list[str], targets: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, texts in (("history", history), ("targets", targets)):
        rows = [{"id": f"{name}-{i}", "kind": "note", "text": t} for i, t in enumerate(texts)]
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (folder / f"{name}.jsonl").write_text(lines, encoding="utf-8")
    return folder


def test_load_data_reads_both_files(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, HISTORY, ["Hi team,\n\nQuick note.\u2028Bye"])
    with (folder / "history.jsonl").open("a") as fh:
        fh.write("\n   \n")
    history, targets = load_data(folder)
    assert [h.text for h in history] == HISTORY
    assert targets[0].text == "Hi team,\n\nQuick note.\u2028Bye" and targets[0].id == "targets-0"


def test_load_data_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data folder not found"):
        load_data(tmp_path / "nowhere")
    folder = write_folder(tmp_path / "d", HISTORY, ["a text"])
    (folder / "targets.jsonl").unlink()
    with pytest.raises(InputError, match="targets.jsonl is missing") as missing:
        load_data(folder)
    assert missing.value.hint and "history.jsonl" in missing.value.hint
    (folder / "targets.jsonl").write_text('{"id": "t", "kind": "note", "text": "ok"}\n{"id": 2,\n')
    with pytest.raises(InputError, match=r"targets.jsonl:2: not valid JSON"):
        load_data(folder)
    (folder / "targets.jsonl").write_text('{"id": "t", "kind": "note", "body": "ok"}\n')
    with pytest.raises(InputError, match=r"targets.jsonl:1: expected an object"):
        load_data(folder)
    (folder / "targets.jsonl").write_text("\n")
    with pytest.raises(InputError, match="no texts to type"):
        load_data(folder)
    (folder / "targets.jsonl").write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match="not UTF-8"):
        load_data(folder)


def test_ngram_continues_the_users_phrases() -> None:
    ngram = NgramSystem(HISTORY)
    assert ngram.suggest("") == "Hi team,\n\nQuick"
    assert ngram.suggest("Hi team,\n\n") == "Quick update on"
    assert ngram.suggest("Hi team,\n\nQuick update on Harbor this week.\nThanks") == " all,\nDana"
    assert ngram.suggest("Hi ") == "team,\n\nQuick update"  # a typed space is followed by a word
    assert ngram.suggest("Quick update on Harbor this week.\nThanks all,\n") == "Dana"
    assert NgramSystem([]).suggest("Hi ") == ""
    result = simulate(HISTORY[0], ngram.suggest)
    assert result.ksr > 0.5


def test_llm_baseline_suggests_whole_words_after_a_typed_space() -> None:
    llm = LlmSystem()
    try:
        after_space = llm.suggest("The quick brown fox jumps over the ")
        after_word = llm.suggest("The quick brown fox jumps over the")
        first = llm.suggest("")
    finally:
        llm.close()
    assert after_space and not after_space[0].isspace() and after_space == after_space.strip()
    assert after_word == " " + after_space  # the same prompt, the typed space moved out
    assert "\n" not in first


def test_run_ksr_measures_redline_beside_the_ngram(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", HISTORY, ["Hi team,\n\nQuick update on Harbor."])
    seen: list[tuple[str, int, int]] = []
    rows = run_ksr(folder, ["redline", "ngram"], progress=lambda *a: seen.append(a))
    assert [name for name, _ in rows] == ["redline", "ngram"]
    summaries = dict(rows)
    for summary in summaries.values():
        assert summary.targets == 1 and summary.calls >= 1 and 0.0 <= summary.ksr < 1.0
        assert summary.latency_p50_ms >= 0.0 and summary.setup_s >= 0.0
    assert summaries["ngram"].ksr > 0.5  # the whole target is the user's own phrase
    assert summaries["redline"].setup_s > summaries["ngram"].setup_s
    assert seen == [("redline", 0, 1), ("redline", 1, 1), ("ngram", 0, 1), ("ngram", 1, 1)]
    console = Console(width=120, record=True)
    console.print(format_table(rows))
    text = console.export_text()
    assert "redline" in text and "1.00" in text
    assert f"{summaries['redline'].ksr / summaries['ngram'].ksr:.2f}" in text


def test_run_ksr_refuses_bad_arguments(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, HISTORY, ["a text"])
    with pytest.raises(ConfigError, match="unknown system 'gpt'"):
        run_ksr(folder, ["ngram", "gpt"])
    with pytest.raises(ConfigError, match="limit"):
        run_ksr(folder, ["ngram"], limit=0)
    rows = run_ksr(folder, ["ngram"], limit=1)
    assert format_table(rows).row_count == 1
