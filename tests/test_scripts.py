"""Script-safe matching of Bengali, Arabic, Urdu and Latin with diacritics: engine and detector.

All content here is small fixture content written to a temporary folder (the English files plus a
few words per language), never the real translations, which are written elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conversations.listening import analyse, engine, load_content, scripts
from conversations.listening import safeguarding as sg
from conversations.listening.content import CONTENT_ROOT, Content, fill_template, parse_content
from conversations.listening.engine import score_themes
from conversations.listening.scripts import Folding, ScriptPattern, has_marks, parse_folding

EN = CONTENT_ROOT / "en"
CORPUS = Path(__file__).parent / "corpus" / "safeguarding_en.jsonl"


def NO_SAFEGUARDING(_text: str, _locale: str) -> bool:  # noqa: N802  (reads like a constant)
    return False


# --- fixture content -----------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """A TOML value (inline tables and arrays) for the plain data of a content file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    raise TypeError(type(value))


def write_toml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in data.items()), encoding="utf-8"
    )


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def add_locale(
    root: Path,
    locale: str,
    *,
    normalise: dict[str, Any] | None = None,
    signals: dict[str, list[str]] | None = None,
    feelings: Sequence[str] = (),
    child_markers: Sequence[str] = (),
    parent_markers: Sequence[str] = (),
    negators: Sequence[str] = (),
    safeguarding: str | None = None,
) -> None:
    """The English content plus a few words in another language, as ``root/<locale>/``."""
    folder = root / locale
    folder.mkdir(parents=True)
    themes = read_toml(EN / "themes.toml")
    for theme_id, extra in (signals or {}).items():
        themes[theme_id]["signals"] += extra
    language = read_toml(EN / "language.toml")
    if normalise is not None:
        language["normalise"] = normalise
    language["feelings"]["words"] += list(feelings)
    language["feelings"]["child_markers"] += list(child_markers)
    language["feelings"]["parent_markers"] += list(parent_markers)
    language["text"]["negators"] += list(negators)
    write_toml(folder / "themes.toml", themes)
    write_toml(folder / "language.toml", language)
    if safeguarding is not None:
        (folder / "safeguarding.toml").write_text(safeguarding, encoding="utf-8")


ARABIC_NORMALISE = {
    "strip": "[\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u06d6-\\u06ed\\u0640]",
    "letters": {"أإآٱ": "ا", "ى": "ي", "ة": "ه"},
}
URDU_NORMALISE = {
    "strip": "[\\u064b-\\u0653\\u0655-\\u065f\\u0670]",
    "letters": {"ك": "ک", "يى": "ی", "ه": "ہ"},
}
BENGALI_NORMALISE = {"letters": {"ী": "ি", "ূ": "ু"}}
ROMANIAN_NORMALISE = {"letters": {"ş": "ș", "ţ": "ț"}}

BN_SAFEGUARDING = r"""
schema = 1
[macros]
FATHER = '''(?:বাবা|আব্বু)'''
[normalise.letters]
"ী" = "ি"
[segmentation]
sentence_break = '''[.!?\n]+'''
clause_break = '''[,;:]'''
[negation]
window_words = 2
cues = ['''না''', '''নয়''']
[guard.game]
scope = "sentence"
patterns = ['''\bখেলা\b''']
[[trigger]]
name = "father_hits_child"
category = "harm_to_child"
patterns = ['''\b{FATHER}\s+(?:ওকে|ওদের)\s+মারে\b''']
guards = ["game"]
"""

AR_SAFEGUARDING = r"""
schema = 1
[normalise]
strip = '''[\u064b-\u065f\u0670\u0640]'''
[normalise.letters]
"أإآ" = "ا"
"ى" = "ي"
"ة" = "ه"
[negation]
window_words = 3
cues = ['''لا''', '''ما''']
[[trigger]]
name = "father_hits_child"
category = "harm_to_child"
patterns = ['''\bأَبُوهُ\s+يَضْرِبُهُ\b''']
"""

UR_SAFEGUARDING = r"""
schema = 1
[normalise]
strip = '''[\u064b-\u0653\u0655-\u065f\u0670]'''
[normalise.letters]
"ك" = "ک"
"يى" = "ی"
"ه" = "ہ"
[guard.game]
scope = "sentence"
patterns = ['''\bکھیل\b''']
[[trigger]]
name = "father_hits_child"
category = "harm_to_child"
patterns = ['''\bابو\s+اسے\s+مارتے\s+ہیں\b''']
guards = ["game"]
"""

RO_SAFEGUARDING = r"""
schema = 1
[normalise.letters]
"ş" = "ș"
"ţ" = "ț"
[[trigger]]
name = "partner_hits_me"
category = "domestic_abuse"
patterns = ['''\bsoțul\s+meu\s+mă\s+lovește\b''']
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content folder with English and six small fixture languages."""
    base = tmp_path_factory.mktemp("content")
    (base / "en").mkdir()
    for name in ("themes.toml", "language.toml", "safeguarding.toml"):
        shutil.copy(EN / name, base / "en" / name)
    add_locale(
        base,
        "bn",
        normalise=BENGALI_NORMALISE,
        signals={"big_feelings": ["রাগ", "চিৎকার করে"], "confidence": ["লাজুক"]},
        feelings=["রাগী", "চিন্তিত"],
        child_markers=["সে", "মেয়ে", "ছেলে"],
        parent_markers=["আমি"],
        negators=["না"],
        safeguarding=BN_SAFEGUARDING,
    )
    add_locale(
        base,
        "ar",
        normalise=ARABIC_NORMALISE,
        signals={"confidence": ["خَجُول"], "social_play": ["لا يلعب مع أصدقائه"]},
        feelings=["قلق", "خائف"],
        child_markers=["هو", "هي", "ابني"],
        negators=["ليس"],
        safeguarding=AR_SAFEGUARDING,
    )
    add_locale(
        base,
        "ur",
        normalise=URDU_NORMALISE,
        signals={"social_play": ["اکیلے کھیلتا ہے"], "communication": ["بات نہیں کرتا"]},
        feelings=["پریشان", "ڈرے ہوۓ"],
        child_markers=["وہ", "بیٹا"],
        safeguarding=UR_SAFEGUARDING,
    )
    add_locale(
        base,
        "pl",
        signals={"confidence": ["nieśmiały", "śmiały"], "big_feelings": ["złości się"]},
        feelings=["zaniepokojona", "zły"],
        child_markers=["syn", "on"],
    )
    add_locale(
        base,
        "ro",
        normalise=ROMANIAN_NORMALISE,
        signals={"big_feelings": ["țipă"], "confidence": ["își face griji"]},
        feelings=["îngrijorată", "supărat"],
        child_markers=["el", "fiul"],
        safeguarding=RO_SAFEGUARDING,
    )
    add_locale(base, "es", signals={"big_feelings": ["berrinches"]}, feelings=["preocupada"])
    return base


def content(root: Path, locale: str) -> Content:
    return load_content(locale, root)


def theme_scores(root: Path, locale: str, text: str) -> dict[str, float]:
    return {s.id: s.score for s in score_themes(content(root, locale), text)}


def feelings(root: Path, locale: str, text: str, child: str | None = None) -> tuple[str, ...]:
    found = analyse(
        text, locale, child, safeguarding=NO_SAFEGUARDING, content=content(root, locale)
    )
    return found.feelings


# --- the building blocks -------------------------------------------------------------------------


def test_the_problem_this_fixes() -> None:
    # Python's re splits Bengali at its vowel signs; a ScriptPattern keeps the word whole.
    assert re.findall(r"\w+", "বাংলা") == ["ব", "ল"]
    assert ScriptPattern(r"\w+").findall("বাংলা ভাষা") == ["বাংলা", "ভাষা"]
    assert ScriptPattern(r"\w+").findall("مَدْرَسَةٌ جَمِيلَةٌ") == ["مَدْرَسَةٌ", "جَمِيلَةٌ"]
    # re misses a word that ends in a vowel sign, and finds one inside a longer word.
    assert re.search(r"\bমারে\b", "বাবা ওকে মারে।") is None
    assert ScriptPattern(r"\bমারে\b").search("বাবা ওকে মারে।") is not None
    assert re.search(r"\bরাগ\b", "সে অনুরাগী") is not None
    assert ScriptPattern(r"\bরাগ\b").search("সে অনুরাগী") is None
    assert ScriptPattern(r"\Bাগ").search("অনুরাগী") is not None


def test_has_marks_matches_unicode_exactly() -> None:
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] == "M"]
    assert all(has_marks(chr(c)) for c in marks)
    assert has_marks("\u200c") and has_marks("x\u200d")
    others = "".join(
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c))[0] != "M" and c not in (0x200C, 0x200D)
    )
    assert not has_marks(others)
    assert not has_marks("Zażółć gęślą jaźń, ştiu şi ţie, știu, ¿Qué tal? niño")
    assert not has_marks("کیوں نہیں ہے؟ لا يلعب مع أصدقائه")
    assert has_marks("বাংলা") and has_marks("خَجُول") and has_marks("cafe\u0301")


def test_patterns_without_word_escapes_compile_once() -> None:
    plain = ScriptPattern("[.!?]")
    assert plain.unicode is plain.native
    escaped = ScriptPattern(r"\\b[\\w]")  # escaped backslashes: not word escapes
    assert escaped.unicode is escaped.native
    assert ScriptPattern(r"\bx").unicode is not ScriptPattern(r"\bx").native
    with pytest.raises(re.error):
        ScriptPattern(r"(\b")


def test_letter_class_keeps_its_marks() -> None:
    # [^\W\d_] is "a letter": with marks, so the English "three or more of a letter" rewrite
    # leaves Bengali alone and still squeezes Latin.
    letter = ScriptPattern(r"([^\W\d_])\1{2,}")
    assert letter.sub(r"\1\1", "hittttt") == "hitt"
    assert [m.group(0) for m in ScriptPattern(r"[^\W\d_]+").finditer("মেয়ে 12 ok")] == [
        "মেয়ে",
        "ok",
    ]


def test_folding_maps_back_to_the_original() -> None:
    folding = parse_folding(ARABIC_NORMALISE, "ar")
    text = "إبنُهُ قَلِقٌ جداً"
    folded, index = folding.fold_mapped(text)
    assert folded == "ابنه قلق جدا"
    assert index is not None and len(index) == len(folded)
    span = scripts.original_span(index, 5, 8, len(text))
    assert text[span[0] : span[1]] == "قَلِقٌ"
    # Lowercasing that changes the length, and NFC of a decomposed letter, keep the map.
    plain = Folding()
    folded, index = plain.fold_mapped("İyi cafe\u0301")
    assert folded == "i\u0307yi café"
    assert index is not None and [index[k] for k in (0, 1, 2, -1)] == [0, 0, 1, 7]
    # English text: no map at all (the fast path).
    assert plain.fold_mapped("He's ANXIOUS.") == ("he's anxious.", None)
    # Emoji variation selectors are dropped: they style emoji, they are not letters.
    assert plain.fold("love\u2764\ufe0fhim") == "love\u2764him"


def test_patterns_are_folded_like_text() -> None:
    folding = parse_folding(ARABIC_NORMALISE, "ar")
    assert folding.fold_pattern(r"\bأَبُوهُ\s+يضربه\b") == r"\bابوه\s+يضربه\b"
    assert folding.fold_pattern(r"[\u064b-\u065f]") == r"[\u064b-\u065f]"  # escapes untouched
    romanian = parse_folding(ROMANIAN_NORMALISE, "ro")
    assert romanian.fold("ŞTIU ŢIPĂ știu") == "știu țipă știu"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"letters": {"ا": "ab"}}, "exactly one character"),
        ({"letters": {"ا": ""}}, "exactly one character"),
        ({"letters": ["a"]}, "expected a table"),
        ({"letters": {"ا": 1}}, "exactly one character"),
        ({"strip_marks": True}, "unknown key 'strip_marks'"),
        ({"strip": "x*"}, "empty string"),
        ({"strip": "("}, "invalid regex"),
        ({"rewrite": [{"replace": "x"}]}, "pattern"),
        ({"rewrite": [{"pattern": "(", "replace": "x"}]}, "invalid regex"),
    ],
)
def test_normalise_schema_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_folding(raw, "language.normalise")


@pytest.mark.parametrize(
    "normalise",
    [{"letters": {"a": "bc"}}, {"strip_marks": True}, {"rewrite": [{"pattern": "{NOPE}"}]}],
)
def test_safeguarding_normalise_errors_name_the_locale(normalise: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="xx"):
        sg._compile({"normalise": normalise}, "xx")


def test_words_lost_to_normalise_are_an_error(tmp_path: Path) -> None:
    add_locale(tmp_path, "xx", normalise={"strip": "[a-z]"})
    with pytest.raises(ValueError, match=r"lost by language\.normalise"):
        load_content("xx", tmp_path)


# --- the listening engine ------------------------------------------------------------------------


def test_bengali_signal_is_a_whole_word(root: Path) -> None:
    assert theme_scores(root, "bn", "ওর খুব রাগ হয়, তখন চিৎকার করে।").get("big_feelings") == 3.0
    # Inside a longer word (the vowel sign before র is part of it): no match.
    assert "big_feelings" not in theme_scores(root, "bn", "সে গানের অনুরাগী।")
    assert "confidence" in theme_scores(root, "bn", "আমার ছেলে খুব লাজুক")
    assert "confidence" not in theme_scores(root, "bn", "ওর লাজুকতা")


def test_bengali_negation_and_danda(root: Path) -> None:
    # "না" before the signal negates it; a danda ends the sentence and the negation with it.
    negated = theme_scores(root, "bn", "না রাগ")["big_feelings"]
    assert negated == pytest.approx(0.25)
    assert theme_scores(root, "bn", "না। রাগ")["big_feelings"] == 1.0


def test_bengali_feelings_as_written(root: Path) -> None:
    assert feelings(root, "bn", "সে খুব রাগী") == ("রাগী",)
    assert feelings(root, "bn", "সে খুব রাগি") == ("রাগি",)  # short i: same word, kept as typed
    assert feelings(root, "bn", "সে আমার অনুরাগী") == ()
    # Who the feeling is about: the danda ends the sentence that holds "আমি" (I).
    about_parent = analyse(
        "আমি চিন্তিত", "bn", safeguarding=NO_SAFEGUARDING, content=content(root, "bn")
    )
    assert about_parent.child_feeling is None
    after_danda = analyse(
        "আমি জানি। চিন্তিত", "bn", safeguarding=NO_SAFEGUARDING, content=content(root, "bn")
    )
    assert after_danda.child_feeling == "চিন্তিত"


def test_bengali_decomposed_letters_match(root: Path) -> None:
    # য় typed as one code point or as য + nukta: the same letter after NFC.
    composed, decomposed = "মে\u09dfে", "মে\u09af\u09bcে"
    assert unicodedata.normalize("NFC", composed) == unicodedata.normalize("NFC", decomposed)
    language = content(root, "bn").language
    for girl in (composed, decomposed):
        found = engine._find_feelings(language, f"{girl} চিন্তিত", None)
        assert [(f.word, f.about) for f in found] == [("চিন্তিত", "child")]


def test_arabic_with_and_without_harakat_and_alif_variants(root: Path) -> None:
    for text in ("ابني خجول جدا", "ابني خَجُولٌ جداً", "ابنِي خـجـول"):
        assert "confidence" in theme_scores(root, "ar", text), text
    for text in ("لا يلعب مع أصدقائه", "لا يلعب مع اصدقائه", "لا يَلْعَبُ مع إصدقائه"):
        assert theme_scores(root, "ar", text).get("social_play") == 2.5, text
    assert "confidence" not in theme_scores(root, "ar", "الخجولين")


def test_arabic_feelings_keep_their_harakat(root: Path) -> None:
    assert feelings(root, "ar", "هو قَلِقٌ جداً") == ("قَلِقٌ",)
    assert feelings(root, "ar", "هي خائفة؟ هو قلق") == ("قلق",)
    # Negated: "ليس" just before the feeling word.
    assert feelings(root, "ar", "هو ليس قَلِق") == ()


def test_urdu_letters_and_signals(root: Path) -> None:
    assert theme_scores(root, "ur", "میرا بیٹا ہمیشہ اکیلے کھیلتا ہے۔").get("social_play") == 2.5
    # Typed with an Arabic keyboard: ي for ی, ك for ک, ه for ہ.
    assert theme_scores(root, "ur", "وه بات نهيں كرتا").get("communication") == 2.5
    assert feelings(root, "ur", "وہ بہت پریشان ہے") == ("پریشان",)
    # ۓ typed as ے + hamza above (U+0654) is the same letter after NFC, and stays as typed.
    assert feelings(root, "ur", "وہ ڈرے ہوے\u0654 ہیں") == ("ڈرے ہوے\u0654",)


def test_polish_diacritics(root: Path) -> None:
    scores = theme_scores(root, "pl", "Mój syn jest bardzo NIEŚMIAŁY i często złości się.")
    assert scores.get("confidence") == 1.0  # "śmiały" inside "nieśmiały" does not count
    assert scores.get("big_feelings") == 2.0
    assert feelings(root, "pl", "On jest zły, a ja jestem zaniepokojona") == (
        "zły",
        "zaniepokojona",
    )


def test_romanian_cedilla_and_comma_forms_unify(root: Path) -> None:
    for text in ("Fiul meu țipă mereu", "Fiul meu ţipă mereu", "FIUL MEU ŢIPĂ"):
        assert theme_scores(root, "ro", text).get("big_feelings") == 1.0, text
    assert "confidence" in theme_scores(root, "ro", "El îşi face griji")
    assert feelings(root, "ro", "El e supărat") == ("supărat",)


def test_spanish_template_capitalises_after_opening_marks() -> None:
    assert fill_template("¿{child} duerme bien?", {"child": "tu hijo"}) == "¿Tu hijo duerme bien?"
    assert fill_template("¡{child} canta!", {"child": "tu hija"}) == "¡Tu hija canta!"
    assert fill_template("Y {child} canta.", {"child": "tu hija"}) == "Y tu hija canta."


def test_one_sentence_purposes_may_end_with_a_danda(tmp_path: Path) -> None:
    add_locale(tmp_path, "bn")
    themes = read_toml(tmp_path / "bn" / "themes.toml")
    themes["movement"]["activities"][0]["purpose"] = "এটি শিশুর শরীরকে শক্তিশালী করে।"
    write_toml(tmp_path / "bn" / "themes.toml", themes)
    bengali = parse_content(tmp_path / "bn", "bn")
    assert bengali.theme("movement").activities[0].purpose.endswith("।")
    themes["movement"]["activities"][0]["purpose"] = "এটি শক্তিশালী করে। এটি মজার।"
    write_toml(tmp_path / "bn" / "themes.toml", themes)
    with pytest.raises(ValueError, match="exactly one sentence"):
        parse_content(tmp_path / "bn", "bn")


def test_analyse_in_a_fixture_locale(root: Path) -> None:
    result = analyse(
        "আমার ছেলে খুব লাজুক। সে খুব রাগী।",
        "bn",
        "রাহুল",
        safeguarding=NO_SAFEGUARDING,
        content=content(root, "bn"),
    )
    assert result.feelings == ("রাগী",)
    assert '"রাগী"' in result.reflection


# --- safeguarding --------------------------------------------------------------------------------


def test_bengali_trigger_matches_whole_words(root: Path) -> None:
    text = "আমার স্বামী, মানে ওর বাবা ওকে মারে।"
    found = sg.detect(text, "bn", root=root)
    assert found is not None and found.category == "harm_to_child"
    assert found.matched == "বাবা ওকে মারে" and found.matched in text
    assert sg.detect("বাবা ওকে মারেনি", "bn", root=root) is None  # a longer word
    assert sg.detect("আব্বু ওদের মারে", "bn", root=root) is not None


def test_bengali_sentence_and_negation(root: Path) -> None:
    # The guard is sentence-scoped: a danda keeps the game in its own sentence.
    assert sg.detect("বাবা ওকে মারে খেলা", "bn", root=root) is None
    assert sg.detect("বাবা ওকে মারে। আমরা খেলা করি।", "bn", root=root) is not None
    assert sg.detect("না বাবা ওকে মারে", "bn", root=root) is None
    assert sg.detect("না, বাবা ওকে মারে", "bn", root=root) is not None  # comma: new clause


def test_arabic_trigger_with_harakat_and_variants(root: Path) -> None:
    for text in (
        "أبوه يضربه كل يوم",
        "ابوه يضربه",
        "أَبُوهُ يَضْرِبُهُ كل يوم؟",
        "إبوه يـضـربه",
    ):
        found = sg.detect(text, "ar", root=root)
        assert found is not None, text
        assert found.matched in text and found.matched.startswith(text[:2])
    found = sg.detect("أَبُوهُ يَضْرِبُهُ", "ar", root=root)
    assert found is not None and found.matched == "أَبُوهُ يَضْرِبُهُ"  # with the final damma
    assert sg.detect("لا اعتقد ان ابوه يضربه", "ar", root=root) is None  # negated
    assert sg.detect("لا، ابوه يضربه", "ar", root=root) is not None  # Arabic comma: new clause
    assert sg.detect("لا؟ ابوه يضربه", "ar", root=root) is not None  # question mark: new sentence


def test_urdu_trigger(root: Path) -> None:
    text = "ابو اسے مارتے ہیں۔ مجھے ڈر لگتا ہے"
    found = sg.detect(text, "ur", root=root)
    assert found is not None and found.matched == "ابو اسے مارتے ہیں"
    assert sg.detect("ابو اسے مارتے هيں", "ur", root=root) is not None  # Arabic-keyboard letters
    assert sg.detect("کھیل میں ابو اسے مارتے ہیں", "ur", root=root) is None  # a game
    assert sg.detect("کھیل۔ ابو اسے مارتے ہیں", "ur", root=root) is not None  # another sentence


def test_romanian_trigger_with_either_s_comma(root: Path) -> None:
    for text in ("Soțul meu mă lovește", "Soţul meu mă loveşte", "SOŢUL MEU MĂ LOVEŞTE!"):
        found = sg.detect(text, "ro", root=root)
        assert found is not None and found.category == "domestic_abuse", text
        assert found.matched in text


def test_english_always_checked_and_mixed_text(root: Path) -> None:
    found = sg.detect("আমি ভয় পাচ্ছি, his dad hits him", "bn", root=root)
    assert found is not None and found.matched == "his dad hits him"


def test_detect_all_runs_every_lexicon_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sg.supported_locales(root) == ("ar", "bn", "en", "ro", "ur")
    runs: list[int] = []
    real = sg._hits

    def counting(norm: str, lex: Any) -> Any:
        runs.append(1)
        return real(norm, lex)

    monkeypatch.setattr(sg, "_hits", counting)
    assert sg.detect_all("nothing to see here", root=root) is None
    assert len(runs) == 5
    for text in ("বাবা ওকে মারে", "ابوه يضربه", "his dad hits him", "ابو اسے مارتے ہیں"):
        found = sg.detect_all(text, root=root)
        assert found is not None and found.category == "harm_to_child", text
        assert found.matched in text
    # The most serious hit wins across languages: immediate English beats a Bengali hit.
    found = sg.detect_all("বাবা ওকে মারে. I'm going to kill myself tonight", root=root)
    assert found is not None and found.immediate


# --- English unchanged ---------------------------------------------------------------------------


def _english_results() -> list[Any]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    out: list[Any] = []
    for text in texts:
        found = sg.detect(text, "en")
        result = analyse(text, "en", "Max", safeguarding=NO_SAFEGUARDING)
        out.append((found, result.to_json(), result.affirmation, result.child_feeling))
    return out


def test_unicode_engine_agrees_with_re_on_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # On text without marks the native re patterns run; forcing the Unicode twins everywhere
    # must give exactly the same detections, themes, feelings and reflections.
    native = _english_results()
    monkeypatch.setattr(scripts, "has_marks", lambda _text: True)
    monkeypatch.setattr(engine, "has_marks", lambda _text: True)
    assert _english_results() == native
