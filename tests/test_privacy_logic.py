"""Pure privacy texts and shapes: the notice, /mydata blocks and JSON, /forget's answer."""

from __future__ import annotations

import json

import pytest

from bot.config import ConfigError, settings_from_mapping
from bot.i18n import use_locale
from bot.storage.models import Erasure
from conversations.common.text import pack, utf16_len
from conversations.privacy import logic

PARENT = {
    "user_id": 2002,
    "chat_id": 2002,
    "name": "Amara <b>",
    "locale": "en",
    "timezone": "Europe/London",
    "status": "active",
    "paused_until": None,
    "share_story": 1,
    "consent_at": "2026-11-21T10:00:00+00:00",
    "created_at": "2026-11-21T10:00:00+00:00",
    "last_seen_at": "2026-11-21T10:00:00+00:00",
    "retention_warned_at": None,
    "group_name": "Tuesday & Friends",
    "setting_name": "Sunflower Nursery",
}


def _data(story: str = "He is shy.") -> dict[str, object]:
    return {
        "parent": PARENT,
        "children": [{"id": 1, "first_name": "Max", "age": "4", "relationship": "mum"}],
        "aims": [
            {
                "text": "Max will join in",
                "created_at": "2026-11-21T10:00:00+00:00",
                "follow_up_on": "2026-12-12",
                "status": "active",
                "story": story,
            }
        ],
        "checkins": [{"reply": "Better!", "answered_at": "2026-12-12T10:00:00+00:00"}],
        "home_ideas_sent": [{"sent_at": "2026-11-28T09:30:00+00:00", "noticed": "He hummed"}],
        "scheduled_messages": [{}, {}],
        "safeguarding_alerts": [],
    }


def test_notice_names_what_who_how_long_and_the_commands() -> None:
    with use_locale("en"):
        text = logic.privacy_notice("Sun & Moon", 365, 90)
    assert "Sun &amp; Moon" in text  # escaped
    assert "12 months" in text and "90 days" in text
    for command in ("/privacy", "/mydata", "/forget"):
        assert command in text
    with use_locale("en"):
        assert "1 month " in logic.privacy_notice("x", 30, 1)
        assert "after 1 day;" in logic.privacy_notice("x", 30, 1)


def test_retention_months_rounds_for_people() -> None:
    assert logic.retention_months(365) == 12
    assert logic.retention_months(30) == 1
    assert logic.retention_months(10) == 1
    assert logic.retention_months(730) == 24


def test_mydata_blocks_are_readable_escaped_and_fit_telegram() -> None:
    with use_locale("en"):
        blocks = logic.mydata_blocks(_data())
    text = "\n".join(blocks)
    assert "Amara &lt;b&gt;" in text and "Tuesday &amp; Friends" in text
    assert "Max" in text and "Max will join in" in text and "He is shy." in text
    assert "Better!" in text and "He hummed" in text
    assert "Messages planned or sent: 2" in text
    with use_locale("en"):
        long = pack(logic.mydata_blocks(_data("Long story. " * 2000)))
    assert len(long) > 1 and all(utf16_len(m) <= 4096 for m in long)


def test_mydata_for_a_stranger_and_the_json_copy() -> None:
    with use_locale("en"):
        assert logic.mydata_blocks({"parent": None}) == ["I don't have anything stored about you."]
    raw = logic.mydata_json(_data("Zoë’s story"))
    assert json.loads(raw)["aims"][0]["story"] == "Zoë’s story"
    assert "Zoë’s".encode() in raw  # readable UTF-8, not \\u escapes


def test_forget_answer_says_what_cannot_be_recalled() -> None:
    with use_locale("en"):
        alone = logic.forget_done(Erasure(True, True, 0, 1), "Sunflower")
        shared = logic.forget_done(Erasure(True, False, 1, 0), "Sunflower")
    assert "can't call back" in alone and "Sunflower" in alone
    assert "another carer" in shared and "can't call back" not in shared


def test_retention_settings_are_validated() -> None:
    base = {"TELEGRAM_BOT_TOKEN": ""}
    settings = settings_from_mapping(base)
    assert (settings.retention_days, settings.story_retention_days) == (365, 90)
    assert settings.alert_escalation_hours == 2.0 and settings.ops_chat_id is None
    assert settings_from_mapping({**base, "OPS_CHAT_ID": "-100123"}).ops_chat_id == -100123
    for name, value in (
        ("OPS_CHAT_ID", "ops"),
        ("RETENTION_DAYS", "5"),
        ("STORY_RETENTION_DAYS", "0"),
        ("ALERT_ESCALATION_HOURS", "never"),
    ):
        with pytest.raises(ConfigError, match=name):
            settings_from_mapping({**base, name: value})
