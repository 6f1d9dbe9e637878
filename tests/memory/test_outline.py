"""Outline: the paragraph that usually comes next in the user's recurring documents."""

from __future__ import annotations

from redline.memory.outline import Outline, at_paragraph_start, openings
from redline.memory.phrase_counts import MemoryCounts
from redline.memory.phrases import PhraseModel

STATUS = (
    "Hi team,\n\nThe short version: {news}.\n\nShipped:\n- {done}.\n\n"
    "Risks:\n- {risk}.\n\nThanks all,\nDana"
)
WEEKS = [
    STATUS.format(news="all good", done="search", risk="none"),
    STATUS.format(news="a slip", done="billing", risk="the vendor"),
    STATUS.format(news="on track", done="exports", risk="holidays"),
]


def outline_of(*texts: str) -> Outline:
    counts = MemoryCounts()
    for text in texts:
        counts.add(text)
    return Outline(counts)


def test_openings_are_the_first_words_of_each_paragraph() -> None:
    assert openings(WEEKS[0]) == [
        ("Hi", "team,"),
        ("The", "short", "version:"),
        ("Shipped:",),
        ("Risks:",),
        ("Thanks", "all,"),
    ]
    assert openings("one line\n  \n\n  two\n\n\n") == [("one", "line"), ("two",)]


def test_paragraph_starts() -> None:
    assert at_paragraph_start("Hi team,\n\n")
    assert at_paragraph_start("Done.\n \n")
    assert not at_paragraph_start("")
    assert not at_paragraph_start("\n\n")
    assert not at_paragraph_start("Hi team,\n")
    assert not at_paragraph_start("Hi team,\n\nQuick")


def test_the_next_section_follows_the_one_just_written() -> None:
    outline = outline_of(*WEEKS)
    written = "Hi team,\n\nThe short version: fine.\n\nShipped:\n- the new search page.\n\n"
    opening = outline.next_opening(written)
    assert opening is not None
    assert opening.words == ("Risks:",)
    assert (opening.probability, opening.support) == (1.0, 3)


def test_an_order_seen_in_one_document_is_not_trusted() -> None:
    outline = outline_of(WEEKS[0])
    assert outline.next_opening("Hi team,\n\nShipped:\n- search.\n\n") is None
    assert outline.next_opening("Hi team,\n\nShipped:\n- search.\n\n", min_support=1) is not None


def test_unknown_paragraphs_give_no_opening() -> None:
    outline = outline_of(*WEEKS)
    assert outline.next_opening("Dear board,\n\nWe met on Monday.\n\n") is None


def test_the_phrase_model_opens_the_next_section_where_its_words_say_nothing() -> None:
    phrases = PhraseModel()
    for text in WEEKS:
        phrases.add(text)
    # After a blank line the words alone point at every paragraph opening
    # alike; the outline knows that after "Shipped:" comes "Risks:".
    written = "Hi team,\n\nThe short version: quiet.\n\nShipped:\n- payroll.\n\n"
    assert max(phrases.next_words(written).values()) < 0.5
    phrase = phrases.continue_text(written, max_words=4, min_probability=0.9)
    assert phrase is not None
    assert phrase.text.startswith("Risks:\n-")
    refused = phrases.continue_text(written, max_words=4, min_probability=0.0, refused="Risks:")
    assert refused is None or not refused.text.startswith("Risks:")


def test_a_long_document_is_read_from_its_end() -> None:
    phrases = PhraseModel()
    for text in WEEKS:
        phrases.add(text)
    written = "Hi team,\n\nThe short version: quiet.\n\nShipped:\n- payroll.\n\n"
    filler = ("Lorem ipsum dolor sit amet. " * 40 + "\n\n") * 4500  # about 5 MB before it
    assert len(filler) > 5_000_000
    short = phrases.continue_text(written, max_words=4)
    assert short is not None and short.text.startswith("Risks:")
    assert phrases.continue_text(filler + written, max_words=4) == short
