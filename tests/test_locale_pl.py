"""Polish (pl): catalog, listening content, safeguarding lexicon and back-translations.

Corpus: tests/corpus/safeguarding_pl.jsonl, same line format as the English one. "dev" lines were
tuned on; they include one earlier held-out round, promoted to dev after its single evaluation
(recall 21/22, false alarms 2/20). "heldout" lines were written after the last tuning and never
tuned on.
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
POLISH_PLURALS = (
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# Polish letters and their plain forms, as parents type them on UK phones.
NO_OGONKI = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = None) -> Analysis:
    return analyse(text, "pl", child, safeguarding=_quiet)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("pl")


# ------------------------------------------------------------------------------------------------
# Content


def test_polish_content_validates_with_the_english_ids(content: Content) -> None:
    english = load_content("en")
    assert tuple(t.id for t in content.themes) == THEME_IDS
    for theme in content.themes:
        english_theme = english.theme(theme.id)
        assert [a.id for a in theme.activities] == [a.id for a in english_theme.activities]
        assert [a.id for a in theme.aims] == [a.id for a in english_theme.aims]
        assert [h.id for h in theme.home_tips] == [h.id for h in english_theme.home_tips]
        assert len(theme.signals) >= 25
        assert all("{child}" in r.text for r in theme.reframes)
        assert theme.reframes_for("niespokojna") and theme.reframes_for(None)
        for aim in theme.aims:
            assert aim.text.startswith("{child} ")
            assert len(aim.signs) == 3
    assert [h.id for h in content.home_tips] == [h.id for h in english.home_tips]


def _all_texts(content: Content) -> list[str]:
    texts = content_texts(content, names=True)
    return texts


# Formal address ("Pan/Pani/Państwo" as "you") and second-person past tense ("zrobiłaś/zrobiłeś"),
# which would have to guess the parent's gender.
_FORMAL = re.compile(r"\b(?:Pan|Pani|Pana|Panu|Państwo|Państwa|Państwu)\b")
_SECOND_PERSON_PAST = re.compile(r"\w+(?:łaś|łeś|łabyś|łbyś)\b")


def test_templates_fill_and_address_the_parent_as_ty_without_gender(content: Content) -> None:
    for text in _all_texts(content):
        filled = content.fill(text, "Zosia", "niespokojna", value="to ważne")
        assert "{" not in filled and "}" not in filled, text
        assert not _FORMAL.search(text), text
        assert not _SECOND_PERSON_PAST.search(text), text


def test_unnamed_child_is_twoje_dziecko(content: Content) -> None:
    assert content.language.child_default == "Twoje dziecko"
    assert content.fill("{child} poprowadzi zabawę.") == "Twoje dziecko poprowadzi zabawę."
    assert "Twoje dziecko" in run(NARRATIVES["big_feelings"][0]).reflection


JOE_PL = (
    "Nie wiem, od czego zacząć. Największy problem jest taki, że wszystko, ale to WSZYSTKO, "
    "musi być na warunkach Kuby. Robi się bardzo niespokojny, jak zaproponuję coś innego niż on "
    "chce, a ma dopiero 4 lata! No wiem, że to ważne, żeby dzieci były samodzielne, ale on "
    "nikogo nie słucha i martwię się, że nie będzie słuchał pani w przedszkolu i nie nauczy się "
    "nowych rzeczy."
)
JOE_EN = (
    "I'm not sure where to begin. My biggest problem is that everything, I mean EVERYTHING, "
    "must be on Kuba's terms. He gets so anxious if I suggest anything which is different "
    "from what he wants and he is only 4 years old! I mean, I know it's important for "
    "children to be independent, but he listens to no-one and I am worried that he will not "
    "take any notice of his teacher and learn new things."
)

NARRATIVES = {
    "sharing_turns": [
        "Największy problem to dzielenie się. Kuba nie umie czekać na swoją kolej, wyrywa "
        "zabawki innym dzieciom i krzyczy, że to moje. Wszystko musi być po jego myśli.",
        "ona jest strasznie uparta i musi zawsze byc pierwsza, w kolejce do zjezdzalni sie "
        "wpycha. jak przegrywa w grze to koniec swiata, zero cierpliwosci",
        "Rządzi wszystkimi w domu, nawet starszym bratem. Jak coś zaproponuję, to od razu nie, "
        "musi postawić na swoim. Nie potrafi się podzielić ani jedną kredką.",
    ],
    "communication": [
        "Ma prawie trzy lata i mówi tylko kilka słów. Głównie pokazuje palcem i się złości, jak "
        "go nie rozumiemy. Czekamy na logopedę z NHS.",
        "corka jeszcze nie mowi zdaniami, w domu mowimy po polsku a w nursery po angielsku i "
        "mysle ze jej sie te dwa jezyki mieszaja. rozumie wszystko ale malo gada",
        "Gaworzy cały dzień, ale słów prawie nie ma i nie zawsze reaguje na imię. Chciałabym "
        "wiedzieć, jak go lepiej zrozumieć.",
    ],
    "social_play": [
        "W przedszkolu bawi się sam w kącie, inne dzieci bawią się razem, a on tylko patrzy z "
        "boku. Bardzo bym chciała, żeby miał kolegę.",
        "na urodzinach i na placu zabaw stoi z boku i nie dolacza do zabawy z innymi dziecmi. w "
        "domu jest wesola i gada jak najeta",
        "Jest jedynakiem i chyba nie umie się bawić z rówieśnikami, albo ich ignoruje, albo za "
        "ostro popycha dzieci.",
    ],
    "big_feelings": [
        "Histerie są coraz gorsze. O byle co rzuca się na podłogę, krzyczy i kopie, i nie da się "
        "jej uspokoić. Jestem wykończona.",
        "ma straszne napady zlosci jak jest zmeczony, meltdown za meltdownem, rzuca wszystkim co "
        "ma pod reka",
        "Codziennie płacz i wybuchy złości o nic, w sklepie się wścieka i nie umiem go uspokoić.",
    ],
    "listening_attention": [
        "Nie usiedzi w miejscu ani minuty. Na zajęciach w kółeczku wstaje i biega, a panie "
        "mówią, że nie słucha poleceń.",
        "wszystko trzeba mu powtarzac dziesiec razy, jest w swoim swiecie, rozprasza go kazda "
        "mucha i skacze z jednej rzeczy na druga",
        "Ma ogromny problem z koncentracją, ciągle się wierci i nie skupi się nawet na bajce. "
        "Martwię się o szkołę.",
    ],
    "separation_transitions": [
        "Każdego ranka płacze przy rozstaniu w żłobku i trzyma się mojej nogi. Panie mówią, że "
        "potem się uspokaja, ale serce mi pęka.",
        "jest strasznie przyklejona do mnie, nie odstępuje mnie na krok. dopiero zaczęła "
        "nursery i adaptacja idzie bardzo ciężko",
        "Każda zmiana to dramat: wyjście z placu zabaw, kąpiel, pora spania. Nie umie przejść z "
        "jednej rzeczy do drugiej bez awantury.",
    ],
    "confidence": [
        "Jest bardzo nieśmiała. W grupie chowa się za mną i boi się spróbować czegoś nowego. W "
        "domu śpiewa i tańczy cały dzień.",
        "synek jest strasznie niepewny siebie, brakuje mu wiary w siebie i od razu sie poddaje "
        "jak cos mu nie wychodzi. boi sie ze zrobi cos zle",
        "Jest cichutka i wstydliwa przy nowych ludziach, trzyma się z tyłu i tylko obserwuje. "
        "Chciałabym, żeby nabrała odwagi.",
    ],
    "movement": [
        "Jest bardzo niezgrabny, ciągle się przewraca i wpada na wszystko. Późno zaczął chodzić "
        "i schody to nadal wyzwanie.",
        "ma problem z motoryka mala, nie umie trzymac kredki ani lyzki, rownowaga tez slaba. w "
        "nursery mowili o koordynacji",
        "Ma prawie cztery lata, a jeszcze nie skacze obunóż. Często się potyka i nie łapie "
        "piłki. Fizjoterapeutka dała nam ćwiczenia.",
    ],
}
ALL_NARRATIVES = [JOE_PL, *(text for texts in NARRATIVES.values() for text in texts)]


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    assert run(text).theme == expected


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected_without_polish_letters(expected: str, text: str) -> None:
    assert run(text.translate(NO_OGONKI)).theme == expected


def test_every_theme_has_narratives() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    assert all(len(texts) >= 2 for texts in NARRATIVES.values())


def test_joe_narrative() -> None:
    result = run(JOE_PL, child="Kuba")
    assert result.theme == "sharing_turns"
    assert result.feelings == ("niespokojny",)
    assert result.child_feeling == "niespokojny"
    assert result.affirmation == "to ważne, żeby dzieci były samodzielne"
    assert "„niespokojny”" in result.reflection
    assert "Kuba" in result.reflection
    assert "to ważne, żeby dzieci były samodzielne" in result.reflection


@pytest.mark.parametrize(
    ("text", "child", "feelings"),
    [
        (
            "Zosia robi się NIESPOKOJNA w żłobku, a wieczorem jest zestresowana i płaczliwa.",
            "Zosia",
            ("NIESPOKOJNA", "zestresowana", "płaczliwa"),
        ),
        ("jest strasznie niesmiala i sie wstydzi przy obcych", None, ("niesmiala", "sie wstydzi")),
        ("Leo jest sfrustrowany jak mu nie wychodzi i potem caly dzien zly", "Leo", None),
        ("uwielbia muzykę i tańczyć, ale w grupie się wstydzi", "Ola", ("się wstydzi",)),
    ],
)
def test_feelings_come_back_as_written_and_are_quoted(
    text: str, child: str | None, feelings: tuple[str, ...] | None
) -> None:
    result = run(text, child)
    assert result.feelings
    for word in result.feelings:
        assert word in text  # exactly as written: case, missing Polish letters, word order
    if feelings is not None:
        assert result.feelings == feelings
    assert f"„{result.feelings[0]}”" in result.reflection
    assert (child or "Twoje dziecko") in result.reflection


def test_parent_feeling_is_given_back_as_theirs() -> None:
    result = run("Jestem wykończona jego histeriami.")
    assert result.feelings == ("wykończona",)
    assert result.child_feeling is None
    assert "„wykończona”" in result.reflection
    assert "czujesz" in result.reflection or "Piszesz o sobie" in result.reflection


def test_negated_feeling_is_dropped() -> None:
    assert run("Nie jest nieśmiała, ale niczym się nie dzieli.").feelings == ()


@pytest.mark.parametrize(
    "text",
    [
        "Nie wiem, ma dwa i pół roku i pomyślałam, że to będzie fajne.",
        "Cześć!",
        "Chcemy tylko, żeby dobrze się bawiła na zajęciach.",
    ],
)
def test_unclear_narrative_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.reflection.endswith("?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Wiem, że to ważne, żeby był samodzielny, ale bije, jak mówię nie.",
            "to ważne, żeby był samodzielny",
        ),
        (
            "Mysle, ze to wazne, zeby umial sie dzielic z innymi.",
            "to wazne, zeby umial sie dzielic z innymi",
        ),
        (
            "Samodzielność jest bardzo ważna dla nas, ale on wszystko chce robić po swojemu.",
            "samodzielność jest bardzo ważna dla Was",
        ),
        ("Chcę tylko, żeby była szczęśliwa i miała kolegów.", "była szczęśliwa i miała kolegów"),
        ("Chcemy tylko, żeby dobrze się bawiła.", "dobrze się bawiła"),
        (
            "Śpiewamy razem w samochodzie każdego ranka i ona dołącza.",
            "śpiewacie razem w samochodzie każdego ranka",
        ),
        (
            "Próbowałam już wszystkiego, żeby się uspokajał przy rozstaniu.",
            "próbowałaś już wszystkiego",
        ),
        ("Jest taka kochana i muzykalna, ale chowa się za mną.", "jest taka kochana i muzykalna"),
    ],
)
def test_affirmation_is_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_value() -> None:
    result = run("Chcę, żeby przestał bić brata.")
    assert result.affirmation is None
    assert "przestał" not in result.reflection


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_reflection_fits_a_phone(text: str) -> None:
    reflection = run(text, child="Zosia").reflection
    assert len(reflection) <= MAX_REFLECTION_CHARS
    assert reflection.endswith("?")
    assert "{" not in reflection
    assert reflection[0].isupper()


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_ordinary_narratives_raise_no_safeguarding_alarm(text: str) -> None:
    assert detect(text, "pl") is None


# ------------------------------------------------------------------------------------------------
# Safeguarding


CORPUS = lc.load_corpus("pl")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
# Measured once on the held-out lines, written after the last tuning: 17/22 (false alarms 0/22).
# A regression floor, not a goal; raise it whenever the lexicon improves, never lower it.
HELDOUT_RECALL_FLOOR = 17 / 22
_id = lc.row_id(50)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)
    assert any(r["immediate"] for r in DEV_DISCLOSURES)
    assert any(r["text"].isupper() for r in ROWS)
    # Typed with and without Polish letters.
    assert any(re.search("[ąćęłńóśźż]", r["text"]) for r in DEV_DISCLOSURES)
    assert any(r["text"].isascii() for r in DEV_DISCLOSURES)


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "pl")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "pl")


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "pl", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


@pytest.mark.parametrize(
    "text",
    [
        "bije w bębenek tak mocno, że aż szyby drżą",
        "wali w garnki drewnianą łyżką i śpiewa",
        "zabiłabym za kawę",
        "umieram ze śmiechu, jak on tańczy",
        "mąż mnie zabije, jak zobaczy, ile wydałam",
        "bije inne dzieci w żłobku, jak mu zabierają zabawki",
        "kolega w przedszkolu go popchnął i ma siniaka",
        "synek bije mnie, jak mu nie dam tabletu",
        "jego tata nigdy by go nie uderzył",
        "nie sądzę, żeby ojczym go bił",
        "Stary niedźwiedź mocno śpi, my się go boimy, na palcach chodzimy",
        "nie daję rady z jego histeriami lol",
        "chodzi jak pijany, bo dopiero uczy się chodzić",
    ],
)
def test_brief_benign_examples(text: str) -> None:
    assert detect(text, "pl") is None
    assert detect(text.translate(NO_OGONKI), "pl") is None


@pytest.mark.parametrize(
    ("text", "category", "immediate"),
    [
        ("tata go bije", "harm_to_child", False),
        ("bije go ojczym", "harm_to_child", False),
        ("nie wiem, czy jej tata ją bije", "harm_to_child", False),
        ("wujek dotyka jej w miejscach intymnych", "sexual_harm", False),
        ("nie mamy co jeść od dwóch dni", "neglect", False),
        ("mąż mnie bije", "domestic_abuse", False),
        ("nie chce mi się żyć", "parent_crisis", False),
        ("wzięłam wszystkie tabletki", "parent_crisis", True),
        ("jej ojciec jest pijany, jak ją odbiera", "substances", False),
        ("właściciel wyrzuca nas z mieszkania", "unsafe_housing", False),
        ("ON JĄ TERAZ BIJE POMOCY", "harm_to_child", True),
    ],
)
def test_brief_disclosure_examples(text: str, category: str, immediate: bool) -> None:
    for typed in (text, text.translate(NO_OGONKI)):
        found = detect(typed, "pl")
        assert found is not None, typed
        assert (found.category, found.immediate) == (category, immediate)
        assert found.matched in typed


def test_polish_lexicon_raises_no_alarm_on_english_benign_lines() -> None:
    # detect(text, "pl") also runs the English lexicon: only alarms English does not raise count.
    lines = CORPUS_EN.read_text(encoding="utf-8").splitlines()
    benign = [json.loads(line)["text"] for line in lines if '"label": "benign"' in line]
    assert benign
    added = [text for text in benign if detect(text, "pl") not in (None, detect(text, "en"))]
    assert added == []


# ------------------------------------------------------------------------------------------------
# Catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_catalog_is_complete_and_safe() -> None:
    catalog = lc.read_catalog("pl")
    assert not catalog.fuzzy
    assert catalog.plural_forms == POLISH_PLURALS
    messages = [m for m in catalog if m.id]
    assert len(messages) > 150
    tag = re.compile(r"</?[a-z]+>")
    command = re.compile(r"(?<![\w/])/[a-z]+\b")
    for message in messages:
        assert "fuzzy" not in message.flags, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (3 if isinstance(message.id, tuple) else 1), message.id
        for translated in strings:
            assert translated and translated.strip(), message.id
            assert _fields(translated) == _fields(ids[-1]), message.id
            assert sorted(tag.findall(translated)) == sorted(tag.findall(ids[0])), message.id
            assert set(command.findall(translated)) == set(command.findall(ids[0])), message.id
            assert not _FORMAL.search(translated), message.id
            assert not _SECOND_PERSON_PAST.search(translated), message.id


# ------------------------------------------------------------------------------------------------
# Back-translations: every `translation` is what the bot produces today


def _expected(content: Content) -> dict[str, tuple[str, str]]:
    """Key -> (English, Polish) as the catalog and the content files give them now."""
    english = load_content("en")
    po = lc.po_lookup("pl")
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
            analyse(JOE_EN, "en", "Kuba", safeguarding=_quiet).reflection,
            run(JOE_PL, "Kuba").reflection,
        ),
    }
    expected.update(lc.content_pairs(content, english, "Kuba", "niespokojny"))
    return expected


def test_back_translations_match_what_the_bot_says_today(content: Content) -> None:
    lc.check_entries_match_expected(lc.load_entries("pl"), _expected(content))
