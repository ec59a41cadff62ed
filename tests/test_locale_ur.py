"""Urdu (ur): content, listening engine, safeguarding corpus, catalog and back-translations.

Pakistani and other Urdu-speaking families in the UK write Urdu in Arabic script (Nastaliq) and,
very often, in Latin letters ("Roman Urdu": "mera beta baat nahi karta"), mixing in English words
and Latin-script names. The narratives below use both scripts, with the spellings, text-speak and
English words parents really type.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conversations.listening import THEME_IDS, Analysis, analyse, load_content
from conversations.listening.safeguarding import detect
from tests.support import language_checks as lc
from tests.support.language_checks import content_texts

# A Latin-script name, as many British-Pakistani children have and as parents type it.
CHILD = "Joe"
URDU_SCRIPT = re.compile(r"[\u0600-\u06ff]")


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = CHILD) -> Analysis:
    return analyse(text, "ur", child, safeguarding=_quiet)


# The booklet's Joe, as an Urdu-speaking mother would write it: everything has to be on his terms,
# he gets anxious ("گھبرا جاتا ہے", how Urdu parents say it of a small child), she knows
# independence matters.
JOE = (
    "سمجھ نہیں آتا کہاں سے شروع کروں۔ سب سے بڑا مسئلہ یہ ہے کہ ہر چیز، یعنی ہر چیز، Joe کی مرضی "
    "سے ہونی چاہیے۔ اگر میں کچھ مختلف کہوں تو وہ بہت گھبرا جاتا ہے، اور وہ صرف چار سال کا ہے! "
    "مجھے پتا ہے کہ بچوں کا خود مختار ہونا ضروری ہے، لیکن وہ کسی کی بات نہیں سنتا اور مجھے ڈر "
    "ہے کہ وہ ٹیچر کی بات بھی نہیں سنے گا۔"
)
JOE_FEELING = "گھبرا جاتا ہے"
JOE_VALUE = "بچوں کا خود مختار ہونا ضروری ہے"

NARRATIVES: dict[str, list[str]] = {
    "sharing_turns": [
        JOE,
        "mera beta kisi cheez ko share nahi karta, nursery mein doosre bachon se khilone cheen "
        "leta hai. har cheez uski marzi se honi chahiye warna bohat zid karta hai",
        "وہ باری کا انتظار بالکل نہیں کر سکتی، ہر بار سب سے پہلے اسے ہی ڈھول چاہیے۔ بہت ضدی ہو "
        "گئی ہے۔",
    ],
    "communication": [
        "میری بیٹی ڈھائی سال کی ہے اور ابھی تک بولتی نہیں۔ بس اشارے کرتی ہے اور آ آ کرتی ہے۔ "
        "اسپیچ تھراپی کے لیے نام لکھوا دیا ہے۔",
        "woh abhi tak zyada baat nahi karta, 3 saal ka ho gaya hai. ghar mein hum urdu bolte hain "
        "aur nursery mein english, shayad do zabanon se confuse hai",
        "mera beta bolta nhi bs ishare krta hai, naam lo to jawab bhi nahi deta",
    ],
    "social_play": [
        "نرسری میں وہ ہمیشہ اکیلا کھیلتا ہے، دوسرے بچوں کے ساتھ گھلتا ملتا نہیں۔ میری خواہش ہے "
        "کہ اس کے کچھ دوست بنیں۔",
        "park mein woh bas door se dekhta rehta hai, doosre bachon ke saath nahi khelta. birthday "
        "party mein bhi ek kone mein baitha rehta hai",
        "وہ کسی کے ساتھ نہیں کھیلتی، باقی بچے مل کر کھیلیں تو وہ الگ کھڑی رہتی ہے۔",
    ],
    "big_feelings": [
        "اس کا غصہ بہت زیادہ ہے۔ ذرا سی بات پر زمین پر لیٹ کر چیختا ہے، روتا ہے، کسی طرح چپ نہیں "
        "ہوتا۔",
        "tantrums bohat zyada hain, gussay mein cheezein phenkta hai aur cheekhta hai. baad mein "
        "khud bhi bohat rota hai, samajh nahi aata kya karun",
        "اس کا موڈ بہت جلدی بدلتا ہے، چھوٹی سی بات پر غصے میں آ جاتی ہے اور ضد کرتی ہے، سنبھالنا "
        "مشکل ہو جاتا ہے",
    ],
    "listening_attention": [
        "وہ ایک جگہ ٹک کر بیٹھ ہی نہیں سکتا، سرکل ٹائم میں اٹھ کر بھاگتا رہتا ہے۔ ٹیچر کہتی ہیں "
        "بات نہیں سنتا۔",
        "woh meri baat sunta hi nahi, das baar bolna parta hai. dhyan bilkul nahi, ek khilone se "
        "doosre pe chala jata hai",
        "بہت چنچل ہے، کسی کام پر دھیان نہیں دے پاتی، اپنی ہی دنیا میں رہتی ہے۔",
    ],
    "separation_transitions": [
        "روز نرسری چھوڑتے وقت وہ بہت روتا ہے، مجھے چھوڑنا نہیں چاہتا۔ میری ٹانگوں سے لپٹ جاتا ہے۔",
        "chhote bhai ke aane ke baad se woh bohat clingy ho gayi hai, mere bina ek minute nahi "
        "rehti, peeche peeche phirti hai",
        "روٹین ذرا بھی بدلے تو وہ سنبھل نہیں پاتا، پارک سے گھر آنا ہو تو ہنگامہ ہو جاتا ہے۔ ہر "
        "تبدیلی اس کے لیے مشکل ہے۔",
    ],
    "confidence": [
        "وہ بہت شرمیلا ہے۔ نئے لوگوں کو دیکھ کر میرے پیچھے چھپ جاتا ہے، کوئی نئی چیز "
        "آزماتا ہی نہیں۔",
        "meri beti bohat sharmili hai, sab ke samne kuch nahi karti. zara si ghalti ho to kehti "
        "hai mujh se nahi hoga",
        "سب کے سامنے وہ بالکل چپ ہو جاتا ہے، اعتماد کی کمی ہے۔ گھر میں تو سارا دن گانے گاتا ہے۔",
    ],
    "movement": [
        "وہ بار بار گر جاتا ہے، چیزوں سے ٹکرا جاتا ہے۔ سیڑھیاں چڑھنے اترنے میں بہت مشکل ہوتی ہے۔",
        "mera beta abhi tak jump nahi kar pata, ball bhi nahi pakar sakta. balance theek nahi "
        "hai, physio ko dikha rahe hain",
        "پنسل ٹھیک سے نہیں پکڑ پاتی، چمچ سے خود کھانا نہیں کھا سکتی۔ ہاتھ سے کام کرنے میں بہت "
        "مشکل ہوتی ہے۔",
    ],
}
ALL_NARRATIVES = [text for texts in NARRATIVES.values() for text in texts]


# --- content ------------------------------------------------------------------------------------


def test_urdu_content_loads_and_validates() -> None:
    content = load_content("ur")
    assert tuple(t.id for t in content.themes) == THEME_IDS
    for theme in content.themes:
        assert len(theme.signals) >= 25
        assert len(theme.reframes) >= 3
        assert theme.reframes_for(JOE_FEELING) and theme.reframes_for(None)
        assert all("{child}" in r.text for r in theme.reframes)
        assert len(theme.activities) >= 3
        assert all(a.purpose.endswith("۔") for a in theme.activities)
        assert len(theme.aims) >= 2
        assert all(len(aim.signs) == 3 for aim in theme.aims)
        assert len(theme.home_tips) >= 6
        assert URDU_SCRIPT.search(theme.label)
    assert len(content.home_tips) >= 12


def test_same_ids_as_english() -> None:
    ur, en = load_content("ur"), load_content("en")
    for theme_ur, theme_en in zip(ur.themes, en.themes, strict=True):
        assert [a.id for a in theme_ur.activities] == [a.id for a in theme_en.activities]
        assert [a.id for a in theme_ur.aims] == [a.id for a in theme_en.aims]
        assert [a.activities for a in theme_ur.aims] == [a.activities for a in theme_en.aims]
        assert [t.id for t in theme_ur.home_tips] == [t.id for t in theme_en.home_tips]
        assert [a.area for a in theme_ur.activities] == [a.area for a in theme_en.activities]
    assert [t.id for t in ur.home_tips] == [t.id for t in en.home_tips]


def _all_templates() -> list[str]:
    content = load_content("ur")
    texts = content_texts(content)
    return texts


def test_every_urdu_template_fills_cleanly() -> None:
    content = load_content("ur")
    for text in _all_templates():
        filled = content.fill(text, CHILD, JOE_FEELING, value="یہ ضروری ہے")
        assert "{" not in filled and "}" not in filled, text
        assert URDU_SCRIPT.search(filled), text


def test_bot_never_speaks_of_itself_with_a_gendered_verb() -> None:
    # The bot has no gender: "میں سمجھتا/سمجھتی ہوں", "میں بھیجوں گا/گی" would give it one.
    gendered_self = re.compile(r"\bمیں\s+(?:\S+\s+){0,3}?\S*(?:تا|تی)\s+ہوں\b|\bوں\s+گ[ای]\b")
    for text in _all_templates():
        assert not gendered_self.search(text), text


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
        assert any(URDU_SCRIPT.search(t) for t in texts)
        assert any(t.isascii() for t in texts)


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_behaviour_narratives_are_not_safeguarding(text: str) -> None:
    assert detect(text, "ur") is None


@pytest.mark.parametrize(
    "text",
    [
        "ویسے ہی سوچا کہ اچھا رہے گا، اسے گانے سننا پسند ہے۔",
        "hum bas try karna chahte hain",
        "hi",
        "",
    ],
)
def test_unclear_narrative_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.reflection


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_reflection_fits_a_phone_and_names_the_child(text: str) -> None:
    reflection = run(text).reflection
    assert len(reflection) <= 450
    assert reflection.endswith(("؟", "۔"))
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
        ("وہ نرسری میں بہت ڈرتا ہے اور اداس رہتا ہے", ("ڈرتا", "اداس")),
        # Roman Urdu, with the parent's own capitals kept; "کبھی کبھی" (sometimes) negates nothing.
        (
            "woh kabhi kabhi bohat Ghabra Jata Hai jab main usay nursery chhorti hoon",
            ("Ghabra Jata Hai",),
        ),
        # Arabic-keyboard yeh (U+064A) in "شرميلا": matched, and given back as typed.
        ("میرا بیٹا بہت شرميلا ہے، سب کے سامنے چپ ہو جاتا ہے", ("شرميلا",)),
        # Nun ghunna typed for nun ("پریشاں") and a zer: still the feeling, as written.
        ("وہ رات کو اکثر پرِیشاں ہو جاتا ہے", ("پرِیشاں ہو جاتا ہے",)),
        ("usay nursery mein bohat darr lagta hai", ("darr",)),
    ],
)
def test_feelings_come_back_exactly_as_written(text: str, feelings: tuple[str, ...]) -> None:
    result = run(text)
    assert result.feelings == feelings
    assert f'"{feelings[0]}"' in result.reflection
    assert CHILD in result.reflection


def test_parent_and_other_adults_feelings_are_not_quoted_as_the_childs() -> None:
    # "میں ... ہوں" can only be "I am": the parent's own worry, quoted as theirs.
    own = run("میں بہت پریشان ہوں، وہ کسی کی بات نہیں سنتا")
    assert own.feelings == ("پریشان",)
    assert own.child_feeling is None
    assert 'اپنے لیے لفظ "پریشان"' in own.reflection or '"پریشان" محسوس' in own.reflection
    teacher = run("اس کی ٹیچر بہت پریشان ہیں کہ وہ بولتا نہیں")
    assert teacher.feelings == ("پریشان",)
    assert teacher.child_feeling is None
    assert '"پریشان"' not in teacher.reflection


@pytest.mark.parametrize(
    "text",
    [
        "وہ بالکل شرمیلا نہیں ہے، لیکن کسی کے ساتھ کچھ share نہیں کرتا",
        "woh sharmila nahi hai, bas kisi ke saath share nahi karta",
    ],
)
def test_feeling_negated_after_the_word_is_not_quoted(text: str) -> None:
    # Urdu negates after the adjective ("شرمیلا نہیں"); language.toml's [normalise] drops it.
    result = run(text)
    assert result.child_feeling is None
    assert "شرمیلا" not in result.reflection and "sharmila" not in result.reflection
    assert result.theme == "sharing_turns"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JOE, JOE_VALUE),
        # "I know it's important for him to be independent": the clause after "کہ" needs no flip.
        (
            "مجھے پتا ہے کہ اس کا خود مختار ہونا ضروری ہے، لیکن وہ ہر بات پر ضد کرتا ہے۔",
            "اس کا خود مختار ہونا ضروری ہے",
        ),
        (
            "mujhe pata hai ke bachon ka apna kaam khud karna zaroori hai, lekin woh kuch "
            "nahi karta",
            "bachon ka apna kaam khud karna zaroori hai",
        ),
        ("میں چاہتی ہوں کہ وہ دوستوں کے ساتھ خوش رہے۔", "وہ دوستوں کے ساتھ خوش رہے"),
        ("main chahti hoon ke woh doston ke saath khele", "woh doston ke saath khele"),
        # Pronouns flipped to address the parent: ہم -> آپ, میں نے -> آپ نے, maine -> aap ne.
        (
            "ہم روز گاڑی میں گانے گاتے ہیں، اسے بہت مزہ آتا ہے۔ لیکن نرسری میں وہ بالکل چپ "
            "رہتا ہے۔",
            "آپ روز گاڑی میں گانے گاتے ہیں",
        ),
        ("میں نے ہر طریقہ آزما لیا ہے لیکن وہ رات کو نہیں سوتا", "آپ نے ہر طریقہ آزما لیا ہے"),
        (
            "maine har tareeqa try kar liya hai lekin woh raat ko nahi sota",
            "aap ne har tareeqa try kar liya hai",
        ),
        ("اسے گانے بہت پسند ہیں، لیکن وہ کسی کے ساتھ نہیں کھیلتا۔", "اسے گانے بہت پسند ہیں"),
    ],
)
def test_value_is_found_and_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_wish_is_affirmed_without_a_gendered_verb() -> None:
    # "میں چاہتی ہوں" (a mother) and "میں چاہتا ہوں" (a father) both become "آپ کی خواہش".
    for text in ("میں چاہتی ہوں کہ وہ خوش رہے۔", "میں چاہتا ہوں کہ وہ خوش رہے۔"):
        reflection = run(text).reflection
        assert "خواہش" in reflection
        assert "چاہتی" not in reflection and "چاہتا" not in reflection


def test_no_praise_for_a_negative_wish() -> None:
    for text in (
        "میں چاہتی ہوں کہ وہ مارنا بند کرے۔",
        "main chahti hoon ke woh maar peet band kare",
    ):
        result = run(text)
        assert result.affirmation is None
        assert "مارنا" not in result.reflection and "maar" not in result.reflection


# --- safeguarding corpus ---------------------------------------------------------------------


CORPUS = lc.load_corpus("ur")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
# Measured once on the held-out lines, written after the last tuning and never tuned on:
# 11 of 15 disclosures found, 0 of 15 benign lines flagged. A regression floor, not a goal.
HELDOUT_RECALL_FLOOR = 11 / 15

_id = lc.row_id(40)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)
    assert any(r["text"].isascii() for r in DEV_DISCLOSURES), "no Roman Urdu disclosure"
    assert any(URDU_SCRIPT.search(r["text"]) for r in DEV_DISCLOSURES), "no Urdu-script line"
    assert any(r["text"].isupper() for r in ROWS), "no ALL CAPS line"


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "ur")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "ur")


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "ur", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


def test_matched_text_keeps_the_parents_spelling() -> None:
    # Arabic-keyboard letters and harakat fold for matching; `matched` is the original text.
    text = "ميرا شوہر مجهے مارتا ہے"
    found = detect(text, "ur")
    assert found is not None and found.category == "domestic_abuse"
    assert found.matched in text


def test_reflection_reports_a_disclosure_in_urdu() -> None:
    assert analyse("میرا شوہر مجھے مارتا ہے", "ur", CHILD).safeguarding is True
    assert analyse("وہ ڈھول پر بہت زور سے مارتا ہے", "ur", CHILD).safeguarding is False


# --- catalog ------------------------------------------------------------------------------------


def test_catalog_is_complete_with_urdu_plural_forms() -> None:
    catalog = lc.read_catalog("ur")
    assert not catalog.fuzzy
    assert catalog.num_plurals == 2
    assert "plural=(n != 1)" in catalog.plural_forms  # CLDR: only 1 is "one"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = [message.string] if isinstance(message.string, str) else message.string
        assert all(s.strip() for s in strings), message.id
        words = [re.sub(r"\{[a-z_]+\}", "", s) for s in strings]  # placeholders are not text
        assert all(URDU_SCRIPT.search(s) for s in words if re.search(r"[A-Za-z]{3}", s)), message.id


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
    entries = lc.load_entries("ur")
    lc.check_entries_well_formed(entries)
    keys = [e["key"] for e in entries]
    assert set(keys) >= REQUIRED_KEYS
    reframes = [k for k in keys if k.startswith("reframe.sharing_turns.")]
    assert len(reframes) == len(load_content("ur").theme("sharing_turns").reframes)
    assert sum(k.startswith("aim.lead_then_follow.sign.") for k in keys) == 3


@pytest.mark.parametrize("entry", lc.load_entries("ur"), ids=lambda e: e["key"])
def test_back_translation_matches_what_the_bot_says(entry: dict[str, str]) -> None:
    key = entry["key"]
    if key == "reflection.joe":
        english, translation = None, run(JOE).reflection
    else:
        content = load_content("ur")
        english, translation = lc.current_pair(
            "ur", key, entry["english"], content, CHILD, JOE_FEELING
        )
    lc.check_entry_matches(entry, english, translation)
