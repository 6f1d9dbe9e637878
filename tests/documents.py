"""Small documents for the drafting tests (three alike, city news; two unlike them), and made-up
prose in any amount for the crash and damage tests."""

import random

NEWS = [
    "The Harlow city council voted on Monday to extend the tram line to the northern suburbs. "
    "The extension will cost 85 million pounds and add six stops. Construction is due to start "
    "next spring and to finish within three years. Residents welcomed the decision, although "
    "some shop owners fear months of roadworks. The mayor said the line would cut car traffic "
    "in the centre by a tenth.",
    "Officials in Dunmore approved a plan on Thursday to rebuild the old river bridge. The work "
    "will close the bridge to cars for eight months and cost 12 million. Engineers said the "
    "current structure no longer meets safety rules. Local businesses asked for a temporary "
    "footbridge, which the council agreed to study. Work is set to begin in the autumn.",
    "The Eastport school board decided on Tuesday to move the start of classes to 8:45. The "
    "change follows a two-year study of student sleep and attendance. Parents were split, with "
    "some worried about childcare in the morning. Bus routes will be redrawn over the summer. "
    "The board will review the results after one school year.",
]
RECIPE = (
    "pancakes for two:\n- 1 cup flour, 1 egg, 1 cup milk, pinch of salt\n- whisk until smooth, "
    "rest 10 min\n- hot pan, a little butter, pour a ladle, flip when bubbles show\n- serve with "
    "lemon and sugar\n- makes about 6"
)
STORY = (
    "I never meant to become a gardener. When we moved into the old house I found a tangle of "
    "roses behind the shed, and I spent a whole weekend cutting them back. My neighbour laughed "
    "at my gloves and lent me better ones. By June the roses were back, and so was I, every "
    "evening, with a cup of tea and a pair of shears."
)


def prose(paragraphs: int, seed: int) -> str:
    """Paragraphs of about 50 made-up words each: one passage per paragraph."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vel", "do", "pri", "gan", "el", "ost"]
    words = ["".join(rng.choices(syllables, k=rng.randint(1, 3))) for _ in range(400)]
    return "\n\n".join(
        " ".join(rng.choices(words, k=50)).capitalize() + "." for _ in range(paragraphs)
    )
