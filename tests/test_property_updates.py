"""Property test: random updates of every kind, in any order, against the real bot.

Hypothesis generates sequences of actions by a handful of users (text of every shape,
commands known and unknown, media, edits, forwards, real and forged button presses, groups
and channels). After every sequence: no unhandled exception reached the logs, no message the
bot sent is over Telegram's limit (the fake Bot API also refuses those and any HTML it cannot
parse, which would surface as an error), and the database passes its integrity check.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.fakeapi import FakeUser
from conversations.common.text import utf16_len
from tests.support.harness import Harness, running_bot

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "1000"))


class _Errors(logging.Handler):
    """Collects every ERROR record (unhandled exceptions are logged at ERROR)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    """One running bot shared by every example, and what the examples did."""

    h: Harness
    token: str
    errors: _Errors
    updates: int = 0
    examples: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    tmp: Path = tmp_path_factory.mktemp("property")
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        async with running_bot(tmp) as h:
            pat = await h.practitioner()
            token = await h.parent_token(pat)
            world = World(h, token, errors)
            yield world
            print(  # the figures the README quotes
                f"\nproperty test: {world.examples} examples, {world.updates} updates: "
                + ", ".join(f"{k}={v}" for k, v in sorted(world.kinds.items()))
            )
    finally:
        logging.getLogger().removeHandler(errors)


TEXTS = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from(
        [
            "<b>bold</b> & <i>not closed",
            "*stars* _under_ [link](http://x) `code`",
            "مرحبا، ابني خجول جدا في المجموعة",
            "אני דואגת",
            "😀😀😀",
            "🎵",
            "Max is shy and hides behind me in the music group.",
            "He screams and kicks when things change.",
            "he hits the drum so hard",
            "I could murder a coffee",
            "STOP",
            "stop",
            "4",
            "Max",
        ]
    ),
    st.integers(min_value=3900, max_value=4500).map(lambda n: ("<essay> & " * 500)[:n]),
).filter(lambda text: text.strip() != "")  # Telegram clients cannot send blank messages
COMMANDS = st.sampled_from(
    [
        "/start",
        "/start junk-token",
        "/help",
        "/newaim",
        "/cancel",
        "/tips",
        "/pause",
        "/resume",
        "/stop",
        "/language",
        "/privacy",
        "/mydata",
        "/forget",
        "/invite",
        "/nonsense",
        "/start@imm_bot",
    ]
)
FORGED = st.one_of(
    st.text(min_size=1, max_size=20).filter(lambda s: len(s.encode()) <= 64),
    st.sampled_from(
        [
            "aim:try:x",
            "aim:fu:9",
            "ob:consent:yes:en:nope",
            "ob:share:maybe",
            "pv:forget:yes",
            "pv:share:yes",
            "sg:ack:1",
            "sg:ack:x",
            "fw:1",
            "fw:abc",
            "ci:keep:99",
            "tip:tried:1",
            "lang:xx",
            "pause:7",
        ]
    ),
)

ACTION = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("command"), COMMANDS),
    st.tuples(st.just("join"), st.just("")),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("forged"), FORGED),
    st.tuples(
        st.just("media"),
        st.sampled_from(
            ["sticker", "voice", "photo", "photo_caption", "document", "location", "contact"]
        ),
    ),
    st.tuples(st.just("edit"), TEXTS),
    st.tuples(st.just("forward"), TEXTS),
    st.tuples(st.just("group"), st.sampled_from(["add", "channel"])),
)


def _press(user: FakeUser, pick: int) -> bool:
    buttons = [
        (message.message_id, button.callback_data)
        for message in user.messages[-6:]
        for row in message.buttons
        for button in row
        if button.callback_data
    ]
    if not buttons:
        return False
    message_id, data = buttons[pick % len(buttons)]
    assert data is not None
    user.press_data(data, message_id)
    return True


async def _act(world: World, user: FakeUser, kind: str, arg: Any) -> None:
    h = world.h
    if kind in ("text", "command"):
        user.send(arg)
    elif kind == "join":
        user.send(f"/start {world.token}")
    elif kind == "press":
        if not _press(user, arg):
            return
    elif kind == "forged":
        user.press_data(arg, user.messages[-1].message_id if user.messages else 1)
    elif kind == "media":
        send = {
            "sticker": user.send_sticker,
            "voice": user.send_voice,
            "photo": user.send_photo,
            "photo_caption": lambda: user.send_photo(caption="Max at the music group <3"),
            "document": user.send_document,
            "location": user.send_location,
            "contact": user.send_contact,
        }[arg]
        send()
    elif kind == "edit":
        texts = [m for m, raw in user.chat.incoming.items() if "text" in raw]
        if not texts:
            return
        user.edit(texts[-1], arg)
    elif kind == "forward":
        user.forward(arg)
    elif kind == "group":
        if arg == "add":
            group = h.fake.group(-100_000 - world.updates, "Parents")
            group.add_bot(user)
        else:
            h.fake.channel_post(-200_000 - world.updates, "News")
    world.updates += 1
    world.kinds[kind] = world.kinds.get(kind, 0) + 1
    await h.settle()


@pytest.mark.asyncio(loop_scope="module")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same sequences on every CI run; raise PROPERTY_EXAMPLES to explore
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    who=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=10),
    actions=st.lists(ACTION, min_size=1, max_size=10),
    languages=st.sampled_from([None, "en", "pl", "ar", "xx", "zh-hant", "ur-PK"]),
)
async def test_random_updates_never_break_the_bot(
    world: World, who: list[int], actions: list[tuple[str, Any]], languages: str | None
) -> None:
    h = world.h
    world.examples += 1
    users = [
        h.fake.user(
            9000 + i,
            "Ana" if i % 2 else "Bo",
            last_name=None if i % 2 else "Smith",
            username=None if i < 2 else f"user{i}",
            language_code=languages,
        )
        for i in range(4)
    ]
    for index, (kind, arg) in enumerate(actions):
        await _act(world, users[who[index % len(who)]], kind, arg)
    if world.examples % 50 == 0:
        await h.tick()  # scheduled messages too
        await h.housekeeping()
    assert [r.getMessage() for r in world.errors.records] == []
    for chat in h.fake.chats.values():
        for message in chat.messages:
            assert utf16_len(message.plain_text) <= 4096
    rows = await h.repo.conn.execute_fetchall("PRAGMA integrity_check")
    assert [tuple(r) for r in rows] == [("ok",)]
