"""Tests for the listening engine: themes, feelings, affirmation and the reflection reply."""

import json
import sys
import types

import pytest

from conversations.listening import THEME_IDS, Analysis, analyse, engine
from conversations.listening.engine import MAX_REFLECTION_CHARS


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = None, locale: str = "en") -> Analysis:
    return analyse(text, locale, child, safeguarding=_quiet)


JOE = (
    "I'm not sure where to start. The main thing is that everything has to be on Max's terms. "
    "He gets really anxious if I suggest anything different from what he wants and he's only "
    "four! I know it's important for kids to be independent but he won't listen to anyone and "
    "I worry he'll ignore his teacher."
)

JOE_VARIANTS = [
    "Where do I even begin. EVERYTHING has to be on Ellie\u2019s terms, and if I suggest "
    "something else she gets so anxious. I think it's good for children to be independent, "
    "but she listens to no-one.",
    "its his way or no way with Idris tbh. hes 3 and gets anxious and shouty if i suggest "
    "anything diffrent from what he wants. i know its important for kids to be independant "
    "but he wont let anyone else be in charge",
    "My son has to be in control of everything. If the plan changes from what he wants he gets "
    "Anxious and bossy. I do think it's right for him to want his own way sometimes, but he "
    "needs to let others lead too.",
]

NARRATIVES = {
    "sharing_turns": [
        "Honestly it's his way or no way. If another child picks up the toy he wants he snatches "
        "it back and screams it's mine. I want him to be able to play nicely with his cousins.",
        "she wont share anything at nursery, not even the stuff she isnt playing with. and she "
        "has to be first at everything, first in the queue, first on the slide. shes 3",
        "Leo is very bossy with his little sister, he tells her what to do all day and if she "
        "doesnt do it exactly his way he gets cross. He finds it so hard to take turns.",
        "My daughter struggles to wait her turn. At group she pushes in and grabs the drum off "
        "other kids. I know she's little but I'd love her to learn to let others have a go.",
    ],
    "communication": [
        "He's nearly three and only has a few words. Mostly he points and grunts and gets "
        "frustrated when we can't understand him. We've been referred for speech and language.",
        "my son doesnt talk much at all, hes 2 and half. his speach is behind his cousins and "
        "the HV said to keep an eye on it. he understands everything tho",
        "We speak Polish at home and English at nursery. She's quiet and mixes up the two "
        "languages, and I worry her talking is slow. She loves singing songs though.",
        "She babbles all day long but no real words yet, and she doesn't always respond to her "
        "name. I just want to be able to understand what she needs.",
    ],
    "social_play": [
        "At nursery he always plays on his own in the corner with the cars. The other children "
        "play together and he doesn't join in. I'd love him to make a friend.",
        "she just watches the other kids at soft play, never joins in, stays by herself. at "
        "parties shes happy enough but on the edge of everything",
        "He's an only child and I don't think he knows how to play with other children. He "
        "either ignores them or is a bit too rough. He's lovely at home with us.",
        "Ruby doesn't really interact with other kids her age. She'll play alongside them but "
        "not with them and I want her to have friends when she starts school.",
    ],
    "big_feelings": [
        "The tantrums are getting worse. Over the smallest thing he throws himself on the floor, "
        "kicking and screaming, and nothing calms him down. I'm exhausted.",
        "she has massive meltdowns, like proper melt downs, when she's tired or hungry. hitting, "
        "biting, the lot. it's her anger that scares me a bit",
        "He gets so angry so quickly and lashes out at his brother. Then afterwards he's really "
        "upset and cries for ages. I don't know how to help him with his feelings.",
        "Omar is a sensitive boy and gets upset over little things, crying and shouting. When "
        "he's frustrated he can't calm down and it can take an hour.",
        "tantrumz every day over nothing, full on melt-downs in the supermarket",
    ],
    "listening_attention": [
        "He can't sit still for more than a minute. At circle time he's up and running around, "
        "and the staff say he won't listen to instructions.",
        "she never listens to me, i have to say everything 10 times. she's in her own world, "
        "easily distracted and flits from one thing to the next",
        "His attention span is really short. He won't sit for a story and he's always on the "
        "go. I worry about him at big school when he needs to focus.",
        "Mia finds it hard to concentrate. She fidgets constantly and ignores me when I ask her "
        "to do something. I want her to be able to follow instructions.",
    ],
    "separation_transitions": [
        "He cries at drop off every single morning and clings to my leg. The nursery say he "
        "settles after a while but it breaks my heart leaving him.",
        "shes so clingy, wont let me out of her sight. follows me everywhere even to the loo. "
        "shes just started nursery and the seperation is really hard",
        "Any change in routine throws her completely. Leaving the park, bath time, bedtime, she "
        "can't move from one thing to the next without a battle.",
        "Since the new baby arrived he's been really clingey and hates it when I leave him with "
        "his nan. We moved house too so it's been a lot of changes.",
    ],
    "confidence": [
        "She's very shy. At group she hides behind me and won't try anything new. At home she's "
        "a chatterbox and sings all day, but nobody at nursery sees that.",
        "my boy is really timid, he lacks confidence and gives up straight away if he cant do "
        "it. hes scared of getting it wrong",
        "Zara is quiet and nervous around new people. She hangs back and just watches. I'd love "
        "her to feel brave enough to have a go.",
        "He's so self conscious, if anyone looks at him he freezes up. He won't have a go at "
        "anything in front of people. I want him to believe in himself.",
    ],
    "movement": [
        "He's very clumsy, always falling over and bumping into things. He was a late walker "
        "and he still finds stairs tricky.",
        "she struggles with fine motor stuff like holding a pencil or a spoon, and her balance "
        "isnt great. the nursery mentioned her coordination",
        "He can't jump with both feet yet and he's nearly four. He trips a lot and finds it "
        "hard to catch a ball. The physio gave us some exercises.",
        "my daughter is clumbsy and a bit wobbly on her feet, she cant pedal her trike and gets "
        "frustated when the other kids climb and she cant",
    ],
}

ALL_NARRATIVES = [JOE, *JOE_VARIANTS, *(text for texts in NARRATIVES.values() for text in texts)]


# --- themes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    assert run(text).theme == expected


def test_every_theme_has_at_least_three_narratives() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    assert all(len(texts) >= 3 for texts in NARRATIVES.values())


def test_joe_narrative() -> None:
    result = run(JOE, child="Max")
    assert result.theme == "sharing_turns"
    assert result.feelings[0] == "anxious"
    assert result.affirmation == "it's important for kids to be independent"
    assert '"anxious"' in result.reflection
    assert "Max" in result.reflection
    assert "it's important for kids to be independent" in result.reflection


@pytest.mark.parametrize("text", JOE_VARIANTS)
def test_joe_variants_are_about_control_and_anxiety(text: str) -> None:
    result = run(text)
    assert result.theme == "sharing_turns"
    assert result.feelings[0].lower() == "anxious"
    assert f'"{result.feelings[0]}"' in result.reflection


@pytest.mark.parametrize(
    "text",
    [
        "Not sure really. He's two and a half and we just thought it would be fun.",
        "She's a lovely girl, we just want her to enjoy it!",
        "hi",
        "",
    ],
)
def test_no_concern_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.themes == ()
    assert result.reflection


def test_too_close_to_call_gives_no_theme_but_keeps_scores() -> None:
    result = run("He's shy and clingy.")
    assert result.theme is None
    assert {s.id for s in result.themes} == {"confidence", "separation_transitions"}


def test_scores_are_positive_and_best_first() -> None:
    result = run(NARRATIVES["confidence"][0])
    scores = [s.score for s in result.themes]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    assert result.themes[0].id == result.theme


def test_phrases_outweigh_single_words() -> None:
    phrase = run("he cries at drop off")
    assert phrase.theme == "separation_transitions"
    scores = {s.id: s.score for s in phrase.themes}
    assert scores["separation_transitions"] > scores["big_feelings"]


def test_negated_signal_counts_for_little() -> None:
    result = run("She's not shy at all, but she won't share anything and she's very bossy.")
    assert result.theme == "sharing_turns"
    scores = {s.id: s.score for s in result.themes}
    assert scores["confidence"] < 1
    assert "shy" not in result.feelings


def test_text_speak_and_misspellings() -> None:
    assert run("he cant sit still at all lol").theme == "listening_attention"
    assert run("his speach is really behind").theme == "communication"
    assert run("she's so clingey in the mornings").theme == "separation_transitions"
    assert run("hes really clumbsy").theme == "movement"


# --- feelings ---------------------------------------------------------------------------------


def test_feelings_keep_spelling_and_case_as_written() -> None:
    result = run("He gets Anxious at nursery and he's anxous at bedtime too.")
    assert result.feelings == ("Anxious", "anxous")


def test_feelings_have_no_duplicates() -> None:
    assert run("She's anxious, so ANXIOUS, always anxious.").feelings == ("anxious",)


def test_child_feelings_come_before_the_parents_own() -> None:
    text = "I\u2019m so worried. She gets really upset when I leave and she\u2019s nervus all day."
    assert run(text).feelings == ("upset", "nervus", "worried")


def test_child_name_marks_a_feeling_as_about_the_child() -> None:
    result = run("I feel nervous when Amir is upset.", child="Amir")
    assert result.feelings == ("upset", "nervous")
    assert 'Amir gets "upset"' in result.reflection or '"upset"' in result.reflection


def test_only_parent_feeling_is_given_back_as_theirs() -> None:
    result = run("I am so stressed about his tantrums.")
    assert result.feelings == ("stressed",)
    assert '"stressed"' in result.reflection
    assert "You said your child" not in result.reflection


def test_another_adults_feeling_is_not_quoted_as_the_childs() -> None:
    result = run("His teacher is worried he doesn't talk yet.")
    assert result.feelings == ("worried",)
    assert '"worried"' not in result.reflection


def test_comfortable_feelings_are_kept_but_not_quoted() -> None:
    result = run("I just want her to be happy and to make friends.")
    assert "happy" in result.feelings
    assert '"happy"' not in result.reflection


def test_negated_feeling_is_dropped() -> None:
    assert run("He's not shy, he just doesn't listen.").feelings == ()


# --- affirmation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I know it's important for him to be independent but he hits out when I say no.",
            "it's important for him to be independent",
        ),
        (
            "I think independence is really important for children, but she just won't share.",
            "independence is really important for children",
        ),
        (
            "I really want him to feel safe with me and my partner.",
            "you really want him to feel safe with you and your partner",
        ),
        (
            "I\u2019ve tried everything to help her settle at drop off.",
            "you've tried everything to help her settle at drop off",
        ),
        (
            "We sing in the car every morning and she joins in.",
            "you sing in the car every morning",
        ),
        (
            "Being kind is so important to us. He snatches toys.",
            "being kind is so important to you",
        ),
        ("She's such a kind girl, but she hides behind me.", "she's such a kind girl"),
    ],
)
def test_affirmation_is_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_value() -> None:
    result = run("I want him to stop hitting his sister.")
    assert result.affirmation is None
    assert "stop hitting" not in result.reflection


# --- reflection -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_reflection_fits_a_phone(text: str) -> None:
    reflection = run(text, child="Sam").reflection
    sentences = [s for s in reflection.replace('".', '"|').split(". ") if s]
    assert len(reflection) <= MAX_REFLECTION_CHARS
    assert 2 <= reflection.count("?") + reflection.count(".") <= 5
    assert 2 <= len(sentences) <= 4
    assert reflection.endswith("?")
    assert "{" not in reflection


def test_reflection_uses_the_childs_name_or_your_child() -> None:
    named = run(NARRATIVES["big_feelings"][2], child="Sam").reflection
    unnamed = run(NARRATIVES["big_feelings"][2]).reflection
    assert "Sam" in named
    assert "your child" in unnamed.lower()
    assert unnamed[0].isupper()


def test_reflection_gives_back_the_feeling_in_quotes() -> None:
    result = run("He gets so frustated when he can't tell me what he wants.", child="Noah")
    assert result.feelings == ("frustated",)
    assert '"frustated"' in result.reflection


def test_analysis_is_deterministic() -> None:
    for text in ALL_NARRATIVES:
        assert run(text, child="Sam") == run(text, child="Sam")


def test_wording_varies_between_narratives() -> None:
    openings = {run(text).reflection.split(". ")[0] for text in ALL_NARRATIVES}
    assert len(openings) >= 4


# --- safeguarding hook and JSON -------------------------------------------------------------


def test_safeguarding_hook_gets_text_and_locale() -> None:
    calls: list[tuple[str, str]] = []

    def detector(text: str, locale: str) -> bool:
        calls.append((text, locale))
        return True

    result = analyse("He hits me.", "en-GB", safeguarding=detector)
    assert result.safeguarding is True
    assert calls == [("He hits me.", "en-GB")]


def test_default_safeguarding_uses_the_shared_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("conversations.listening.safeguarding")
    fake.is_disclosure = lambda text, locale="en": "hurt" in text  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "conversations.listening.safeguarding", fake)
    engine._default_safeguarding.cache_clear()
    try:
        assert analyse("Someone hurt her.").safeguarding is True
        assert analyse("She is shy.").safeguarding is False
    finally:
        engine._default_safeguarding.cache_clear()


def test_default_safeguarding_falls_back_when_module_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "conversations.listening.safeguarding", None)
    engine._default_safeguarding.cache_clear()
    try:
        assert analyse("She is shy.").safeguarding is False
    finally:
        engine._default_safeguarding.cache_clear()


def test_to_json_shape() -> None:
    data = run(JOE, child="Max").to_json()
    assert set(data) == {"theme", "themes", "feelings", "safeguarding", "reflection"}
    assert data["theme"] == "sharing_turns"
    assert data["feelings"] == ["anxious"]
    themes = data["themes"]
    assert isinstance(themes, list) and themes[0]["id"] == "sharing_turns"
    assert json.loads(json.dumps(data)) == data


def test_unsupported_locale_falls_back_to_english() -> None:
    assert run(JOE, locale="en-GB").theme == "sharing_turns"
    assert run(JOE, locale="xx").reflection == run(JOE).reflection


def test_child_feeling_is_the_word_given_back_about_the_child() -> None:
    joe = analyse(
        "Everything has to be on Max's terms. He gets really anxious if I change anything.",
        "en",
        "Max",
    )
    assert joe.child_feeling == "anxious"
    own = analyse("I'm so stressed with the mornings and the rushing about.", "en", "Ada")
    assert own.child_feeling is None
    wish = analyse("I just want her to be happy and calm at nursery.", "en", "Ada")
    assert wish.child_feeling is None
