"""Pure texts and documents for practitioners and coordinators (no Telegram)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp

from bot.config import ConfigError, settings_from_mapping
from bot.storage.models import (
    AimLine,
    ChildRecord,
    ExportRow,
    Group,
    OpenInvite,
    Practitioner,
    Setting,
    SettingOverview,
    StoryEvent,
)
from conversations.admin import logic as admin
from conversations.common.text import TELEGRAM_LIMIT, pack, utf16_len
from conversations.practitioner import logic
from conversations.practitioner.qr import qr_png
from tests.support.png import SIGNATURE, decode_grey

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def line(n: int, news: str | None = None, child: str = "Max") -> AimLine:
    return AimLine(
        aim_id=n,
        child_id=n,
        child=child,
        age="4",
        group="Tuesday Sunflowers",
        carer="Amara",
        relationship="mum",
        text=f"{child} will lead an activity, then hand over.",
        since=T0,
        follow_up_on=date(2026, 12, 12),
        news=news,
        news_at=T0 + timedelta(days=3) if news else None,
    )


def test_group_and_child_names_are_cleaned() -> None:
    assert logic.clean_group_name("  Tuesday \n Sunflowers ") == "Tuesday Sunflowers"
    assert logic.clean_group_name("") is None
    assert logic.clean_group_name("x" * 61) is None
    assert logic.clean_group_name("/invite") is None
    assert logic.clean_child_query(" Max ") == "Max"
    assert logic.clean_child_query("   ") is None


def test_aims_overview_at_a_glance_escaped_and_shortened() -> None:
    long_news = "He <b>led</b> the band. " + "Then he passed the baton round. " * 20
    blocks = logic.aims_overview("Sun & Moon", [line(1, long_news), line(2)], LONDON)
    text = "\n\n".join(blocks)
    assert "<b>2 current aims</b> · Sun &amp; Moon" in text
    assert "<b>— Tuesday Sunflowers —</b>" in text
    assert "<b>Max</b> (age 4) · Amara (mum)" in text
    assert "Since Saturday 21 November · follow-up Saturday 12 December" in text
    assert "Last news (Tuesday 24 November): “He &lt;b&gt;led&lt;/b&gt; the band." in text
    assert "…”" in text and "Last news: none yet" in text
    assert logic.aims_overview("Sun", [], LONDON)[0].startswith("No current aims")


def test_aims_overview_of_a_big_setting_packs_under_the_limit() -> None:
    lines = [line(n, "x" * 150, child=f"Child{n}") for n in range(200)]
    chunks = pack(logic.aims_overview("Sunflower Nursery", lines, LONDON))
    assert len(chunks) > 1
    assert all(utf16_len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert sum(c.count("Aim: ") for c in chunks) == 200


def test_child_story_in_order_with_outcomes_and_noticed_signs() -> None:
    child = ChildRecord(7, "Max", "4", "Tuesday Sunflowers")
    events = [
        StoryEvent(T0, "aim", "Amara", "Max will lead.", "replaced"),
        StoryEvent(T0 + timedelta(days=7), "tip", "Amara", "tip-1", "He shared <the> spoon"),
        StoryEvent(T0 + timedelta(days=21), "checkin", "Dan", "He led!", "reached"),
    ]
    blocks = logic.child_story(child, events, LONDON, lambda tip_id: f"Idea {tip_id}")
    assert blocks[0] == "📖 <b>Max</b> (age 4) · Tuesday Sunflowers"
    assert "Saturday, 21 November 2026" in blocks[1] and "(replaced by a newer aim)" in blocks[1]
    assert "Tried at home with Amara: Idea tip-1" in blocks[2]
    assert "Noticed: “He shared &lt;the&gt; spoon”" in blocks[2]
    assert "Check-in, Dan: “He led!” <i>(aim reached 🎉)</i>" in blocks[3]
    assert "Nothing recorded yet" in logic.child_story(child, [], LONDON, str)[0]


def test_export_csv_has_a_bom_quotes_and_no_formulas() -> None:
    rows = [
        ExportRow(
            "aim",
            "Group, One",
            "Zoë",
            "Amara",
            "mum",
            T0,
            "Zoë will sing “hello”",
            "active",
            date(2026, 12, 12),
            "communication",
            None,
            None,
        ),
        ExportRow(
            "checkin",
            "Group, One",
            "Zoë",
            "Amara",
            None,
            T0 + timedelta(days=21),
            "Zoë will sing “hello”",
            "reached",
            date(2026, 12, 12),
            None,
            '=HYPERLINK("http://x")\nsecond line',
            "reached",
        ),
    ]
    data = logic.export_csv(rows, LONDON)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(parsed) == 3 and all(len(r) == 12 for r in parsed)
    assert parsed[1][:4] == ["aim", "2026-11-21 10:00", "Group, One", "Zoë"]
    assert parsed[1][7] == "current"
    assert parsed[2][10] == '\'=HYPERLINK("http://x")\nsecond line'
    assert parsed[2][11] == "aim reached 🎉"
    assert logic.export_filename("Sun & Moon Nursery!", date(2026, 1, 2)) == (
        "imm-sun-moon-nursery-2026-01-02.csv"
    )
    assert logic.export_filename("日本", date(2026, 1, 2)) == "imm-setting-2026-01-02.csv"


def test_export_of_nothing_is_just_the_header() -> None:
    data = logic.export_csv([], LONDON).decode("utf-8-sig")
    assert data.splitlines() == [
        "Record,Date,Group,Child,Carer,Relationship,Aim,Aim status,Follow-up,Theme,"
        "Check-in reply,Check-in outcome"
    ]


def test_invite_caption_fits_a_photo_caption_and_escapes() -> None:
    link = "https://t.me/imm_bot?start=" + "A" * 32
    caption = logic.invite_caption("<Tuesday> & co", link, 30)
    assert "&lt;Tuesday&gt; &amp; co" in caption and link in caption and "30 days" in caption
    assert utf16_len(caption) <= 1024


def test_revoke_list_buttons_carry_only_the_public_ref() -> None:
    invite = OpenInvite(
        "0123456789abcdef", "parent", 1, 2, "Sunflowers", 1001, T0, T0 + timedelta(days=30)
    )
    text, options = logic.revoke_list([invite], LONDON)
    assert "1 open parent link" in text
    assert options == [
        (
            "✖ Sunflowers · made Saturday 21 November · until Monday 21 December",
            "pr:rv:0123456789abcdef",
        )
    ]
    assert logic.revoke_list([], LONDON) == (
        "There are no open parent links for your setting.",
        [],
    )


def test_qr_png_is_a_real_png_that_decodes_to_the_link() -> None:
    link = "https://t.me/imm_bot?start=" + "Zz-_09" * 6
    png = qr_png(link)
    assert png.startswith(SIGNATURE)
    image = decode_grey(png)
    assert image.width == image.height >= 250
    found = zxingcpp.read_barcode(memoryview(image.pixels).cast("B", (image.height, image.width)))
    assert found is not None and found.text == link
    with pytest.raises(ValueError, match="CRC"):
        decode_grey(png[:40] + bytes([png[40] ^ 1]) + png[41:])


def test_admin_overview_marks_the_lead_and_escapes_names() -> None:
    item = SettingOverview(
        Setting(1, "Sun & Moon"),
        (Group(1, 1, "Sun & Moon"),),
        (Practitioner(5, 5, 1, "Pat <3", "en", True), Practitioner(6, 6, 1, "Sam", "en", False)),
        3,
    )
    [block] = admin.overview([item])
    assert "<b>Sun &amp; Moon</b> · id 1" in block
    assert "• Pat &lt;3 (id 5) ★ safeguarding lead" in block
    assert "• Sam (id 6)\n" in block and "3 open invite links" in block
    assert "No safeguarding lead" not in block
    [none] = admin.overview([SettingOverview(Setting(2, "B"), (), (), 0)])
    assert "No safeguarding lead" in none and "Practitioners: none yet" in none
    assert admin.clean_setting_name("  A   B ") == "A B"
    assert admin.clean_setting_name("x" * 101) is None


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_PATH": str(tmp_path / "x.sqlite3"), **extra}


def test_admin_user_ids_are_validated(tmp_path: Path) -> None:
    assert settings_from_mapping(_env(tmp_path)).admin_user_ids == frozenset()
    parsed = settings_from_mapping(_env(tmp_path, ADMIN_USER_IDS=" 12, 345,,12 "))
    assert parsed.admin_user_ids == frozenset({12, 345})
    for bad in ("12;13", "-5", "abc", "1.5", "0"):
        with pytest.raises(ConfigError, match="ADMIN_USER_IDS"):
            settings_from_mapping(_env(tmp_path, ADMIN_USER_IDS=bad))
