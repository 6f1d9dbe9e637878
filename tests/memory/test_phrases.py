"""PhraseModel: the user's recurring phrases continue what they type."""

from __future__ import annotations

import pytest

from redline.memory.phrases import Phrase, PhraseModel
from redline.memory.tokens import join_tokens, tokenize

MAIL = "Hi team,\n\nQuick update on the launch: beta opens Monday.\n\nThanks,\nDana"


def trained(*texts: str, order: int = 5) -> PhraseModel:
    model = PhraseModel(order=order)
    for text in texts:
        model.add(text)
    return model


@pytest.fixture
def mails() -> PhraseModel:
    return trained(
        MAIL,
        "Hi team,\n\nQuick update on the launch: the venue is booked.\n\nThanks,\nDana",
        "Hi team,\n\nQuick update on the launch: slides are due Friday.\n\nThanks,\nDana",
    )


def test_tokenize_keeps_line_breaks_and_punctuation() -> None:
    assert tokenize("Hi team,\n\nThanks,\nDana ") == [
        "Hi",
        "team,",
        "\n",
        "\n",
        "Thanks,",
        "\n",
        "Dana",
    ]
    assert tokenize("") == []


def test_join_tokens_spacing() -> None:
    assert join_tokens(["a", "b", "\n", "c"], space_before=False) == "a b\nc"
    assert join_tokens(["a", "b"], space_before=True) == " a b"
    assert join_tokens(["\n", "a"], space_before=True) == "\na"


def test_add_counts_texts_and_vocabulary() -> None:
    model = trained("a b a", "b")
    assert model.texts == 2
    assert model.written("a") == 2
    assert model.written("b") == 2


def test_continues_a_recurring_phrase(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\n")
    assert phrase is not None
    assert phrase.text.startswith("Quick update on the launch:")
    assert phrase.text == "Quick update on the launch:"  # stops where the mails disagree
    assert phrase.words == 5
    assert phrase.probability > 0.9  # smoothed with shorter contexts: just under 1
    assert phrase.support == 3


def sign_off(phrase: Phrase | None) -> bool:
    return (
        phrase is not None
        and (phrase.text, phrase.words, phrase.support) == ("\nDana", 2, 3)
        and phrase.probability > 0.7
    )


def test_continues_across_line_breaks(mails: PhraseModel) -> None:
    assert sign_off(mails.continue_text("Thanks,"))
    assert sign_off(mails.continue_text("ok.\n\nThanks,"))


def test_sign_off_after_a_sentence_seen_once(mails: PhraseModel) -> None:
    # "Thanks,\nDana" ends all three mails, but each after a different sentence.
    assert sign_off(mails.continue_text("slides are due Friday.\n\nThanks,"))


def test_trailing_line_breaks_are_dropped() -> None:
    model = trained("Best regards\n\n", "Best regards\n\n")
    phrase = model.continue_text("Best")
    assert phrase is not None
    assert phrase.text == " regards"


def test_max_words(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\n", max_words=2)
    assert phrase is not None
    assert phrase.text == "Quick update"
    assert phrase.words == 2


def test_start_of_text_continues_with_the_usual_opening(mails: PhraseModel) -> None:
    phrase = mails.continue_text("")
    assert phrase is not None
    assert phrase.text.startswith("Hi team,\n\nQuick update")


def test_completes_a_partial_word(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\nQui")
    assert phrase is not None
    assert phrase.text.startswith("ck update on")
    assert phrase.text == "ck update on the launch:"


def test_partial_word_that_matches_nothing(mails: PhraseModel) -> None:
    assert mails.continue_text("Hi team,\n\nZzq") is None


def test_respects_min_support() -> None:
    model = trained(MAIL)
    # Seen once, and no shorter context was seen five times either.
    assert model.continue_text("Hi team,\n\n", min_support=5) is None
    phrase = model.continue_text("Hi team,\n\n", min_support=1)
    assert phrase is not None
    assert phrase.text.startswith("Quick update on the launch: beta opens Monday.")
    assert phrase.support == 1
    twice = trained(MAIL, MAIL)
    assert twice.continue_text("Hi team,\n\n", min_support=9) is None
    assert twice.continue_text("Hi team,\n\n", min_support=2) is not None


def test_respects_min_probability() -> None:
    model = trained(
        "Hi team,\nQuick update follows.",
        "Hi team,\nQuick update follows.",
        "Hi team,\nSorry for the delay.",
    )
    assert model.continue_text("Hi team,\n", min_probability=0.7) is None
    phrase = model.continue_text("Hi team,\n", min_probability=0.6)
    assert phrase is not None
    assert phrase.text == "Quick update follows."
    assert 0.6 < phrase.probability < 2 / 3  # 2 of 3, smoothed with shorter contexts
    assert phrase.support == 2  # the weakest link: "Quick" was followed twice


def test_stops_where_the_user_is_undecided() -> None:
    model = trained("see you soon", "see you soon", "see you later", "see you later")
    phrase = model.continue_text("see", min_probability=0.6)
    assert phrase is not None
    assert phrase.text == " you"


def test_unseen_context_gives_none(mails: PhraseModel) -> None:
    assert mails.continue_text("Dear committee members, ") is None
    assert mails.continue_text("Dear committee members,\n") is None
    assert PhraseModel().continue_text("Hi team,\n\n") is None
    assert PhraseModel().continue_text("") is None


def test_leading_space_after_a_word(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\nQuick")
    assert phrase is not None
    assert phrase.text.startswith(" update on")


def test_no_leading_space_after_a_space(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\nQuick ")
    assert phrase is not None
    assert phrase.text.startswith("update on")


def test_no_leading_space_after_a_newline(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n")
    assert phrase is not None
    assert phrase.text.startswith("\nQuick")
    phrase = mails.continue_text("Hi team,\n\n")
    assert phrase is not None
    assert not phrase.text[0].isspace()


def test_a_word_that_is_a_prefix_of_another() -> None:
    # "on" is a word of its own here, and also the start of "ongoing".
    model = trained("work on it now", "work on it now", "work ongoing")
    phrase = model.continue_text("work on")
    assert phrase is not None
    assert phrase.text == " it now"
    partial = model.continue_text("work ongo", min_support=1, min_probability=0.0)
    assert partial is not None
    assert partial.text == "ing"


def test_order_limits_the_context() -> None:
    # Order 2 (bigrams): only the last token counts, so "b" is followed by "x" or "y".
    model = trained("a b x", "c b y", "c b y", order=2)
    phrase = model.continue_text("a b ", min_probability=0.35)
    assert phrase is not None
    assert phrase.text == "y"
    # With a longer context, the model remembers what followed "a b".
    longer = trained("a b x", "c b y", "c b y", "a b x", order=3)
    phrase = longer.continue_text("a b ")
    assert phrase is not None
    assert phrase.text == "x"


def test_a_confident_first_word_lets_the_chain_go_on_at_a_lower_threshold() -> None:
    model = trained(
        "Thanks all,\nDana",
        "Thanks all,\nDana",
        "Thanks all,\nDana",
        "Thanks all,\nMarcus",
        "Thanks all,\nPriya",
    )
    # "\n" follows "all," always; "Dana" follows only 3 times in 5.
    strict = model.continue_text("Thanks all,", min_probability=0.9, min_support=1)
    assert strict is None  # the line break alone is no suggestion
    loose = model.continue_text(
        "Thanks all,", min_probability=0.9, min_support=1, extend_probability=0.5
    )
    assert loose is not None and loose.text == "\nDana"


def test_a_chain_ends_where_the_documents_end() -> None:
    model = trained(
        *(f"Notes {n} are up. Shout if I missed anything.\n\nBest,\nRavi" for n in range(3))
    )
    phrase = model.continue_text("Shout if I", max_words=16, extend_probability=0.1)
    assert phrase is not None
    assert phrase.text == " missed anything.\n\nBest,\nRavi"


def test_the_document_being_typed_does_not_end_the_phrase_where_it_ends_now() -> None:
    """An editor's open document is observed unfinished: its end is no reason to stop."""
    signed = [f"Notes {n} are up.\nShout if I missed anything.\n\nBest,\nRavi" for n in range(3)]
    model = trained(*signed, "Shout if I\n")
    phrase = model.continue_text("Shout if I", max_words=3, min_support=1)
    assert phrase is not None and phrase.text == " missed anything."
    assert model.continue_text("Shout if I missed anything.\n\nBest,\nRavi", min_support=1) is None


def test_the_word_being_typed_is_finished_from_its_context(mails: PhraseModel) -> None:
    phrase = mails.continue_text("Hi team,\n\nQuick upd")
    assert phrase is not None
    assert phrase.text.startswith("ate on the launch:")


def test_a_word_only_the_user_writes_is_finished_from_their_vocabulary() -> None:
    model = trained("The Kestrel checkout ships in May.", "Kestrel is on track.")
    phrase = model.continue_text("Our tests of Kes", min_support=1)
    assert phrase is not None
    assert phrase.text.startswith("trel")
    assert model.continue_text("Our tests of Zq", min_support=1) is None
