"""Pure digest logic: when it is due (daylight saving included) and what it says."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.storage.models import DigestData, DigestItem
from conversations.common.text import TELEGRAM_LIMIT, utf16_len
from conversations.digest import logic

LONDON = ZoneInfo("Europe/London")
SINCE = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def item(child: str, carer: str, text: str) -> DigestItem:
    return DigestItem(child, carer, text, SINCE + timedelta(days=1))


def test_next_due_keeps_the_local_time_across_daylight_saving() -> None:
    # Monday 08:00 London: 08:00 UTC in March before the change, 07:00 UTC after it.
    first = logic.next_due(datetime(2027, 3, 20, 12, tzinfo=UTC), 1, time(8, 0), LONDON)
    assert first == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    second = logic.next_due(first, 1, time(8, 0), LONDON)
    assert second == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert second - first == timedelta(days=7, hours=-1)
    # Strictly after: at the due moment itself, the next one is a week later.
    assert logic.next_due(second, 1, time(8, 0), LONDON) == datetime(2027, 4, 5, 7, tzinfo=UTC)


def test_covered_since() -> None:
    due = datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert logic.covered_since(None, due) == due - timedelta(weeks=1)
    assert logic.covered_since(SINCE, due) == SINCE


def test_digest_lists_each_section_and_escapes() -> None:
    data = DigestData(
        "Sun & Moon",
        SINCE,
        aims=(item("Max", "Amara", "Max will lead <then> follow"),),
        replies=(item("Lily", "Ben", "She sang the hello song!"),),
        signs=(item("", "Tess", "He passed the drum"),),
        quiet_parents=("Olu", "Kim"),
    )
    text = "\n\n".join(logic.digest_messages(data, LONDON))
    assert "Your week at Sun &amp; Moon" in text and "Since Monday 16 November" in text
    assert "1 new aim" in text and "Max (Amara)" in text and "&lt;then&gt;" in text
    assert "1 check-in reply" in text and "hello song" in text
    assert "1 sign noticed at home" in text and "<b>Tess</b>" in text
    assert "Not heard from for three weeks or more:</b> Olu, Kim" in text
    assert "A quiet week" not in text


def test_a_quiet_week_says_so() -> None:
    data = DigestData("S", SINCE, (), (), (), ())
    [text] = logic.digest_messages(data, LONDON)
    assert "A quiet week" in text and "Not heard from" not in text


def test_a_long_digest_is_split_to_fit_telegram() -> None:
    many = tuple(item(f"Child{i}", f"Carer{i}", "word " * 200) for i in range(60))
    data = DigestData("S", SINCE, many, many, many, tuple(f"P{i}" for i in range(80)))
    messages = logic.digest_messages(data, LONDON)
    assert len(messages) > 3
    assert all(utf16_len(m) <= TELEGRAM_LIMIT for m in messages)
    joined = "\n".join(messages)
    assert "…and 20 more" in joined  # 60 items, 40 shown per section
    assert joined.count("<b>") == joined.count("</b>")
