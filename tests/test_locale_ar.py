"""Arabic (ar): catalog, listening content, safeguarding lexicon and back-translations.

Corpus: tests/corpus/safeguarding_ar.jsonl, same line format as the English one. "dev" lines were
tuned on; they include two earlier held-out rounds, each promoted to dev after its one evaluation
(round A: recall 15/35, false alarms 2/30; round B: recall 15/35, false alarms 4/30). "heldout"
lines (round C) were written after the last tuning and never tuned on; when first measured they
gave recall 18/37 and false alarms 3/32.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

import pytest

from conversations.listening import THEME_IDS, Analysis, analyse, load_content
from conversations.listening.content import Content
from conversations.listening.engine import MAX_REFLECTION_CHARS
from conversations.listening.safeguarding import detect
from tests.support import language_checks as lc
from tests.support.language_checks import content_texts

CORPUS_EN = lc.corpus_path("en")

# Arabic's six plural forms (zero, one, two, few 3-10, many 11-99, other), GNU gettext order.
PLURAL_FORMS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);"
)
# A second-person past verb with a fatha (لاحظتَ) is marked masculine: the bot writes them bare.
MARKED_MASCULINE_YOU = re.compile("\u062a\u064e(?!\\w)")
# A prefix glued to {child} (لـJoe, بJoe, وJoe) breaks with Latin-script names.
GLUED_PREFIX = re.compile(r"(?:^|\s)(?:ل|ب|و|ك|ف|لل)ـ?\{child\}")


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = None) -> Analysis:
    return analyse(text, "ar", child, safeguarding=_quiet)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ar")


# ------------------------------------------------------------------------------------------------
# Content


def test_arabic_content_validates_with_the_english_ids(content: Content) -> None:
    english = load_content("en")
    assert tuple(t.id for t in content.themes) == THEME_IDS
    for theme in content.themes:
        english_theme = english.theme(theme.id)
        assert [a.id for a in theme.activities] == [a.id for a in english_theme.activities]
        assert [a.id for a in theme.aims] == [a.id for a in english_theme.aims]
        assert [h.id for h in theme.home_tips] == [h.id for h in english_theme.home_tips]
        assert len(theme.signals) >= 25
        assert len(theme.reframes) >= 3
        assert all("{child}" in r.text for r in theme.reframes), theme.id
        assert theme.reframes_for("قلقان") and theme.reframes_for(None)
        for activity in theme.activities:
            assert activity.purpose.endswith(".")
        for aim in theme.aims:
            # "{child} will ..." needs a gendered verb in Arabic: every aim says instead
            # "it will be within {child}'s ability to ..." with verbal nouns.
            assert aim.text.startswith("سيكون بإمكان {child} "), aim.text
            assert len(aim.signs) == 3
            assert all("{child}" in sign for sign in aim.signs)
    assert [h.id for h in content.home_tips] == [h.id for h in english.home_tips]
    assert len({t.label for t in content.themes}) == len(THEME_IDS)


def _all_texts(content: Content) -> list[str]:
    texts = content_texts(content, names=True)
    return texts


def test_templates_fill_cleanly_and_stay_gender_neutral(content: Content) -> None:
    for text in _all_texts(content):
        filled = content.fill(text, "Joe", "قلقان", value="مهم للأولاد يكونوا مستقلين")
        assert "{" not in filled and "}" not in filled, text
        assert not MARKED_MASCULINE_YOU.search(text), text
        assert not GLUED_PREFIX.search(text), text
    # Quotes are Arabic guillemets around the parent's own word.
    for template in content.language.feeling_quotes:
        assert "«{feeling}»" in template


def test_unnamed_child_is_your_child(content: Content) -> None:
    assert content.language.child_default == "طفلك"
    assert content.fill("سيكون بإمكان {child} الغناء.") == "سيكون بإمكان طفلك الغناء."
    result = run("ابني خجول كتير وما بيجرب شي جديد")
    assert "طفلك" in result.reflection


# ------------------------------------------------------------------------------------------------
# Themes: narratives written the way parents type (MSA, Levantine, Egyptian, Gulf, Maghrebi,
# Arabizi, missing hamzas, ه for ة, stretched letters, joined و)

NARRATIVES = {
    "sharing_turns": [
        "بنتي عنيدة كتير وكل شي لازم يكون على كيفها. ما بترضى تشارك ألعابها مع حدا وإذا أخدت "
        "أختها شي منها بتخطفه وبتقول هاد تبعي",
        "ابني مش بيرضى يستنى دوره خالص، لازم يبقى الأول في كل حاجة، ولو حد أخد اللعبة بتاعته "
        "بيخطفها منه",
        "ولدي عنيد واجد، يبي كل شي على كيفه وما يقبل أحد ياخذ ألعابه ولا يعرف ينتظر دوره",
        "ebni 3aneed kteer w kel shi lazem yekoun 3ala kefo, ma bye2bal ysharek l2al3ab",
    ],
    "communication": [
        "ابني عنده ٣ سنين ولسه مش بيتكلم غير كلمتين، والدكتورة قالت عنده تأخر في النطق",
        "ولدي عمره سنتين ونص وما يتكلم واجد، بس يأشر على الأشياء اللي يبيها وما نفهم عليه",
        "binti 3omra 3 w ma bt7ki ktir, bas kam kilme w kamen ma btrod 3a esma",
        "ابني عنده سنتين ونص وما بيحكي غير كم كلمة، بيأشّر وبيعصب لما ما نفهم عليه",
    ],
    "social_play": [
        "ابني دايما بيلعب لحاله بالحضانة وما بيلعب مع الولاد التانيين. نفسي يكون عنده صحاب",
        "بنتي مش بتلعب مع الأطفال التانيين في الحضانة، بتقعد لوحدها في الركن وبتتفرج عليهم",
        "ولدي ما يلعب مع العيال في الروضة، دايم بروحه وما يندمج",
    ],
    "big_feelings": [
        "كل يوم عنده نوبات غضب، بيرمي حاله عالأرض وبيصرخ وما حدا بيقدر يهديه",
        "بنتي بتتعصب بسرعة جداً وبتعيط وبتزعق على أي حاجة صغيرة وبتضرب أخوها",
        "ولدي كيتقلق بزاف وكيغوت وكيضرب راسو مع الحيط ملي كنقولو لا",
    ],
    "listening_attention": [
        "ما بيقعد بمكانه ولا دقيقة، بوقت الحلقة بيركض بكل الصف والمعلمة بتقول ما بيسمع الكلام",
        "ابني مش بيركز خالص، بيتشتت بسرعة ومش بيسمع الكلام لما بكلمه",
        "يعاني ابني من قلة التركيز وكثير الحركة ولا ينفذ التعليمات في الحضانة",
    ],
    "separation_transitions": [
        "كل يوم الصبح لما وصله عالحضانة بيبكي وبيتمسك فيي وما بيخليني امشي، بيكسر قلبي",
        "بنتي متعلقة بيا جداً ومش عايزة تسيبني، ولما بنزل الشغل بتعيط جامد",
        "منذ ولادة أخيه الصغير أصبح متعلقاً بي جداً ولا يتقبل أي تغيير في الروتين",
        "ولدي ما يبيني أروح الدوام، يتعلق فيني كل صبح ويصيح",
    ],
    "confidence": [
        "بنتي خجولة كتير، بتستحي من الناس وما بتجرب شي جديد إلا إذا أنا جنبها",
        "ابني مكسوف جداً وبيتكسف من الناس الغريبة، ومش واثق في نفسه خالص",
        "ولدي حشمان بزاف، كيحشم من الناس وما كيبغيش يجرب شي حاجة جديدة",
        "binti 5ajoule ktir w ma 3enda thi2a bi nafsa",
    ],
    "movement": [
        "ابني كتير بيوقع وبيتعثر بالأشياء، وما بيقدر ينط برجلينه التنتين",
        "بنتي بتتكعبل كتير ومش بتعرف تمسك القلم كويس، والحضانة قالوا عندها مشكلة في التوازن",
        "تأخر في المشي ولديه ضعف في العضلات، والمعالج الطبيعي أعطانا تمارين",
    ],
}


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    assert run(text).theme == expected


def test_every_theme_has_at_least_two_narratives() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    assert all(len(texts) >= 2 for texts in NARRATIVES.values())


# The booklet's Joe, as a Levantine-speaking mother in London might type it.
JOE = (
    "ما بعرف من وين بدي ابلش. أكبر مشكلة عندي إنو كل شي، كل شي لازم يكون على كيف Joe. "
    "بيصير قلقان كتير إذا اقترحت أي شي غير اللي بدو ياه، وهو عمره بس ٤ سنين! "
    "يعني أنا بعرف إنو مهم للأولاد يكونوا مستقلين، بس هو ما بيسمع لحدا وخايفة ما ياخد بكلام "
    "المعلمة وما يتعلم أشياء جديدة."
)
JOE_EN = (
    "I'm not sure where to begin. My biggest problem is that everything, I mean EVERYTHING must "
    "be on Joe's terms. He gets so anxious if I suggest anything which is different from what he "
    "wants and he is only 4 years old! I mean, I know it is important for children to be "
    "independent, but he listens to no-one and I am worried that he will not take any notice of "
    "his teacher and learn new things."
)


def test_joe_narrative() -> None:
    result = run(JOE, "Joe")
    assert result.theme == "sharing_turns"
    assert result.feelings[0] == "قلقان"
    assert result.child_feeling == "قلقان"
    assert "«قلقان»" in result.reflection
    assert "Joe" in result.reflection
    assert result.affirmation == "مهم للأولاد يكونوا مستقلين"
    assert "مهم للأولاد يكونوا مستقلين" in result.reflection


@pytest.mark.parametrize(
    ("text", "child", "feeling"),
    [
        # harakat and tanween are kept exactly as typed
        ("بنتي خجولةٌ كتير وبتستحي من الناس الجداد", "ليلى", "خجولةٌ"),
        # hamza on the ya seat, MSA
        ("ابني خائف من الأطفال الآخرين ولا يلعب معهم", "Adam", "خائف"),
        # ه for ة, Levantine
        ("بنتي بتصير متوتره لما نطلع من البيت وبتبكي", "Maryam", "متوتره"),
        # Arabizi
        ("ebni bi sir 2al2an kteer lama ma ykoun 3ala kefo", "Omar", "2al2an"),
        # joined و: the quote is the word itself, without the conjunction
        ("وقت النوم بيبكي وزعلان وما بيقعد بمكانه", "Yusuf", "زعلان"),
    ],
)
def test_feelings_come_back_exactly_as_written(text: str, child: str, feeling: str) -> None:
    result = run(text, child)
    assert result.feelings[0] == feeling
    assert f"«{feeling}»" in result.reflection
    assert child in result.reflection


def test_parent_feeling_is_given_back_as_theirs() -> None:
    result = run("أنا متوترة كتير من الصبح لأنه ابني ما بيقعد بمكانه بالحضانة", "Sami")
    assert result.feelings == ("متوترة",)
    assert result.child_feeling is None
    assert "«متوترة»" in result.reflection


def test_negated_feeling_is_dropped() -> None:
    result = run("ابني مش خجول أبداً بس ما بيلعب مع الولاد التانيين", "Sami")
    assert "خجول" not in result.feelings


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا، حابة سجّل ابني بالجلسات، هو عمره ٣ سنين",
        "الحمد لله كل شي تمام، بس حبينا نجرب الموسيقى",
        "هلا",
        "",
    ],
)
def test_unclear_narrative_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.themes == ()
    assert result.reflection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "I know it's important for my son to be independent" -> "... for your son ..."
        ("أعرف أن من المهم أن يكون ابني مستقلاً، لكنه عنيد جداً.", "من المهم أن يكون ابنك مستقلاً"),
        (
            "أنا بعرف إنو مهم إنو بنتي تتعلم تستنى دورها بس ما بتقدر",
            "مهم إنو بنتك تتعلم تستنى دورها",
        ),
        (
            "أظن أن الاستقلالية مهمة جداً لعيالي، بس ولدي ما يرضى يشارك",
            "الاستقلالية مهمة جداً لعيالك",
        ),
        ("بس بدي ياه يكون مبسوط ويحب الحضانة", "يكون مبسوط ويحب الحضانة"),
        ("احنا بنغني بالسيارة كل يوم الصبح", "بتغنوا بالسيارة كل يوم الصبح"),
        ("ابني ولد حنون كتير بس خجول", "ابنك ولد حنون كتير"),
    ],
)
def test_affirmation_is_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text, "Layla")
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_value() -> None:
    assert run("بعرف إنو مهم ما يضرب أخوه").affirmation is None


@pytest.mark.parametrize("text", [JOE, *(text for texts in NARRATIVES.values() for text in texts)])
def test_reflection_fits_a_phone(text: str) -> None:
    assert len(run(text, "Joe").reflection) <= MAX_REFLECTION_CHARS


# ------------------------------------------------------------------------------------------------
# Safeguarding


CORPUS = lc.load_corpus("ar")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
# The recall measured on the held-out lines the first time they ran (18/37): a regression floor,
# not the goal. Raise it whenever the lexicon improves; never lower it.
HELDOUT_RECALL_FLOOR = 18 / 37

_id = lc.row_id(40)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)
    assert any(r["immediate"] for r in DEV_DISCLOSURES)
    assert any(re.search(r"[a-z]", r["text"]) for r in ROWS), "no Arabizi lines"


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "ar")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "ar")


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "ar", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


@pytest.mark.parametrize(
    "text",
    [
        "بموت فيه لما يغني",  # I adore him
        "قتلني ضحك وهو عم يرقص",  # killed me laughing
        "ابني بيضرب على الطبلة بقوة كتير",  # he hits the drum so hard
        "جوزي ضربلي تلفون من الشغل",  # my husband gave me a call
        "أخد ضربة شمس عالبحر",  # sunstroke
        "ضربته عين من يوم العرس",  # the evil eye
        "يقبرني شو حلو وهو عم يرقص",  # a Levantine endearment
        "جوزي رح يقتلني إذا عرف قديش صرفت عالعيد",  # "he'll kill me if he finds out"
        "ابني بيضرب الولاد بالحضانة وأنا محتارة",  # child-on-child
        "بنتي بتضربني لما أقلها لا، عمرها سنتين",  # a toddler hitting mum
        "أخوه الكبير ضربه وهم عم يلعبوا",  # siblings playing
        "وقع من المرجوحة وصار عنده كدمة على إجره",  # an accident
        "ما عاد فيني على نوبات العصبية تبعه، بدي نصيحة",  # parenting stress
        "bmout fi lama y8anni",  # Arabizi: I adore him when he sings
    ],
)
def test_brief_benign_examples(text: str) -> None:
    assert detect(text, "ar") is None


@pytest.mark.parametrize(
    ("text", "category", "immediate"),
    [
        ("أبوه بيضربه", "harm_to_child", False),
        ("أَبُوهُ بِيِضْرِبُه كُلّ يوم", "harm_to_child", False),  # typed with harakat
        ("اكتشفت إن خالها بيتحرش فيها", "sexual_harm", False),
        ("ما في أكل بالبيت والولاد بيناموا جوعانين", "neglect", False),
        ("جوزي بيضربني قدام الولاد", "domestic_abuse", False),
        ("jozi darabni mbare7", "domestic_abuse", False),  # Arabizi
        ("بدي موت", "parent_crisis", False),
        ("بلعت كل الحبوب اللي عندي", "parent_crisis", True),
        ("جوزي معه سكينة وعم يصرخ برا الباب", "domestic_abuse", True),
        ("أبوه بيرجع سكران كل ليلة", "substances", False),
        ("صاحب البيت طردنا وما عنا وين نروح", "unsafe_housing", False),
        ("جوزي عم يضرب البنت هلق ساعدوني", "harm_to_child", True),
    ],
)
def test_brief_disclosure_examples(text: str, category: str, immediate: bool) -> None:
    found = detect(text, "ar")
    assert found is not None
    assert (found.category, found.immediate) == (category, immediate)
    assert found.matched and found.matched in text


def test_matched_keeps_the_harakat_as_typed() -> None:
    found = detect("أَبُوهُ بِيِضْرِبُه", "ar")
    assert found is not None
    assert found.matched == "أَبُوهُ بِيِضْرِبُه"


def test_arabic_lexicon_raises_no_alarm_on_english_benign_lines() -> None:
    rows = [json.loads(line) for line in CORPUS_EN.read_text(encoding="utf-8").splitlines()]
    benign = [r["text"] for r in rows if r["label"] == "benign"]
    added = [text for text in benign if detect(text, "ar") not in (None, detect(text, "en"))]
    assert added == []


def test_english_in_an_arabic_chat_is_still_caught() -> None:
    found = detect("his dad hits him", "ar")
    assert found is not None and found.category == "harm_to_child"


# ------------------------------------------------------------------------------------------------
# Catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_catalog_is_complete_and_safe() -> None:
    catalog = lc.read_catalog("ar")
    assert not catalog.fuzzy
    assert catalog.plural_forms == PLURAL_FORMS
    messages = [m for m in catalog if m.id]
    assert len(messages) > 90
    tag = re.compile(r"</?[a-z]+>")
    command = re.compile(r"(?<![\w/])/[a-z]+\b")
    for message in messages:
        assert "fuzzy" not in message.flags, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (6 if isinstance(message.id, tuple) else 1), message.id
        for translated in strings:
            assert translated and translated.strip(), message.id
            assert _fields(translated) == _fields(ids[-1]), message.id
            assert sorted(tag.findall(translated)) == sorted(tag.findall(ids[0])), message.id
            assert set(command.findall(translated)) == set(command.findall(ids[0])), message.id
            assert not MARKED_MASCULINE_YOU.search(translated), message.id
            assert not GLUED_PREFIX.search(translated), message.id


def test_plural_forms_follow_arabic_grammar() -> None:
    catalog = lc.read_catalog("ar")
    message = next(
        m for m in catalog if m.id == ("It works for {n} day.", "It works for {n} days.")
    )
    forms = message.string
    assert "أيام" in forms[3]  # 3-10 days: plural
    assert "يوماً" in forms[4]  # 11-99 days: accusative singular
    assert forms[5].endswith("يوم.")  # 100, 101, 102 days: genitive singular


# ------------------------------------------------------------------------------------------------
# Back-translations: every `translation` is what the bot produces today


def _expected(content: Content) -> dict[str, tuple[str, str]]:
    """Key -> (English, Arabic) as the catalog and the content files give them now."""
    english = load_content("en")
    po = lc.po_lookup("ar")
    expected = {
        "catalog.consent_notice": po("Hello {name}, and welcome!"),
        "catalog.opening_question": po("What would you like {child}'s music sessions"),
        "catalog.safeguarding_reply": po("Thank you for telling me. What you've shared matters"),
        "catalog.summary_header": po("Here's what we agreed:"),
        "catalog.summary_closing": po(
            "I've shared the aim with the practitioners at {setting}, with"
        ),
        "catalog.cancel_reply": po("No problem, I've stopped here"),
        "stop.confirmation": po(lc.STOP_CONFIRMATION),
        "engine.joe_reflection": (
            analyse(JOE_EN, "en", "Joe", safeguarding=_quiet).reflection,
            run(JOE, "Joe").reflection,
        ),
    }
    expected.update(lc.content_pairs(content, english, "Joe", "قلقان"))
    return expected


def test_back_translations_match_what_the_bot_says_today(content: Content) -> None:
    lc.check_entries_match_expected(lc.load_entries("ar"), _expected(content))
