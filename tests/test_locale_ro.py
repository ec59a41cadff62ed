"""Romanian locale: catalog, listening content, analysis, safeguarding and back-translations.

Safeguarding corpus: tests/corpus/safeguarding_ro.jsonl, same line format as the English one.
"dev" lines were tuned on. They include four earlier held-out rounds, each evaluated once before it
was promoted to dev: 10/16, 10/18, 9/18 and 14/20 disclosures caught, with 0/16, 1/18, 0/18 and
0/20 false alarms. "heldout" lines were written after the last tuning and never tuned on: on
them the lexicon caught 12/20 disclosures with 2/20 false alarms (the floors below).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conversations.listening import THEME_IDS, Analysis, analyse, load_content
from conversations.listening.content import Content
from conversations.listening.safeguarding import detect
from tests.support import language_checks as lc
from tests.support.language_checks import content_texts

HELDOUT_RECALL_FLOOR = 12 / 20
HELDOUT_MAX_FALSE_ALARM_RATE = 0.1


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = None) -> Analysis:
    return analyse(text, "ro", child, safeguarding=_quiet)


@pytest.fixture(scope="module")
def ro() -> Content:
    return load_content("ro")


@pytest.fixture(scope="module")
def en() -> Content:
    return load_content("en")


# ------------------------------------------------------------------------------------------------
# Content


def test_content_loads_and_matches_the_english_ids(ro: Content, en: Content) -> None:
    assert tuple(t.id for t in ro.themes) == THEME_IDS
    for theme in ro.themes:
        english = en.theme(theme.id)
        assert len(theme.signals) >= 25
        assert len(theme.reframes) >= 3
        assert theme.reframes_for("anxios") and theme.reframes_for(None)
        assert [a.id for a in theme.activities] == [a.id for a in english.activities]
        assert [a.id for a in theme.aims] == [a.id for a in english.aims]
        assert [t.id for t in theme.home_tips] == [t.id for t in english.home_tips]
        for aim in theme.aims:
            assert aim.activities == en.aim(aim.id).activities
            assert len(aim.signs) == 3
            assert aim.text.startswith("{child} ")
    assert [t.id for t in ro.home_tips] == [t.id for t in en.home_tips]
    assert len(ro.home_tips) >= 12


def test_every_reframe_names_the_child(ro: Content) -> None:
    for theme in ro.themes:
        for reframe in theme.reframes:
            assert "{child}" in reframe.text, (theme.id, reframe.text)
            assert ("{feeling}" in reframe.text) is reframe.requires_feeling


def _templates(content: Content) -> list[str]:
    texts = content_texts(content)
    return texts


# Forms that would give {child} a gender: the genitive/dative "lui {child}", the clitics "îl"/"o"
# doubled with "pe {child}", and "{child} e" followed by an agreeing adjective or participle.
_GENDERED = re.compile(
    r"\blui \{child\}|\b(?:îl|-l|o|-o) (?:\w+ )?pe \{child\}"
    r"|\{child\} (?:e|este|pare|devine) (?:foarte |tare |prea )?"
    r"\w+(?:at|it|os|ut|ată|ită|oasă|ută)\b"
)


def test_templates_fill_and_stay_gender_neutral(ro: Content) -> None:
    for text in _templates(ro):
        filled = ro.fill(text, "Ilinca", "anxioasă", value="e important")
        assert "{" not in filled and "}" not in filled, text
        assert not _GENDERED.search(text), text
    assert ro.fill("{child} va conduce.") == "Copilul tău va conduce."


# ------------------------------------------------------------------------------------------------
# Themes: narratives written the way parents type (diacritics or not, text-speak, cedillas)

JOE_RO = (
    "Nu știu de unde să încep. Cea mai mare problemă e că totul, dar TOTUL, trebuie să fie cum "
    "vrea Max. Se face foarte anxios dacă îi propun ceva diferit de ce vrea el și are doar 4 ani! "
    "Știu că e important pentru el să fie independent, dar nu ascultă de nimeni și mi-e teamă "
    "că n-o s-o asculte nici pe educatoare."
)

JOE_VARIANTS = [
    "Nu stiu de unde sa incep. TOTUL trebuie sa fie cum vrea ea, daca ii propun altceva se face "
    "super anxioasa si are doar 4 ani. Stiu ca e important pt ea sa fie independenta dar nu "
    "asculta de nimeni.",
    "Totul trebuie să fie după capul lui, şi dacă îi zic să facem altfel devine foarte anxios. "
    "Sunt îngrijorată că nu-l va asculta nici pe educator. Cred că e bine pentru copii să fie "
    "independenți, dar el nu lasă pe nimeni să conducă.",
]

NARRATIVES = {
    "sharing_turns": [
        "Totul trebuie sa fie cum vrea ea, daca ii propun altceva face scandal. Nu vrea sa imparta "
        "nimic cu fratele ei si ii ia jucariile din mana.",
        "La grădi nu știe să-și aștepte rândul, se bagă în față la tobogan și smulge jucăriile de "
        "la alți copii. Zice mereu că e al meu!",
        "e foarte bossy cu verisorii, vrea sa fie mereu primul si sa castige la orice joc. n are "
        "rabdare deloc",
    ],
    "communication": [
        "Are aproape 3 ani și spune doar câteva cuvinte. Mai mult arată cu degetul și mormăie, iar "
        "când nu-l înțelegem se enervează. Am fost la logoped.",
        "baietelul meu nu prea vorbeste, la gradi vorbesc engleza si acasa romana si cred ca il "
        "incurca cele doua limbi. intelege tot dar nu zice",
        "Gângurește toată ziua, dar cuvinte încă nu are și nu răspunde mereu când o strig pe nume.",
    ],
    "social_play": [
        "La grădiniță se joacă mereu singur într-un colț cu mașinuțele. Ceilalți copii se joacă "
        "împreună și el nu se alătură. Mi-aș dori să-și facă un prieten.",
        "la petreceri sta deoparte si doar se uita la ceilalti copii, nu intra in joc deloc",
        "Nu prea interacționează cu alți copii de vârsta ei. Se joacă lângă ei, dar nu cu ei, și "
        "aș vrea să aibă prieteni când începe școala.",
    ],
    "big_feelings": [
        "Crizele sunt tot mai dese. Pentru cel mai mic lucru se aruncă pe jos, țipă și dă din "
        "picioare și nimic nu-l calmează. Sunt epuizată.",
        "are niste crize de furie groaznice cand e obosita, loveste, musca, urla. furia ei ma "
        "sperie putin sincer",
        "Se enervează foarte repede și dă cu pumnii în fratele lui, apoi plânge minute în șir. Nu "
        "știu cum să-l ajut cu emoțiile astea.",
    ],
    "listening_attention": [
        "Nu stă locului nici un minut. La grădi, când stau pe covor, el se ridică și aleargă peste "
        "tot, iar doamna zice că nu ascultă de instrucțiuni.",
        "nu ma asculta deloc, trebuie sa-i spun totul de 10 ori. e mereu in lumea ei si se "
        "distrage imediat, sare de la o jucarie la alta",
        "Are o atenție foarte scurtă, nu stă la povești și nu se poate concentra nici două minute. "
        "Mă gândesc cum o să fie la școală.",
    ],
    "separation_transitions": [
        "Plânge în fiecare dimineață când îl las la grădiniță și se agață de piciorul meu. "
        "Educatoarele zic că se liniștește după un timp, dar mi se rupe inima.",
        "e super lipicioasa, nu ma lasa sa plec nici pana la baie. abia a inceput gradinita si "
        "despartirea e foarte grea",
        "Orice schimbare o dă peste cap. Plecarea din parc, baia, culcarea, nu poate trece de la "
        "un lucru la altul fără scandal. Ne-am și mutat de curând.",
    ],
    "confidence": [
        "E foarte timidă. La grupă se ascunde după mine și nu încearcă nimic nou. Acasă cântă "
        "toată ziua, dar la grădiniță nu vede nimeni asta.",
        "baiatul meu e tare rusinos, n are incredere in el si renunta imediat daca nu-i iese. ii e "
        "frica sa nu greseasca",
        "Este tăcută și emoționată cu oamenii noi, stă în spate și doar privește. Mi-aș dori să "
        "prindă curaj să încerce.",
    ],
    "movement": [
        "E foarte neîndemânatic, cade des și se lovește de toate. A mers târziu și încă i se par "
        "grele scările.",
        "nu tine bine creionul si nici lingura, si are probleme cu echilibrul. la gradi mi-au zis "
        "de coordonare",
        "Încă nu poate sări cu ambele picioare și are aproape 4 ani. Se împiedică mult și nu "
        "prinde mingea. Kinetoterapeutul ne-a dat niște exerciții.",
    ],
}


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    result = run(text, "Sam")
    assert result.theme == expected, result.themes
    assert len(result.reflection) <= 450
    assert result.reflection.endswith("?")
    assert "Sam" in result.reflection


def test_every_theme_has_narratives() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    assert all(len(texts) >= 2 for texts in NARRATIVES.values())


def test_joe_narrative() -> None:
    result = run(JOE_RO, "Max")
    assert result.theme == "sharing_turns"
    assert result.feelings == ("anxios",)
    assert result.child_feeling == "anxios"
    assert result.affirmation == "e important pentru el să fie independent"
    assert "„anxios”" in result.reflection
    assert "Max" in result.reflection
    assert "că e important pentru el să fie independent" in result.reflection


@pytest.mark.parametrize("text", JOE_VARIANTS)
def test_joe_variants_are_about_control_and_anxiety(text: str) -> None:
    result = run(text, "Ilinca")
    assert result.theme == "sharing_turns"
    assert result.feelings[0].lower().startswith("anxio")
    assert f"„{result.feelings[0]}”" in result.reflection
    assert "Ilinca" in result.reflection
    assert result.affirmation is not None


@pytest.mark.parametrize(
    "text",
    [
        "Nu prea știu, are doi ani și jumătate și ne-am gândit că ar fi distractiv.",
        "E o fată minunată, vrem doar să se bucure de muzică!",
        "buna",
    ],
)
def test_unclear_narrative_gives_no_theme(text: str) -> None:
    result = run(text)
    assert result.theme is None
    assert result.reflection.endswith("?")


# ------------------------------------------------------------------------------------------------
# Feelings


def test_feelings_come_back_exactly_as_written() -> None:
    result = run("Se face ANXIOS la grădi și e anxioasa seara, ANXIOS de tot.")
    assert result.feelings == ("ANXIOS", "anxioasa")
    assert "„ANXIOS”" in result.reflection


def test_old_cedilla_spelling_is_kept_as_written() -> None:
    result = run("Când plec devine foarte neliniştită şi plânge.", "Ana")
    assert result.feelings == ("neliniştită",)
    assert "„neliniştită”" in result.reflection
    assert "Ana" in result.reflection


def test_child_feeling_before_the_parents_own() -> None:
    result = run("Sunt tare îngrijorată. Se face foarte supărată când plec.", "Ana")
    assert result.feelings == ("supărată", "îngrijorată")
    assert result.child_feeling == "supărată"


def test_only_parent_feeling_is_given_back_as_theirs() -> None:
    result = run("Sunt atât de obosită și stresată cu diminețile.", "Ada")
    assert result.feelings == ("obosită", "stresată")
    assert result.child_feeling is None
    assert "te simți „obosită”" in result.reflection


def test_negated_and_other_adults_feelings() -> None:
    assert run("Nu e timidă deloc, doar nu vrea să împartă.").feelings == ()
    teacher = run("Educatoarea e îngrijorată că nu vorbește încă.")
    assert teacher.feelings == ("îngrijorată",)
    assert "„îngrijorată”" not in teacher.reflection
    wish = run("Vreau doar să fie fericită și liniștită la grădi.")
    assert wish.child_feeling is None


# ------------------------------------------------------------------------------------------------
# Affirmation: the parent's value, turned to address them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ştiu că e important ca un copil să fie independent, dar cînd îi propun ceva se "
            "face ANXIOS.",
            "e important ca un copil să fie independent",
        ),
        (
            "Cred că independența e foarte importantă pentru copii, dar ea nu vrea să împartă.",
            "independența e foarte importantă pentru copii",
        ),
        (
            "Bunătatea e foarte importantă pentru noi. El smulge jucăriile.",
            "bunătatea e foarte importantă pentru voi",
        ),
        (
            "Îmi doresc din tot sufletul să se simtă în siguranță cu mine și cu tatăl lui.",
            "îți dorești din tot sufletul să se simtă în siguranță cu tine și cu tatăl lui",
        ),
        (
            "Am încercat totul ca să se liniștească dimineața la grădi.",
            "ai încercat totul ca să se liniștească dimineața la grădi",
        ),
        (
            "Cântăm în mașină în fiecare dimineață și ea cântă cu noi.",
            "cântați în mașină în fiecare dimineață",
        ),
        ("E o fetiță atât de blândă, dar se ascunde după mine.", "o fetiță atât de blândă"),
    ],
)
def test_affirmation_is_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_value_or_a_wish_about_the_parent() -> None:
    assert run("Vreau să nu mai lovească.").affirmation is None
    assert run("Vreau să plec de acasă.").affirmation is None


# ------------------------------------------------------------------------------------------------
# Safeguarding


CORPUS = lc.load_corpus("ro")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS

_id = lc.row_id(50)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "ro")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "ro")


def test_heldout_recall_and_false_alarm_rate() -> None:
    # The measured figure on text written after the last tuning; a regression floor, not a goal.
    lc.check_heldout(HELDOUT, "ro", HELDOUT_RECALL_FLOOR, HELDOUT_MAX_FALSE_ALARM_RATE)


@pytest.mark.parametrize(
    "text",
    [
        # "I could murder a coffee", "this song is killing me", "I nearly died laughing"
        "aș omorî pentru o cafea",
        "mă omoară cântecul ăsta",
        "am murit de râs",
        "îmi vine să-l omor când varsă tot",
        # "he hits the drum so hard", nagging, games, music
        "bate toba atât de tare că ne dor urechile",
        "lovește mingea și toba cu aceeași poftă",
        "mă bate la cap să-i dau telefonul",
        "l-am bătut la memory și a plâns",
        # child-on-child play and behaviour
        "Îl bate pe frățior când se supără",
        "un copil de la grădi l-a mușcat",
        # negation
        "tatăl lui nu l-a lovit niciodată",
        "nimeni nu o bate",
        # ordinary parenting stress
        "nu mai pot cu crizele ei de la culcare",
    ],
)
def test_brief_benign_examples(text: str) -> None:
    assert detect(text, "ro") is None


@pytest.mark.parametrize(
    ("text", "category", "immediate"),
    [
        ("tatăl lui îl bate", "harm_to_child", False),
        ("taica-su il bate cu cureaua", "harm_to_child", False),
        ("sotul meu ma bate", "domestic_abuse", False),
        ("vreau să mor", "parent_crisis", False),
        ("nu mai pot.", "parent_crisis", False),
        ("am luat toate pastilele", "parent_crisis", True),
        ("are un cuțit și zice că o să mă omoare", "domestic_abuse", True),
        ("EL O BATE CHIAR ACUM, AJUTOR", "harm_to_child", True),
        ("dormim în mașină de o săptămână", "unsafe_housing", False),
    ],
)
def test_brief_disclosure_examples(text: str, category: str, immediate: bool) -> None:
    found = detect(text, "ro")
    assert found is not None
    assert (found.category, found.immediate) == (category, immediate)
    assert found.matched in text


# ------------------------------------------------------------------------------------------------
# Catalog

_FIELD = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"</?\w+>")
_COMMAND = re.compile(r"/(?:newaim|cancel|help|invite)\b")


def test_catalog_is_complete_and_safe() -> None:
    catalog = lc.read_catalog("ro")
    assert not catalog.fuzzy
    assert catalog.num_plurals == 3
    assert "plural=(n==1 ? 0 :" in catalog.plural_forms
    messages = [m for m in catalog if m.id]
    assert len(messages) >= 100
    for message in messages:
        assert "fuzzy" not in message.flags, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (3 if isinstance(message.id, tuple) else 1), message.id
        for string in strings:
            assert string.strip(), message.id
            assert sorted(_FIELD.findall(string)) == sorted(_FIELD.findall(ids[-1])), string
            assert _TAG.findall(string) == _TAG.findall(ids[0]), string
            assert sorted(_COMMAND.findall(string)) == sorted(_COMMAND.findall(ids[0])), string


# ------------------------------------------------------------------------------------------------
# Back-translations never go stale


def test_translations_file_is_complete() -> None:
    lc.check_entries_well_formed(lc.load_entries("ro"))


def _actual(key: str, english: str, ro: Content, en: Content) -> tuple[str, str]:
    """The (English, Romanian) texts the bot produces today for an entry."""
    if key.startswith("catalog: "):
        message = lc.singular_messages("ro").get(english)
        assert message is not None, f"{key}: msgid no longer in the catalog"
        return english, message
    if key == "stop.confirmation":
        return lc.po_lookup("ro")(lc.STOP_CONFIRMATION)
    if key == "analyse: Joe reflection":
        english_joe = (
            "I'm not sure where to start. The main thing is that everything has to be on Max's "
            "terms. He gets really anxious if I suggest anything different from what he wants and "
            "he's only four! I know it's important for kids to be independent but he won't listen "
            "to anyone and I worry he'll ignore his teacher."
        )
        return (
            analyse(english_joe, "en", "Max", safeguarding=_quiet).reflection,
            run(JOE_RO, "Max").reflection,
        )
    reframe = re.fullmatch(r"content: (\w+)\.reframes\[(\d)\]", key)
    if reframe:
        theme, index = reframe.group(1), int(reframe.group(2))
        return en.theme(theme).reframes[index].text, ro.theme(theme).reframes[index].text
    activity = re.fullmatch(r"content: activity (\w+)\.(name|purpose)", key)
    if activity:
        name, part = activity.groups()
        return getattr(en.activity(name), part), getattr(ro.activity(name), part)
    aim = re.fullmatch(r"content: aim (\w+)\.(?:text|signs\[(\d)\])", key)
    if aim:
        name, sign = aim.groups()
        if sign is None:
            return en.aim(name).text, ro.aim(name).text
        return en.aim(name).signs[int(sign)], ro.aim(name).signs[int(sign)]
    raise AssertionError(f"unknown key {key!r}")


def test_translations_match_what_the_bot_produces(ro: Content, en: Content) -> None:
    keys = set()
    for entry in lc.load_entries("ro"):
        english, translation = _actual(entry["key"], entry["english"], ro, en)
        lc.check_entry_matches(entry, english, translation)
        keys.add(entry["key"])
    assert {
        "catalog: consent notice",
        "catalog: opening question",
        "analyse: Joe reflection",
        "content: activity conductor_game.name",
        "content: activity conductor_game.purpose",
        "content: aim lead_then_follow.text",
        "catalog: safeguarding reply",
        "catalog: summary header",
        "catalog: summary closing",
        "catalog: /cancel reply",
        "stop.confirmation",
    } <= keys
