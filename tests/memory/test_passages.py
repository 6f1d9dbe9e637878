"""split_passages: runs of whole paragraphs of a bounded length, no text lost."""

from __future__ import annotations

import random
import re

import pytest

from redline.memory.passages import paragraphs, split_passages

SENTENCE_END = re.compile(r"[.!?]$")


def words_of(passages: list[str]) -> list[str]:
    return [w for p in passages for w in p.split()]


def sentence(rng: random.Random, n: int, end: str = ".") -> str:
    return " ".join(f"w{rng.randrange(10_000)}" for _ in range(n)) + end


def test_paragraphs_drop_blank_ones() -> None:
    assert paragraphs("  a\n\n \n\n b \n c\n\n\n") == ["a", "b \n c"]
    assert paragraphs("   \n\n ") == []


def test_empty_text_has_no_passages() -> None:
    assert split_passages("") == []
    assert split_passages(" \n\n \n") == []


def test_short_paragraphs_merge() -> None:
    text = (
        "Hi team,\n\n"
        "Quick update on the launch: the beta opens on Monday for everyone on the list.\n\n"
        "Thanks,\nDana"
    )
    passages = split_passages(text)
    assert passages == [
        "Hi team,\n\n"
        "Quick update on the launch: the beta opens on Monday for everyone on the list.\n\n"
        "Thanks,\nDana"
    ]


def test_a_lone_short_text_is_one_passage() -> None:
    assert split_passages("Thanks!") == ["Thanks!"]


def test_trailing_short_paragraph_joins_the_last_passage() -> None:
    rng = random.Random(1)
    body = [" ".join(sentence(rng, 10) for _ in range(5)) for _ in range(2)]  # 50 words each
    text = "\n\n".join([*body, "Cheers,\nDana"])
    passages = split_passages(text)
    assert len(passages) == 2
    assert passages[-1].endswith("Cheers,\nDana")
    assert words_of(passages) == text.split()


def test_long_paragraph_is_cut_between_sentences() -> None:
    rng = random.Random(2)
    sentences = [sentence(rng, rng.randint(5, 15)) for _ in range(30)]
    paragraph = " ".join(sentences)
    assert len(paragraph.split()) > 200
    passages = split_passages(paragraph, max_words=80, min_words=12)
    assert len(passages) >= 3
    for passage in passages:
        assert len(passage.split()) <= 80
        assert SENTENCE_END.search(passage), passage[-40:]
    assert words_of(passages) == paragraph.split()
    # Every sentence is whole in exactly one passage.
    for s in sentences:
        assert sum(s in p for p in passages) == 1


def test_paragraph_without_sentence_ends_is_cut_between_words() -> None:
    text = " ".join(f"word{i}" for i in range(250))
    passages = split_passages(text, max_words=80, min_words=12)
    assert [len(p.split()) for p in passages] == [80, 80, 90]  # a short tail joins the last
    assert words_of(passages) == text.split()


def test_passages_are_bounded() -> None:
    rng = random.Random(3)
    chunks = []
    for _ in range(40):
        chunks.append(" ".join(sentence(rng, rng.randint(3, 20)) for _ in range(rng.randint(1, 6))))
    passages = split_passages("\n\n".join(chunks), max_words=60, min_words=10)
    assert all(len(p.split()) <= 60 + 10 for p in passages)
    assert all(len(p.split()) >= 10 for p in passages)


@pytest.mark.parametrize("seed", range(25))
def test_no_text_is_lost(seed: int) -> None:
    """Every word of the input appears in the passages, in order, exactly once."""
    rng = random.Random(seed)
    blocks = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.3:
            blocks.append(rng.choice(["Hi team,", "Thanks,\nDana", "- item one\n- item two"]))
        elif kind < 0.8:
            ends = ".!?"
            blocks.append(
                " ".join(sentence(rng, rng.randint(2, 25), rng.choice(ends)) for _ in range(6))
            )
        else:
            blocks.append(" ".join(f"x{rng.randrange(999)}" for _ in range(rng.randint(81, 200))))
    text = ("\n\n" + "\n" * rng.randint(0, 2)).join(blocks)
    passages = split_passages(text)
    assert words_of(passages) == text.split()
    assert all(p == p.strip() and p for p in passages)


def test_short_sentence_then_overlong_sentence_keeps_order() -> None:
    overlong = " ".join(f"w{i}" for i in range(100))  # no sentence end inside
    text = "Short one. " + overlong
    passages = split_passages(text, max_words=80)
    assert words_of(passages) == text.split()
