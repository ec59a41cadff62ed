"""Unit tests for text packing/escaping, configuration and small pure helpers."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, settings_from_mapping
from bot.i18n import format_day, format_full_day, negotiate
from bot.logs import RedactFilter
from conversations.aim import logic
from conversations.common.text import esc, pack, quote_blocks, split_plain, utf16_len
from conversations.onboarding.logic import clean_age, clean_child_name, clean_relationship

TOKEN = "123456789:AAExampleExampleExampleExample"


def _visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_escape_covers_html_specials() -> None:
    assert esc('<b>Tom & "Jerry"</b>') == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"


def test_split_plain_respects_limit_and_keeps_every_word() -> None:
    text = " ".join(f"word{i}." for i in range(3000))
    pieces = split_plain(text, 500)
    assert all(utf16_len(p) <= 500 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_plain_counts_utf16_units() -> None:
    text = "🎵" * 3000  # each is two UTF-16 units
    pieces = split_plain(text, 4096)
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert "".join(pieces) == text


def test_pack_fits_telegram_and_keeps_order() -> None:
    essay = "My son " + "really loves the drum and then gets cross. " * 200
    blocks = ["<b>Header</b>", *quote_blocks(essay), "footer"]
    messages = pack(blocks)
    assert len(messages) > 1
    assert all(utf16_len(m) <= 4096 for m in messages)
    joined = _visible("\n\n".join(messages))
    assert joined.startswith("Header") and joined.endswith("footer")
    assert joined.count("really loves the drum") == 200


def test_quote_blocks_escape_parent_text() -> None:
    [block] = quote_blocks("<script>alert(1)</script> & more")
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert block.startswith("<i>") and block.endswith("</i>")


def test_settings_defaults_and_validation(tmp_path: Path) -> None:
    settings = settings_from_mapping({})
    assert settings.base_url == "https://api.telegram.org/bot"
    assert not settings.has_token
    settings = settings_from_mapping(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "x.db")}
    )
    assert settings.has_token and settings.database_path == tmp_path / "x.db"
    for env, needle in [
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BASE_URL": "ftp://x"}, "TELEGRAM_BASE_URL"),
        ({"GATHER_SECONDS": "soon"}, "GATHER_SECONDS"),
        ({"FOLLOW_UP_WEEKS": "9"}, "FOLLOW_UP_WEEKS"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"SAFEGUARDING_CONFIG": str(tmp_path / "missing.toml")}, "SAFEGUARDING_CONFIG"),
    ]:
        with pytest.raises(ConfigError, match=needle):
            settings_from_mapping(env)


def test_bad_token_error_never_echoes_it() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_mapping({"TELEGRAM_BOT_TOKEN": "123:short"})
    assert "123:short" not in str(info.value)


def test_secret_never_shows() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in str(secret)
    assert TOKEN not in repr(settings_from_mapping({"TELEGRAM_BOT_TOKEN": TOKEN}))


def test_log_filter_redacts_token() -> None:
    import logging

    record = logging.LogRecord("x", logging.INFO, "f", 1, "POST %s/bot%s/getMe", ("u", TOKEN), None)
    RedactFilter([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage() and "[redacted]" in record.getMessage()


def test_negotiate_language_codes() -> None:
    assert negotiate("en-GB") == "en"
    assert negotiate(None) == "en"
    assert negotiate("xx-invalid-!!") == "en"
    assert negotiate("pl-PL") == "pl"
    assert negotiate("de") == "en"  # not supported: falls back


def test_dates_are_formatted_with_babel() -> None:
    assert format_day(date(2026, 12, 12)) == "Saturday 12 December"
    assert format_full_day(date(2026, 12, 12)) == "Saturday, 12 December 2026"


def test_child_name_cleaning() -> None:
    assert clean_child_name("  max ") == "Max"
    assert clean_child_name("Zoë-Mae") == "Zoë-Mae"
    assert clean_child_name("") is None
    assert clean_child_name("12345") is None
    assert clean_child_name("x" * 41) is None
    assert clean_child_name("my son is called Max and he is four") is None


def test_age_and_relationship_cleaning() -> None:
    assert clean_age("3 and a half") == "3 and a half"
    assert clean_age("a" * 30) is None
    assert clean_relationship(" step-mum ") == "step-mum"
    assert clean_relationship("") is None


def test_follow_up_choices_are_two_three_four_weeks() -> None:
    choices = logic.follow_up_choices(date(2026, 11, 21))
    assert [(w, d.isoformat()) for w, d in choices] == [
        (2, "2026-12-05"),
        (3, "2026-12-12"),
        (4, "2026-12-19"),
    ]


def test_own_aim_cleaning() -> None:
    assert logic.clean_own_aim("  Max will   pass the drum ") == "Max will pass the drum"
    assert logic.clean_own_aim("ok") is None
    assert logic.clean_own_aim("x" * 301) is None


def test_key_sentences_prefer_feelings_and_signals_in_order() -> None:
    story = (
        "We moved house in the summer. Everything has to be on his terms. "
        "He gets so anxious when plans change. His sister is two. "
        "He won't take turns at all. He loves dinosaurs."
    )
    picked = logic.key_sentences(story, ("anxious",), ("on his terms", "take turns"))
    assert picked == [
        "Everything has to be on his terms.",
        "He gets so anxious when plans change.",
        "He won't take turns at all.",
    ]


def test_stable_index_is_repeatable() -> None:
    assert logic.stable_index("abc", 5) == logic.stable_index("abc", 5)
    assert {logic.stable_index(str(i), 3) for i in range(50)} == {0, 1, 2}
