"""Tests for the safeguarding detector (conversations/listening/safeguarding.py).

Corpus: tests/corpus/safeguarding_en.jsonl, one JSON object a line with text, label
("disclosure" | "benign"), category, immediate and split. "dev" lines were tuned on (they include
four earlier held-out rounds, each promoted to dev after its one evaluation); "heldout" lines were
written after the last tuning and never tuned on. bench/safeguarding_eval.py prints the figures.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conversations.listening import safeguarding as sg
from conversations.listening.safeguarding import (
    CATEGORIES,
    Disclosure,
    detect,
    is_disclosure,
    supported_locales,
)
from tests.support import language_checks as lc

CORPUS = lc.load_corpus("en")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
_id = lc.row_id(50)


# ------------------------------------------------------------------------------------------------
# The corpus itself


def test_corpus_is_well_formed() -> None:
    lc.check_corpus_is_well_formed(ROWS)


def test_corpus_size_and_variety() -> None:
    disclosures = [r for r in ROWS if r["label"] == "disclosure"]
    benign = [r for r in ROWS if r["label"] == "benign"]
    assert len(disclosures) >= 60
    assert len(benign) >= 60
    assert sum(r["label"] == "disclosure" for r in HELDOUT) >= 15
    assert sum(r["label"] == "benign" for r in HELDOUT) >= 15
    assert {r["category"] for r in disclosures} == set(CATEGORIES)
    words = [len(r["text"].split()) for r in ROWS]
    assert min(words) <= 3
    assert max(words) <= 80
    assert any(r["text"].isupper() for r in ROWS), "no ALL CAPS lines"
    assert any(not r["text"].isascii() for r in ROWS), "no emoji / curly quotes"


# ------------------------------------------------------------------------------------------------
# Dev split: 100%


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "en")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "en")


# ------------------------------------------------------------------------------------------------
# Held-out split: the real generalisation figures

# A regression floor at the measured figure (20/30 on sentences written after tuning),
# not the goal: the README states the gap (indirect, euphemistic wording is missed).
# Raise it whenever the lexicon improves; never lower it.
HELDOUT_RECALL_FLOOR = 20 / 30


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "en", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


# ------------------------------------------------------------------------------------------------
# Named cases from the brief


@pytest.mark.parametrize(
    "text",
    [
        # objects, music, play
        "he hits the drum so hard",
        "she bashes the tambourine",
        "When he finally hit the right note he beamed",
        "the shaker song was a big hit with the kids",
        # idioms
        "she'd kill for a biscuit",
        "I could murder a coffee",
        "this song is killing me",
        "dying to try it",
        "I nearly died laughing",
        "bored to death of the car songs",
        "I'm knackered",
        "she was drunk on sugar after the party",
        # songs and stories
        "the song about the wolf who hurts his paw",
        "the big bad wolf",
        "Humpty Dumpty had a great fall",
        "five little monkeys jumping on the bed, one fell off and bumped his head",
        # a child's ordinary behaviour, accidents
        "he hits other kids when he's cross",
        "he fell and bruised his knee at the park",
        # negation
        "nobody hurts him",
        "he's never been hit",
        "I'd never hit him",
        "his dad would never hurt him",
        "i'm not suicidal, just tired",
        # ordinary parenting stress
        "I can't cope with his tantrums",
    ],
)
def test_brief_benign_examples(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("his dad hits him", "harm_to_child"),
        ("he comes back from his dad's with bruises", "harm_to_child"),
        ("I can't cope anymore, I just want it all to stop", "parent_crisis"),
        # misspellings, text-speak and the brief's vocabulary
        ("i feel suicidle", "parent_crisis"),
        ("sometimes i want to kil myself", "parent_crisis"),
        ("i self harm", "parent_crisis"),
        ("been selfharming again", "parent_crisis"),
        ("i've started to self-harm", "parent_crisis"),
        ("he came back from his dad's with bruses on his arms", "harm_to_child"),
        ("her mums boyfriend hitts her", "harm_to_child"),
        ("i think he's being abused", "harm_to_child"),
        ("it's domestic abuse, i know that now", "domestic_abuse"),
        ("his dad hurts him", "harm_to_child"),
        ("my partner smacks him", "harm_to_child"),
        ("her stepdad beats her", "harm_to_child"),
        ("my ex punches me", "domestic_abuse"),
        ("he chokes me", "domestic_abuse"),
        ("her uncle touched her private parts", "sexual_harm"),
        ("the babysitter was inappropriately touching him", "sexual_harm"),
        ("there's no food in the house", "neglect"),
        ("she's not fed at her dad's", "neglect"),
        ("he was left alone all night", "neglect"),
        ("his dad is always drunk when he has him", "substances"),
        ("her dad was off his face when he collected her", "substances"),
        ("my partner is using drugs again", "substances"),
        ("he smokes crack in front of the kids", "substances"),
        ("her mum is on smack", "substances"),
        ("my partner took an overdose while the kids were home", "substances"),
        ("i can't go on", "parent_crisis"),
        ("i want to die", "parent_crisis"),
        ("i just want to end it all", "parent_crisis"),
        ("no point living", "parent_crisis"),
        ("he threatens me", "domestic_abuse"),
        ("i'm scared of my partner", "domestic_abuse"),
        ("he hit me", "domestic_abuse"),
        ("he controls my money", "domestic_abuse"),
        ("he won't let me see friends", "domestic_abuse"),
        ("there's mould everywhere in the flat", "unsafe_housing"),
        ("we've got no heating", "unsafe_housing"),
        ("we're sleeping in the car", "unsafe_housing"),
        ("we're being evicted", "unsafe_housing"),
        ("we're homeless", "unsafe_housing"),
        ("u dont understand im gonna kill myself", "parent_crisis"),
        ("I CANT GO ON", "parent_crisis"),
    ],
)
def test_brief_disclosure_examples(text: str, category: str) -> None:
    found = detect(text)
    assert found is not None
    assert found.category == category


def test_smack_heroin_versus_smacking() -> None:
    heroin = detect("her mum's on smack again")
    smacking = detect("her mum smacks her")
    assert heroin is not None and heroin.category == "substances"
    assert smacking is not None and smacking.category == "harm_to_child"
    assert detect("he smacks the drum") is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he's hurting her right now", "harm_to_child"),
        ("HE'S HURTING HER RIGHT NOW PLEASE HELP", "harm_to_child"),
        ("I'm going to end it tonight", "parent_crisis"),
        ("I've taken pills", "parent_crisis"),
        ("I’ve taken all my tablets", "parent_crisis"),
        ("he's outside the door saying he's going to kill me", "domestic_abuse"),
        ("he's got a knife", "domestic_abuse"),
    ],
)
def test_immediate_danger(text: str, category: str) -> None:
    found = detect(text)
    assert found is not None
    assert found.category == category
    assert found.immediate is True


@pytest.mark.parametrize(
    "text",
    [
        "his dad hits him",
        "I overdosed last year and I'm doing better now but still struggle",
        "we're sleeping in the car tonight",  # urgent, but housing is never a 999 case
        "i want to die",
    ],
)
def test_not_immediate(text: str) -> None:
    found = detect(text)
    assert found is not None
    assert found.immediate is False


def test_most_serious_hit_wins() -> None:
    found = detect("we've got no heating and his dad touched her private parts")
    assert found is not None
    assert found.category == "sexual_harm"
    urgent = detect("his dad hits him. I've taken all my pills")
    assert urgent is not None
    assert urgent.category == "parent_crisis"
    assert urgent.immediate is True


def test_disclosure_in_a_long_message() -> None:
    text = (
        "The sessions have been lovely and he really enjoys the drums now, he waits for his turn "
        "and even passes the shaker on. At home it's harder. My partner drinks most nights and "
        "last week he pushed me into the wall while the baby was watching. Anyway, could the aim "
        "be about turn-taking?"
    )
    found = detect(text)
    assert found is not None
    assert found.category == "domestic_abuse"
    assert "pushed me" in found.matched


# ------------------------------------------------------------------------------------------------
# `matched` and normalisation


@pytest.mark.parametrize("row", [r for r in ROWS if detect(r["text"]) is not None], ids=_id)
def test_matched_is_a_substring_of_the_original(row: dict[str, Any]) -> None:
    found = detect(row["text"])
    assert found is not None
    assert found.matched
    assert found.matched in row["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("he\u2019s   hurting   her  right now", "he\u2019s   hurting   her"),
        ("HIS DAD HITTTTS HIM", "HIS DAD HITTTTS HIM"),
        ("u know wot im gonna kill myself", "im gonna kill myself"),
        ("\U0001f622\U0001f622 i want to die \U0001f622", "want to die"),
        ("the boiler\u2019s been broken for weeks", "boiler\u2019s been broken for"),
    ],
)
def test_matched_maps_back_through_normalisation(text: str, expected: str) -> None:
    found = detect(text)
    assert found is not None
    assert found.matched == expected


def test_curly_and_straight_apostrophes_agree() -> None:
    straight = detect("I'm going to kill myself")
    curly = detect("I\u2019m going to kill myself")
    assert straight is not None and curly is not None
    assert (straight.category, straight.immediate) == (curly.category, curly.immediate)


# ------------------------------------------------------------------------------------------------
# API, locales, schema


def test_public_api() -> None:
    assert CATEGORIES == (
        "harm_to_child",
        "sexual_harm",
        "neglect",
        "domestic_abuse",
        "parent_crisis",
        "substances",
        "unsafe_housing",
    )
    found = detect("his dad hits him")
    assert isinstance(found, Disclosure)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.category = "neglect"  # type: ignore[misc]
    assert is_disclosure("his dad hits him") is True
    assert is_disclosure("he hits the drum so hard") is False
    assert detect("") is None
    assert detect("   \n ") is None


def test_locales() -> None:
    assert "en" in supported_locales()
    assert supported_locales() == tuple(sorted(supported_locales()))
    for locale in ("en", "en-GB", "en_GB", "EN", "pl", "", "../../etc"):
        found = detect("his dad hits him", locale)
        assert found is not None, locale
        assert found.category == "harm_to_child"


def test_every_category_has_triggers() -> None:
    lexicon = sg._lexicon("en")
    assert {t.category for t in lexicon.triggers} == set(CATEGORIES)


@pytest.mark.parametrize(
    "data",
    [
        {"trigger": [{"name": "x", "category": "nope", "patterns": ["a"]}]},
        {"trigger": [{"name": "x", "category": "neglect", "patterns": []}]},
        {"trigger": [{"name": "x", "category": "neglect", "patterns": ["a"], "guards": ["g"]}]},
        {"trigger": [{"name": "x", "category": "neglect", "patterns": ["{MISSING}"]}]},
        {"trigger": [{"name": "x", "category": "neglect", "patterns": ["(unclosed"]}]},
        {"guard": {"g": {"scope": "paragraph", "patterns": ["a"]}}},
    ],
)
def test_schema_errors_fail_loudly(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sg._compile(data, "xx")


def test_minimal_lexicon_compiles() -> None:
    lexicon = sg._compile(
        {
            "macros": {"WHO": "(?:he|she)"},
            "normalise": {"words": {"u": "you"}},
            "trigger": [{"name": "t", "category": "neglect", "patterns": [r"\b{WHO} starves\b"]}],
        },
        "xx",
    )
    assert len(lexicon.triggers) == 1
    assert lexicon.triggers[0].regex.search("she starves")
