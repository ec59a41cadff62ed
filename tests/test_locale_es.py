"""Spanish (es): catalog, listening content, safeguarding lexicon and back-translations.

Corpus: tests/corpus/safeguarding_es.jsonl, same line format as the English one. "dev" lines were
tuned on (they include three earlier held-out rounds, each promoted to dev after its one
evaluation: 11/22, 11/22 and 13/24 recall); "heldout" lines were written after the last tuning and
never tuned on.
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


def _quiet(_text: str, _locale: str) -> bool:
    return False


def run(text: str, child: str | None = None) -> Analysis:
    return analyse(text, "es", child, safeguarding=_quiet)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("es")


# ------------------------------------------------------------------------------------------------
# Content


def test_spanish_content_validates_with_the_english_ids(content: Content) -> None:
    english = load_content("en")
    assert tuple(t.id for t in content.themes) == THEME_IDS
    for theme in content.themes:
        english_theme = english.theme(theme.id)
        assert [a.id for a in theme.activities] == [a.id for a in english_theme.activities]
        assert [a.id for a in theme.aims] == [a.id for a in english_theme.aims]
        assert [h.id for h in theme.home_tips] == [h.id for h in english_theme.home_tips]
        assert len(theme.signals) >= 25
        assert all("{child}" in r.text for r in theme.reframes)
        assert theme.reframes_for("nerviosa") and theme.reframes_for(None)
        for aim in theme.aims:
            assert aim.text.startswith("{child} ")
            assert len(aim.signs) == 3
    assert [h.id for h in content.home_tips] == [h.id for h in english.home_tips]


def _all_texts(content: Content) -> list[str]:
    texts = content_texts(content, names=True)
    return texts


def test_templates_fill_and_address_the_parent_as_tu_never_vosotros(content: Content) -> None:
    # "vosotros" forms are Spain-only; the plural "you" is "ustedes" everywhere.
    vosotros = re.compile(r"\b(?:os|vosotr[oa]s|vuestr[oa]s?)\b|\w+(?:áis|éis)\b", re.IGNORECASE)
    for text in _all_texts(content):
        filled = content.fill(text, "Sam", "nerviosa", value="es importante")
        assert "{" not in filled and "}" not in filled, text
        assert not vosotros.search(text), text


JOE_ES = (
    "No sé ni por dónde empezar. Lo que más me preocupa es que todo, pero TODO, tiene que ser "
    "como Mateo quiere. Se pone muy ansioso si le propongo algo distinto a lo que él quiere, "
    "¡y solo tiene 4 años! O sea, sé que es importante que los niños sean independientes, pero "
    "no le hace caso a nadie y me preocupa que no escuche a su maestra y no aprenda cosas nuevas."
)
JOE_EN = (
    "I'm not sure where to begin. My biggest problem is that everything, I mean EVERYTHING, "
    "must be on Mateo's terms. He gets so anxious if I suggest anything which is different "
    "from what he wants and he is only 4 years old! I mean, I know it's important for "
    "children to be independent, but he listens to no-one and I am worried that he will not "
    "take any notice of his teacher and learn new things."
)

NARRATIVES = {
    "sharing_turns": [
        "Es muy mandona con su hermanito, todo tiene que ser a su manera. Si otro niño agarra el "
        "juguete que ella quiere se lo quita y grita que es mío. Me gustaría que aprendiera a "
        "compartir.",
        "no sabe esperar su turno, en el parque se cuela en el tobogan y le quita la pala a los "
        "otros nenes. es un cabezota, siempre quiere ser el primero en todo",
        "mi hijo no presta nada, ni los juguetes con los q no juega. Y tiene que ganar siempre, "
        "si pierde se pone fatal. No tiene nada de paciencia",
    ],
    "communication": [
        "Tiene casi tres años y dice muy pocas palabras. Sobre todo señala y gruñe, y se frustra "
        "cuando no le entendemos. Nos han derivado a la logopeda.",
        "mi nena todavia no habla, tiene 2 y medio. en casa hablamos español y en la nursery "
        "ingles y creo q se lia con los dos idiomas. entiende todo eso si",
        "Balbucea todo el día pero no dice palabras todavía, y no siempre responde a su nombre. "
        "Solo quiero poder entender lo que necesita.",
    ],
    "social_play": [
        "En la guardería siempre juega solo en un rincón con los coches. Los demás niños juegan "
        "juntos y él no se une. Me encantaría que hiciera algún amigo.",
        "en el parque de bolas solo mira a los otros niños y no participa, se queda solita. en "
        "los cumpleaños igual, apartada de todo",
        "Es hijo único y creo que no sabe jugar con otros niños. O los ignora o es un poco "
        "brusco. En casa con nosotros es un amor.",
    ],
    "big_feelings": [
        "Las rabietas van a peor. Por cualquier cosa se tira al suelo, patalea y grita, y no hay "
        "forma de calmarlo. Estoy agotada.",
        "tiene unos berrinches tremendos cuando está cansada, pega, muerde, de todo. la verdad es "
        "que su rabia me asusta un poco",
        "pataletas todos los dias por nada, en el super se pone como loco",
    ],
    "listening_attention": [
        "No se está quieto ni un minuto. En la asamblea se levanta y sale corriendo, y las "
        "maestras dicen que no hace caso a las instrucciones.",
        "no me hace caso, le tengo que decir todo diez veces. esta en su mundo, se distrae con "
        "cualquier cosa y salta de una cosa a otra",
        "Le cuesta muchísimo concentrarse. No para de moverse y no escucha cuando le pido que "
        "haga algo. Me preocupa el cole grande.",
    ],
    "separation_transitions": [
        "Llora cada mañana cuando lo dejo en la guardería y se agarra a mi pierna. Dicen que luego "
        "se calma pero se me parte el alma.",
        "esta super enmadrada, no se separa de mi ni para ir al baño. acaba de empezar la "
        "guarderia y la separacion le cuesta muchisimo",
        "Cualquier cambio de rutina le descoloca. Salir del parque, la hora del baño, la cama: no "
        "puede pasar de una cosa a otra sin pelea.",
    ],
    "confidence": [
        "Es muy tímida. En el grupo se esconde detrás de mí y no se atreve a probar nada nuevo. "
        "En casa es un torbellino y canta todo el día.",
        "mi hijo es muy inseguro, le falta confianza y se rinde enseguida si no le sale. le da "
        "miedo hacerlo mal",
        "Es muy callada y vergonzosa con la gente nueva. Se queda atrás y solo mira. Me "
        "encantaría que se sintiera valiente para intentarlo.",
    ],
    "movement": [
        "Es muy torpe, siempre se cae y se choca con todo. Caminó tarde y todavía le cuestan las "
        "escaleras.",
        "le cuesta la motricidad fina, agarrar el lapiz o la cuchara, y el equilibrio no lo tiene "
        "muy bien. en la nursery nos dijeron lo de la coordinacion",
        "Todavía no salta con los dos pies y ya casi tiene cuatro años. Tropieza mucho y no "
        "atrapa la pelota. La fisio nos dio ejercicios.",
    ],
}
ALL_NARRATIVES = [JOE_ES, *(text for texts in NARRATIVES.values() for text in texts)]


@pytest.mark.parametrize(
    ("expected", "text"),
    [(theme, text) for theme, texts in NARRATIVES.items() for text in texts],
)
def test_theme_detected(expected: str, text: str) -> None:
    assert run(text).theme == expected


def test_every_theme_has_narratives() -> None:
    assert set(NARRATIVES) == set(THEME_IDS)
    assert all(len(texts) >= 2 for texts in NARRATIVES.values())


def test_joe_narrative() -> None:
    result = run(JOE_ES, child="Mateo")
    assert result.theme == "sharing_turns"
    assert result.feelings == ("ansioso",)
    assert result.child_feeling == "ansioso"
    assert result.affirmation == "es importante que los niños sean independientes"
    assert '"ansioso"' in result.reflection
    assert "Mateo" in result.reflection
    assert "es importante que los niños sean independientes" in result.reflection


@pytest.mark.parametrize(
    ("text", "child", "feelings"),
    [
        (
            "Mi hija se pone NERVIOSA en la guardería y por las noches está muy ansiosa.",
            "Lía",
            None,
        ),
        ("es muy timida y se esconde detras de mi cuando viene gente nueva", None, ("timida",)),
        ("Leo se pone fustrado cuando no le sale y luego está enojao todo el día", "Leo", None),
    ],
)
def test_feelings_come_back_as_written_and_are_quoted(
    text: str, child: str | None, feelings: tuple[str, ...] | None
) -> None:
    result = run(text, child)
    assert result.feelings
    for word in result.feelings:
        assert word in text  # exactly as written: case, accents, misspellings
    if feelings is not None:
        assert result.feelings == feelings
    assert f'"{result.feelings[0]}"' in result.reflection
    assert (child or "tu peque") in result.reflection


def test_specific_feelings_keep_case_spelling_and_order() -> None:
    text = "Mi hija se pone NERVIOSA en la guardería y por las noches está muy ansiosa."
    assert run(text).feelings == ("NERVIOSA", "ansiosa")
    assert run("Leo se pone fustrado y está enojao", "Leo").feelings == ("fustrado", "enojao")


def test_parent_feeling_is_given_back_as_theirs() -> None:
    result = run("Estoy muy agobiada con sus rabietas.")
    assert result.feelings == ("agobiada",)
    assert '"agobiada"' in result.reflection
    assert "se pone" not in result.reflection


def test_negated_feeling_is_dropped() -> None:
    assert run("No es tímida, pero no comparte nada.").feelings == ()


@pytest.mark.parametrize(
    "text",
    [
        "No sé, la verdad. Tiene dos años y medio y pensamos que sería divertido.",
        "¡Hola!",
        "Es una niña muy alegre, solo queremos que lo disfrute.",
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
            "Sé que es importante que sea independiente, pero pega cuando le digo que no.",
            "es importante que sea independiente",
        ),
        (
            "Para mí es muy importante que sea amable con los demás.",
            "para ti es muy importante que sea amable con los demás",
        ),
        (
            "Solo quiero que sea feliz y que haga amigos.",
            "solo quieres que sea feliz y que haga amigos",
        ),
        (
            "Cantamos en el coche todas las mañanas y ella se une.",
            "cantan en el coche todas las mañanas",
        ),
        (
            "He intentado de todo para que se calme en la entrada de la guardería.",
            "has intentado de todo para que se calme en la entrada de la guardería",
        ),
        ("Es muy cariñosa, pero se esconde detrás de mí.", "es muy cariñosa"),
        ("A mi hija le encanta la música y bailar.", "le encanta la música y bailar"),
    ],
)
def test_affirmation_is_flipped_to_address_the_parent(text: str, expected: str) -> None:
    result = run(text)
    assert result.affirmation == expected
    assert expected in result.reflection


def test_no_praise_for_a_negative_value() -> None:
    result = run("Quiero que deje de pegar a su hermana.")
    assert result.affirmation is None
    assert "deje de pegar" not in result.reflection


@pytest.mark.parametrize("text", ALL_NARRATIVES)
def test_reflection_fits_a_phone(text: str) -> None:
    reflection = run(text, child="Sam").reflection
    assert len(reflection) <= MAX_REFLECTION_CHARS
    assert reflection.endswith("?")
    assert "¿" in reflection
    assert "{" not in reflection
    assert reflection[0].isupper()


def test_unnamed_child_is_tu_peque_capitalised_at_sentence_start(content: Content) -> None:
    assert content.fill("{child} dirigirá una actividad.") == "Tu peque dirigirá una actividad."
    assert "tu peque" in run(NARRATIVES["big_feelings"][0]).reflection.lower()


# ------------------------------------------------------------------------------------------------
# Safeguarding


CORPUS = lc.load_corpus("es")
ROWS, DEV_DISCLOSURES, DEV_BENIGN, HELDOUT = CORPUS
# Measured once on the held-out lines, written after the last tuning: 13/24. A regression floor,
# not a goal; raise it whenever the lexicon improves, never lower it.
HELDOUT_RECALL_FLOOR = 13 / 24

_id = lc.row_id(50)


def test_corpus_is_well_formed_and_big_enough() -> None:
    lc.check_corpus_is_well_formed(ROWS)
    lc.check_corpus_size(CORPUS, dev_min=30, heldout_min=10)
    assert any(r["immediate"] for r in DEV_DISCLOSURES)
    assert any(r["text"].isupper() for r in ROWS)


@pytest.mark.parametrize("row", DEV_DISCLOSURES, ids=_id)
def test_dev_disclosure_detected(row: dict[str, Any]) -> None:
    lc.check_disclosure_detected(row, "es")


@pytest.mark.parametrize("row", DEV_BENIGN, ids=_id)
def test_dev_benign_not_detected(row: dict[str, Any]) -> None:
    lc.check_benign_not_detected(row, "es")


def test_heldout_recall_and_false_alarm_rate() -> None:
    lc.check_heldout(HELDOUT, "es", HELDOUT_RECALL_FLOOR, max_false_alarm_rate=0.1)


@pytest.mark.parametrize(
    "text",
    [
        "le pega muy fuerte al tambor",
        "mataría por un café",
        "me muero de sueño",
        "esta canción me mata jaja",
        "le pega a otros niños cuando se enfada",
        "mi hijo me pega cuando le digo que no",
        "se le pegó la canción de los pollitos",
        "su papá nunca le pegaría",
        "no creo que su papá le pegue",
        "Duérmete niño, duérmete ya, que viene el coco y te comerá",
        "no puedo más con las rabietas jajaja",
    ],
)
def test_brief_benign_examples(text: str) -> None:
    assert detect(text, "es") is None


@pytest.mark.parametrize(
    ("text", "category", "immediate"),
    [
        ("su papá le pega", "harm_to_child", False),
        ("no sé si su papá le pega", "harm_to_child", False),
        ("a mi hija le pega su padrastro", "harm_to_child", False),
        ("su tio le toca sus partes", "sexual_harm", False),
        ("no hay comida en casa", "neglect", False),
        ("me pega mi marido", "domestic_abuse", False),
        ("me quiero morir", "parent_crisis", False),
        ("me he tomado todas las pastillas", "parent_crisis", True),
        ("su papa siempre esta borracho cuando lo tiene", "substances", False),
        ("nos van a desahuciar", "unsafe_housing", False),
        ("LE ESTÁ PEGANDO AHORA MISMO AYUDA", "harm_to_child", True),
    ],
)
def test_brief_disclosure_examples(text: str, category: str, immediate: bool) -> None:
    found = detect(text, "es")
    assert found is not None
    assert (found.category, found.immediate) == (category, immediate)
    assert found.matched in text


def test_spanish_lexicon_raises_no_alarm_on_english_benign_lines() -> None:
    # detect_all runs every lexicon on every message, so Spanish words must not fire on English.
    # detect(text, "es") also runs the English lexicon: only alarms English does not raise count.
    lines = CORPUS_EN.read_text(encoding="utf-8").splitlines()
    benign = [json.loads(line)["text"] for line in lines if '"label": "benign"' in line]
    assert benign
    added = [text for text in benign if detect(text, "es") not in (None, detect(text, "en"))]
    assert added == []


# ------------------------------------------------------------------------------------------------
# Catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_catalog_is_complete_and_safe() -> None:
    catalog = lc.read_catalog("es")
    assert not catalog.fuzzy
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    messages = [m for m in catalog if m.id]
    assert len(messages) > 90
    tag = re.compile(r"</?[a-z]+>")
    command = re.compile(r"(?<![\w/])/[a-z]+\b")
    for message in messages:
        assert "fuzzy" not in message.flags, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (2 if isinstance(message.id, tuple) else 1), message.id
        for translated in strings:
            assert translated and translated.strip(), message.id
            assert _fields(translated) == _fields(ids[-1]), message.id
            assert sorted(tag.findall(translated)) == sorted(tag.findall(ids[0])), message.id
            assert set(command.findall(translated)) == set(command.findall(ids[0])), message.id


# ------------------------------------------------------------------------------------------------
# Back-translations: every `translation` is what the bot produces today


def _expected(content: Content) -> dict[str, tuple[str, str]]:
    """Key -> (English, Spanish) as the catalog and the content files give them now."""
    english = load_content("en")
    po = lc.po_lookup("es")
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
            analyse(JOE_EN, "en", "Mateo", safeguarding=_quiet).reflection,
            run(JOE_ES, "Mateo").reflection,
        ),
    }
    expected.update(lc.content_pairs(content, english, "Mateo", "ansioso"))
    return expected


def test_back_translations_match_what_the_bot_says_today(content: Content) -> None:
    lc.check_entries_match_expected(lc.load_entries("es"), _expected(content))
