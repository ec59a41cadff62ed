"""Bengali (bn): content, listening engine, safeguarding corpus, catalog and back-translations.

Bengali-speaking families in East London (many Sylheti) write standard Bengali in Bengali script,
and very often Bengali in Latin letters ("Banglish"); the narratives below mix both, with the
misspellings and English words parents really type.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conversations.listening import THEME_IDS, Analysis, analyse, load_content
from conversations.listening.content import CONTENT_ROOT
from tests.support import language_checks as lc
from tests.support.language_checks import content_texts

CHILD = "জো"


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = CHILD) -> Analysis:
    return analyse(text, "bn", child, safeguarding=_quiet)


# The booklet's Joe, as a Bengali mother would write it: everything on his terms, he gets anxious
# ("অস্থির হয়ে যায়", becomes restless: how Bengali parents say it of a small child), she knows
# independence matters.
JOE = (
    "কোথা থেকে শুরু করব বুঝতে পারছি না। সবচেয়ে বড় সমস্যা হলো, সব কিছু, মানে সব কিছুই ওর "
    "মতো করে হতে হবে। আমি অন্য কিছু বললেই ও খুব অস্থির হয়ে যায়, অথচ ওর বয়স মাত্র চার! আমি "
    "জানি বাচ্চাদের স্বাধীন হওয়াটা জরুরি, কিন্তু ও কারো কথা শোনে না, আর আমার ভয় হয় ও "
    "টিচারের কথাও শুনবে না।"
)
JOE_FEELING = "অস্থির হয়ে যায়"
JOE_VALUE = "বাচ্চাদের স্বাধীন হওয়াটা জরুরি"

NARRATIVES: dict[str, list[str]] = {
    "sharing_turns": [
        JOE,
        "amar chele kichu share korte chay na, nursery te onno bacchader theke khelna kere ney. "
        "sob kichu or nijer moto hote hobe, na hole jid kore",
        "ও একদম পালা করে খেলতে পারে না, সবার আগে ওকেই ড্রাম দিতে হবে। অপেক্ষা করতে পারে না, খুব জেদি।",
    ],
    "communication": [
        "আমার মেয়ের বয়স আড়াই বছর, এখনো কথা বলে না। শুধু আঙুল দিয়ে দেখায় আর আ আ করে। "
        "স্পিচ থেরাপিতে নাম দিয়েছি।",
        "o ekhono beshi kotha bole na, 3 bochor hoye gese. bashay amra bangla boli ar nursery te "
        "english, mone hoy duita basha niye confuse",
        "আমার পুয়া মাতে না, খালি ইশারা দিয়া দেখায়। ডাকলে সাড়া দেয় না।",
    ],
    "social_play": [
        "নার্সারিতে ও সবসময় একা একা খেলে, অন্য বাচ্চাদের সাথে মেশে না। আমি চাই ওর কিছু বন্ধু হোক।",
        "park e gele o shudhu takiye thake, onno bacchader sathe khele na. birthday party te o "
        "ekpashe bose thake",
        "ও কারো সাথে খেলে না, বাকি বাচ্চারা একসাথে খেললে ও দূরে দাঁড়িয়ে থাকে।",
    ],
    "big_feelings": [
        "ওর রাগ খুব বেশি। কিছু মনমতো না হলেই মাটিতে গড়াগড়ি দিয়ে চিৎকার করে কান্নাকাটি করে, "
        "কিছুতেই শান্ত করতে পারি না।",
        "tantrum onek beshi, rege gele jinish chure mare, kamor dey. pore abar onek kande. ami "
        "bujhi na ki korbo",
        "ওর মেজাজ খুব খিটখিটে, একটু কিছু হলেই রেগে যায় আর চেঁচায়। বড় বড় অনুভূতি সামলাতে পারে না।",
    ],
    "listening_attention": [
        "ও এক জায়গায় বসে থাকতে পারে না, সার্কেল টাইমে উঠে দৌড়াদৌড়ি করে। টিচার বলে কথা শোনে না।",
        "o amar kotha shone na, dosh bar bolte hoy. ektu o monojog nai, ek khela theke arek "
        "khelay chole jay",
        "খুব ছটফটে, মন দিয়ে কিছু করতে পারে না, নিজের দুনিয়ায় থাকে। বললে কানেই নেয় না।",
    ],
    "separation_transitions": [
        "প্রতিদিন নার্সারিতে রেখে আসার সময় ও খুব কাঁদে, আমাকে ছাড়তে চায় না। আঁকড়ে ধরে থাকে।",
        "notun baby howar por theke o khub clingy, amake chara ekdom thakte chay na, piche "
        "piche ghore",
        "রুটিন একটু বদলালেই ও আর সামলাতে পারে না, পার্ক থেকে বাসায় আসতে চায় না।",
    ],
    "confidence": [
        "ও খুব লাজুক। নতুন মানুষ দেখলে আমার পেছনে লুকায়, নতুন কিছু চেষ্টাই করে না।",
        "amar meye khub lajuk, sobar samne kichu korte chay na. ektu vul hole bole ami parbo na",
        "সবার সামনে ও একদম জমে যায়, আত্মবিশ্বাস কম। বাসায় কিন্তু সারাদিন গান গায়।",
    ],
    "movement": [
        "ও বারবার পড়ে যায়, জিনিসে ধাক্কা খায়। সিঁড়ি দিয়ে ওঠা-নামা করতে খুব কষ্ট হয়।",
        "amar chele ekhono lafate pare na, ball dhorte pare na. balance o valo na, physio "
        "dekhacchi",
        "পেন্সিল ধরতে পারে না ঠিকমতো, চামচ দিয়ে নিজে খেতে পারে না। হাতের কাজে খুব কষ্ট।",
    ],
}
ALL_NARRATIVES = [text for texts in NARRATIVES.values() for text in texts]


# --- content ------------------------------------------------------------------------------------


def test_bengali_content_loads_and_validates() -> None:
    content = load_content("bn")
    assert tuple(t.id for t in content.themes) == THEME_IDS
    for theme in content.themes:
        assert len(theme.signals) >= 25
        assert len(theme.reframes) >= 3
        assert theme.reframes_for(JOE_FEELING) and theme.reframes_for(None)
        assert all("{child}" in r.text for r in theme.reframes)
        assert len(theme.activities) >= 3
        assert all(a.purpose.endswith("।") for a in theme.activities)
        assert len(theme.aims) >= 2
        assert all(len(aim.signs) == 3 for aim in theme.aims)
        assert len(theme.home_tips) >= 6
    assert len(content.home_tips) >= 12


def test_same_ids_as_english() -> None:
    bn, en = load_content("bn"), load_content("en")
    for theme_bn, theme_en in zip(bn.themes, en.themes, strict=True):
        assert [a.id for a in theme_bn.activities] == [a.id for a in theme_en.activities]
        assert [a.id for a in theme_bn.aims] == [a.id for a in theme_en.aims]
        assert [a.activities for a in theme_bn.aims] == [a.activities for a in theme_en.aims]
        assert [t.id for t in theme_bn.home_tips] == [t.id for t in theme_en.home_tips]
        assert [a.area for a in theme_bn.activities] == [a.area for a in theme_en.activities]
    assert [t.id for t in bn.home_tips] == [t.id for t in en.home_tips]


def test_child_placeholder_never_takes_a_case_ending() -> None:
    # The genitive is -র after a vowel and -এর after a consonant (জো-র, আমির-এর): it cannot be
    # written for an unknown name, nor for the default "আপনার বাচ্চা". {child} stays bare.
    glued = re.compile(r"\{child\}\s?-?(?:এর|র|কে|রে|য়|তে|দের)(?![\u0980-\u09ff])")
    for name in ("themes.toml", "language.toml"):
        text = (CONTENT_ROOT / "bn" / name).read_text(encoding="utf-8")
        assert not glued.findall(text), name


def test_every_bengali_template_fills_cleanly() -> None:
    content = load_content("bn")
    texts = content_texts(content)
    for text in texts:
        filled = content.fill(text, CHILD, JOE_FEELING, value="এটা জরুরি")
        assert "{" not in filled and "}" not in filled, text


# --- themes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    assert run(text).theme == expected


def test_every_theme_has_narratives_in_both_scripts() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    for texts in NARRATIVES.values():
        assert len(texts) >= 2
        assert any(re.search(r"[\u0980-\u09ff]", t) for t in texts)
        assert any(t.isascii() for t in texts)  # Banglish


@pytest.mark.parametrize(
    "text",
    ["এমনিতেই ভাবলাম মজা হবে, ও গান শুনতে পছন্দ করে।", "amra emni try korte chai", "hi", ""],
)
def test_unclear_narrative_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.reflection


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_reflection_fits_a_phone_and_names_the_child(text: str) -> None:
    reflection = run(text).reflection
    assert len(reflection) <= 450
    assert reflection.endswith("?")
    assert CHILD in reflection
    assert "{" not in reflection


# --- the Joe narrative, feelings, affirmation ------------------------------------------------


def test_joe_narrative() -> None:
    result = run(JOE)
    assert result.theme == "sharing_turns"
    assert result.feelings[0] == JOE_FEELING
    assert result.child_feeling == JOE_FEELING
    assert result.affirmation == JOE_VALUE
    assert f'"{JOE_FEELING}"' in result.reflection
    assert JOE_VALUE in result.reflection
    assert CHILD in result.reflection


@pytest.mark.parametrize(
    ("text", "feelings"),
    [
        ("ও নার্সারিতে খুব ভয় পায় আর মন খারাপ করে থাকে", ("ভয় পায়", "মন খারাপ করে")),
        # Banglish, with the parent's own capitals kept.
        ("O khub Voy Pay jokhon ami chole jai, nursery te kande", ("Voy Pay",)),
        # Precomposed য় (U+09DF) as some keyboards type it: matched, and given back as typed.
        ("আমার ছেলে খুব লাজুক, সবার সামনে ভ\u09df পা\u09df", ("লাজুক", "ভ\u09df পা\u09df")),
        # Chandrabindu left out, long i typed short: still the feeling word, as written.
        ("ও খুব রাগি, একটু কিছু হলেই কাদে", ("রাগি",)),
    ],
)
def test_feelings_come_back_exactly_as_written(text: str, feelings: tuple[str, ...]) -> None:
    result = run(text)
    assert result.feelings == feelings
    assert f'"{feelings[0]}"' in result.reflection
    assert CHILD in result.reflection


def test_parent_and_other_adults_feelings_are_not_quoted_as_the_childs() -> None:
    own = run("আমি খুব চিন্তিত, ওর রাগ অনেক বেশি")
    assert own.feelings == ("চিন্তিত",)
    assert own.child_feeling is None
    teacher = run("ওর টিচার খুব চিন্তিত যে ও কথা বলে না")
    assert teacher.feelings == ("চিন্তিত",)
    assert '"চিন্তিত"' not in teacher.reflection


def test_feeling_negated_after_the_word_is_not_quoted() -> None:
    # Bengali negates after the word ("লাজুক না"); such forms are comfortable feelings.
    result = run("ও মোটেও লাজুক না, কিন্তু কিছু শেয়ার করে না")
    assert result.child_feeling is None
    assert '"লাজুক' not in result.reflection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JOE, JOE_VALUE),
        (
            "ami jani baccader nijer kaj nije kora shikha dorkar, kintu o kichui korte chay na",
            "baccader nijer kaj nije kora shikha dorkar",
        ),
        (
            "আমার মনে হয় বাচ্চাদের নিজে নিজে খেলতে শেখা জরুরি, কিন্তু ও একা থাকতেই পারে না।",
            "বাচ্চাদের নিজে নিজে খেলতে শেখা জরুরি",
        ),
        # Pronoun AND verb flipped to address the parent: আমি চাই -> আপনি চান.
        ("আমি শুধু চাই ও খুশি থাকুক আর বন্ধু বানাক।", "আপনি শুধু চান ও খুশি থাকুক আর বন্ধু বানাক"),
        ("ami shudhu chai o khushi thakuk", "apni shudhu chan o khushi thakuk"),
        (
            "আমরা প্রতিদিন গাড়িতে গান গাই, ও খুব মজা পায়। কিন্তু নার্সারিতে ও একদম চুপচাপ।",
            "আপনারা প্রতিদিন গাড়িতে গান গান",
        ),
        (
            "আমাদের কাছে দয়ালু হওয়াটা খুব জরুরি। ও খেলনা কেড়ে নেয়।",
            "আপনাদের কাছে দয়ালু হওয়াটা খুব জরুরি",
        ),
        ("ও গান খুব ভালোবাসে, কিন্তু কারো সাথে খেলে না।", "ও গান খুব ভালোবাসে"),
    ],
)
def test_value_is_found_and_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_wish() -> None:
    result = run("আমি চাই ও মারামারি বন্ধ করুক।")
    assert result.affirmation is None
    assert "মারামারি" not in result.reflection


# --- safeguarding corpus ---------------------------------------------------------------------


CORPUS = lc.load_corpus("bn")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
# Measured once on the held-out lines, written after the last tuning and never tuned on:
# 10 of 16 disclosures found, 0 of 16 benign lines flagged. A regression floor, not a goal.
HELDOUT_RECALL_FLOOR = 10 / 16

_id = lc.row_id(40)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)
    assert any(r["text"].isascii() for r in DEV_DISCLOSURES), "no Banglish disclosure"
    assert any(r["text"].isupper() for r in ROWS), "no ALL CAPS line"


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "bn")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "bn")


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "bn", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


def test_reflection_reports_a_disclosure_in_bengali() -> None:
    assert analyse("আমার জামাই আমাকে মারে", "bn", CHILD).safeguarding is True
    assert analyse("ও ড্রামটা খুব জোরে পেটায়", "bn", CHILD).safeguarding is False


# --- catalog ------------------------------------------------------------------------------------


def test_catalog_is_complete_with_bengali_plural_forms() -> None:
    catalog = lc.read_catalog("bn")
    assert not catalog.fuzzy
    assert catalog.num_plurals == 2
    assert "plural=(n > 1)" in catalog.plural_forms  # CLDR: 0 and 1 are "one"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = [message.string] if isinstance(message.string, str) else message.string
        assert all(s.strip() for s in strings), message.id


# --- back-translations ------------------------------------------------------------------------


REQUIRED_KEYS = {
    "po.consent_notice",
    "po.opening_question",
    "reflection.joe",
    "activity.conductor_game.name",
    "activity.conductor_game.purpose",
    "aim.lead_then_follow.text",
    "po.safeguarding_reply",
    "po.summary_header",
    "po.summary_closing",
    "po.cancel_reply",
    "stop.confirmation",
}


def test_back_translations_cover_the_key_texts() -> None:
    entries = lc.load_entries("bn")
    lc.check_entries_well_formed(entries)
    keys = [e["key"] for e in entries]
    assert set(keys) >= REQUIRED_KEYS
    reframes = [k for k in keys if k.startswith("reframe.sharing_turns.")]
    assert len(reframes) == len(load_content("bn").theme("sharing_turns").reframes)
    assert sum(k.startswith("aim.lead_then_follow.sign.") for k in keys) == 3


@pytest.mark.parametrize("entry", lc.load_entries("bn"), ids=lambda e: e["key"])
def test_back_translation_matches_what_the_bot_says(entry: dict[str, str]) -> None:
    key = entry["key"]
    if key == "reflection.joe":
        english, translation = None, run(JOE).reflection
    else:
        content = load_content("bn")
        english, translation = lc.current_pair(
            "bn", key, entry["english"], content, CHILD, JOE_FEELING
        )
    lc.check_entry_matches(entry, english, translation)
