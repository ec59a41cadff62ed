"""Tests for the listening content: the English data files and the loader's validation."""

import re
import shutil
from pathlib import Path

import pytest

from conversations.listening import (
    SUPPORTED_CONTENT_LOCALES,
    THEME_IDS,
    Content,
    load_content,
)
from conversations.listening.content import (
    AREAS,
    CONTENT_ROOT,
    MAX_LABEL_CHARS,
    normalise,
    parse_content,
)
from tests.support.language_checks import content_texts


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("en")


def test_english_is_supported_and_cached() -> None:
    assert "en" in SUPPORTED_CONTENT_LOCALES
    assert load_content("en") is load_content("en")


def test_unknown_locale_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no content for locale 'xx'"):
        load_content("xx")


def test_every_theme_present_in_contract_order(content: Content) -> None:
    assert tuple(t.id for t in content.themes) == THEME_IDS
    assert all(content.theme(theme_id).id == theme_id for theme_id in THEME_IDS)


def test_theme_counts_meet_the_brief(content: Content) -> None:
    for theme in content.themes:
        assert 0 < len(theme.label) <= MAX_LABEL_CHARS
        assert len(theme.signals) >= 25
        assert len(theme.reflections) >= 2
        assert len(theme.pictures) >= 2
        assert len(theme.reframes) >= 3
        assert theme.reframes_for("anxious") and theme.reframes_for(None)
        assert len(theme.activities) >= 3
        assert len(theme.aims) >= 2
        assert len(theme.home_tips) >= 6
    assert len({t.label for t in content.themes}) == len(THEME_IDS)
    assert len(content.home_tips) >= 12


def test_reframes_with_feeling_use_it_and_others_do_not(content: Content) -> None:
    for theme in content.themes:
        for reframe in theme.reframes_for("anxious"):
            assert "{feeling}" in reframe.text
        for reframe in theme.reframes_for(None):
            assert "{feeling}" not in reframe.text


def test_every_reframe_speaks_of_the_child_by_name(content: Content) -> None:
    # The booklet's reframe is about Joe ("it's Joe's way of telling us"), never "a child".
    for theme in content.themes:
        for reframe in theme.reframes:
            assert "{child}" in reframe.text, (theme.id, reframe.text)


def test_activities_are_complete(content: Content) -> None:
    for theme in content.themes:
        for activity in theme.activities:
            assert activity.theme == theme.id
            assert activity.area in AREAS
            assert activity.purpose.endswith(".")
            assert content.activity(activity.id) is activity


def test_conductor_game_is_the_sharing_turns_lead_activity(content: Content) -> None:
    conductor = content.activity("conductor_game")
    assert conductor.theme == "sharing_turns"
    assert "baton" in conductor.summary
    assert "conductor_game" in content.aim("lead_then_follow").activities


def test_aims_are_positive_and_in_the_childs_name(content: Content) -> None:
    negative = re.compile(r"\bwill (stop|not|never|no longer)\b|n't\b|\bless\b", re.IGNORECASE)
    for theme in content.themes:
        for aim in theme.aims:
            assert aim.text.startswith("{child} will ")
            assert not negative.search(aim.text), aim.text
            assert len(aim.signs) == 3
            assert all("{child}" in sign for sign in aim.signs)
            assert all(content.activity(ref) for ref in aim.activities)


def test_ids_are_unique_across_the_locale(content: Content) -> None:
    activity_ids = [a.id for t in content.themes for a in t.activities]
    aim_ids = [a.id for t in content.themes for a in t.aims]
    tip_ids = [h.id for t in content.themes for h in t.home_tips] + [
        h.id for h in content.home_tips
    ]
    for ids in (activity_ids, aim_ids, tip_ids):
        assert len(ids) == len(set(ids))
    assert content.home_tip("gen_saucepan_drum").theme is None
    assert content.home_tip("st_spoon_conductor").theme == "sharing_turns"


def test_every_template_fills_cleanly(content: Content) -> None:
    texts = content_texts(content)
    for text in texts:
        filled = content.fill(text, "Max", "anxious", value="it matters")
        assert "{" not in filled and "}" not in filled, text


def test_fill_capitalises_a_default_child_only_at_sentence_start(content: Content) -> None:
    assert content.fill("{child} will lead.") == "Your child will lead."
    assert content.fill("I like {child}. {child} sings.") == "I like your child. Your child sings."
    assert content.fill('You said {child} gets "{feeling}".', "Max", "Anxious") == (
        'You said Max gets "Anxious".'
    )


def test_normalise_unifies_quotes_apostrophes_dashes_and_spaces() -> None:
    assert normalise("He WON\u2019T  share\u2014ever,\n ok?") == "he wont share ever, ok?"
    assert normalise("melt-down") == "melt down"


def test_signal_patterns_handle_wildcards_and_phrases(content: Content) -> None:
    feelings = content.theme("big_feelings").pattern
    assert [m.group(0) for m in feelings.finditer(normalise("tantrumz and a melt-down"))] == [
        "tantrumz",
        "melt down",
    ]
    sharing = content.theme("sharing_turns").pattern
    # The longer phrase wins over the single word inside it.
    assert sharing.search(normalise("he won't share"))
    assert sharing.search(normalise("he wont share")).group(0) == "wont share"  # type: ignore[union-attr]
    assert not sharing.search("shareholder")


# --- validation of broken files -------------------------------------------------------------


def _copy_en(tmp_path: Path) -> Path:
    target = tmp_path / "en"
    shutil.copytree(CONTENT_ROOT / "en", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test fixture out of date: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copied_content_is_valid(tmp_path: Path) -> None:
    parsed = parse_content(_copy_en(tmp_path), "en")
    assert tuple(t.id for t in parsed.themes) == THEME_IDS


@pytest.mark.parametrize(
    ("filename", "old", "new", "message"),
    [
        ("themes.toml", 'area = "social"', 'area = "dance"', r"area: 'dance' is not one of"),
        (
            "themes.toml",
            '"{child} will lead an',
            '"{kid} will lead an',
            r"unknown placeholder \{kid\}",
        ),
        (
            "themes.toml",
            'id = "echo_songs"',
            'id = "conductor_game"',
            "duplicate id 'conductor_game'",
        ),
        (
            "themes.toml",
            'activities = ["conductor_game", "echo_leader"]',
            'activities = ["conductor_game", "no_such_game"]',
            "unknown activity 'no_such_game'",
        ),
        (
            "themes.toml",
            'label = "Sharing and taking turns"',
            'label = "Sharing, taking turns and waiting nicely"',
            "longer than 30",
        ),
        (
            "themes.toml",
            "requires_feeling = true\ntext",
            "requires_feeling = false\ntext",
            "requires_feeling",
        ),
        ("themes.toml", '"won\'t share",', '"won\'t share", "wont share",', "duplicate signal"),
        ("themes.toml", 'label = "Sharing and taking turns"', 'label = "Sharing', "invalid TOML"),
        ("themes.toml", "[movement]", "[moving]", "unknown theme id 'moving'"),
        (
            "themes.toml",
            'purpose = "Waiting for a turn gets easier',
            'purpose = "Waiting is hard. Turns get easier',
            "exactly one sentence",
        ),
        (
            "language.toml",
            "'You said {child} gets \"{feeling}\".'",
            "'You said {child} is struggling.'",
            r"must use \{feeling\}",
        ),
        ("language.toml", "(?P<value>", "(", "named group"),
        ("language.toml", "(?P<value>", "(?P<value>(", "invalid regex"),
        ("language.toml", 'child_default = "your child"', 'child_default = ""', "child_default"),
    ],
)
def test_broken_content_is_rejected(
    tmp_path: Path, filename: str, old: str, new: str, message: str
) -> None:
    directory = _copy_en(tmp_path)
    _edit(directory / filename, old, new)
    with pytest.raises(ValueError, match=message):
        parse_content(directory, "en")


def test_too_few_signals_is_rejected(tmp_path: Path) -> None:
    directory = _copy_en(tmp_path)
    path = directory / "themes.toml"
    text = path.read_text(encoding="utf-8")
    shortened = re.sub(r"signals = \[.*?\]\n", 'signals = ["share"]\n', text, count=1, flags=re.S)
    path.write_text(shortened, encoding="utf-8")
    with pytest.raises(ValueError, match=r"sharing_turns\.signals: needs at least 25"):
        parse_content(directory, "en")


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    directory = _copy_en(tmp_path)
    (directory / "language.toml").unlink()
    with pytest.raises(ValueError, match="content file is missing"):
        parse_content(directory, "en")
