"""End to end in other languages: a parent writing in their language is reflected, gets an
activity and an aim in it, and the (English-speaking) practitioner receives it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bot.i18n import RLM, SUPPORTED_LOCALES, _, is_rtl, language_name, use_locale
from tests.support.harness import running_bot

# The Joe-like narrative each language's own tests use (written by native-speaking authors).
NARRATIVES = {"pl": "JOE_PL", "es": "JOE_ES", "ur": "JOE", "bn": "JOE", "ar": "JOE", "ro": "JOE_RO"}
LOCALES = [code for code in SUPPORTED_LOCALES if code != "en" and code in NARRATIVES]


def _narrative(locale: str) -> str:
    module = importlib.import_module(f"tests.test_locale_{locale}")
    text: str = getattr(module, NARRATIVES[locale])
    return text


def _t(locale: str, message: str) -> str:
    with use_locale(locale):
        return _(message)


@pytest.mark.parametrize("locale", LOCALES)
async def test_aim_conversation_in_the_parents_language(tmp_path: Path, locale: str) -> None:
    story = _narrative(locale)
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        parent = h.fake.user(2002, "Amara", language_code=locale)
        parent.send(f"/start {token}")
        [notice] = await parent.wait_messages(1)
        assert _t(locale, "Yes, that's fine") in notice.button_labels
        assert notice.plain_text != _t("en", "Yes, that's fine")
        parent.press(_t(locale, "Yes, that's fine"))
        await parent.wait_messages(1)
        parent.press(_t(locale, "Yes, share my words"))
        await parent.wait_messages(1)
        parent.send("Max")
        await parent.wait_messages(1)
        parent.send("4")
        await parent.wait_messages(1)
        parent.press(_t(locale, "Mum"))
        [opening] = await parent.wait_messages(1)
        assert "Max" in opening.plain_text
        parent.send(story)
        [reflection] = await parent.wait_messages(1)
        assert "Max" in reflection.plain_text
        assert "What does that look like" not in reflection.plain_text
        parent.send(story)
        reframe, activity = await parent.wait_messages(2)
        assert "Max" in reframe.plain_text
        assert activity.button_labels[0] == _t(locale, "Let's try it")
        parent.press(_t(locale, "Let's try it"))
        await parent.wait_messages(1)
        parent.press(_t(locale, "Yes, we'll try it at home"))
        [aim] = await parent.wait_messages(1)
        assert "Max" in aim.plain_text
        parent.press(_t(locale, "That's right"))
        [follow] = await parent.wait_messages(1)
        parent.press(follow.button_labels[1])
        [summary] = await parent.wait_messages(1)
        if is_rtl(locale):
            for message in (opening, reflection, reframe, activity, aim, summary):
                assert (message.text or "").startswith(RLM), message.summary()
        relayed = "\n".join(m.plain_text for m in await pat.wait_messages(1))
        await h.settle()
        relayed += "\n".join(m.plain_text for m in pat.read_all())
        assert "New aim agreed" in relayed  # the practitioner reads English
        assert f"Parent's language: {language_name(locale)}" in relayed
        assert f"Aim, as agreed in {language_name(locale)}:" in relayed
        assert "Aim, in your language: Max will" in relayed
        stored = await h.repo.get_parent(2002)
        assert stored is not None and stored.locale == locale


async def test_language_can_be_chosen_before_consent_without_storing_anything(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        parent = h.fake.user(3003, "Ola", language_code="en")
        parent.send(f"/start {token}")
        await parent.wait_messages(1)
        parent.press("🌐 Another language")
        await h.settle()
        assert language_name("pl") in parent.last.button_labels
        parent.press(language_name("pl"))
        [notice] = await parent.wait_messages(1)
        assert _t("pl", "Yes, that's fine") in notice.button_labels
        assert await h.repo.get_parent(3003) is None  # still nothing stored
        parent.press(_t("pl", "Yes, that's fine"))
        await parent.wait_messages(1)
        stored = await h.repo.get_parent(3003)
        assert stored is not None and stored.locale == "pl"


async def test_language_command_changes_the_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send("/language")
        [menu] = await parent.wait_messages(1)
        assert [language_name(code) for code in SUPPORTED_LOCALES] == menu.button_labels
        parent.press(language_name("es"))
        [said] = await parent.wait_messages(1)
        assert said.plain_text == _t("es", "From now on I'll write to you in English.")
        parent.send("/help")
        [help_text] = await parent.wait_messages(1)
        assert help_text.plain_text == _t(
            "es",
            "/newaim: think together about an aim for your child's music sessions\n"
            "/tips: choose when home singing ideas arrive\n"
            "/song: tell the practitioners about a favourite song from home\n"
            "/addcarer: a link for another carer of your child\n"
            "/pause, /resume, /stop: fewer or no messages\n"
            "/language: change the language I use\n"
            "/privacy: what I keep and who sees it\n"
            "/mydata: everything I keep about you\n"
            "/forget: delete everything I keep about you\n"
            "/cancel: stop the conversation we're in\n"
            "/help: this message",
        )
