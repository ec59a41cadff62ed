"""The fake Telegram Bot API: a real PTB bot over loopback HTTP and in-process, plus unit checks."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.sandbox.fakeapi import (
    EntityParseError,
    FakeTelegram,
    UploadedFile,
    parse_html,
    parse_markdown_v2,
    parse_request,
    utf16_len,
)
from tests.support.fake_server import file_base_url, serve

Ctx = ContextTypes.DEFAULT_TYPE
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\r\n\x00fake-png"


# --------------------------------------------------------------------------- a bare echo bot


async def echo(update: Update, context: Ctx) -> None:
    """Echo the text back with one inline button."""
    message = update.effective_message
    assert message is not None and message.text is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])
    await message.reply_text(message.text, reply_markup=keyboard)


async def start(update: Update, context: Ctx) -> None:
    """Greet, showing the deep-link payload."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"<b>Hello</b> {' '.join(context.args or [])}", parse_mode="HTML")


async def pressed(update: Update, context: Ctx) -> None:
    """Answer the press and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"pressed {query.data}")


MEMBER_UPDATES: list[str] = []


async def member_changed(update: Update, context: Ctx) -> None:
    """Remember my_chat_member transitions."""
    change = update.my_chat_member
    assert change is not None
    MEMBER_UPDATES.append(f"{change.old_chat_member.status}->{change.new_chat_member.status}")


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Install the echo bot's handlers."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.MY_CHAT_MEMBER))


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start polling and processing; always shut down cleanly."""
    add_handlers(app)
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()


@asynccontextmanager
async def loopback_bot(fake: FakeTelegram) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The echo bot talking to the fake over real loopback HTTP."""
    async with serve(fake) as url:
        app = ApplicationBuilder().token(fake.token).base_url(url).build()
        async with running(app):
            yield app


@asynccontextmanager
async def plain_bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare telegram.Bot on loopback HTTP, for checking error mapping."""
    async with (
        serve(fake) as url,
        Bot(fake.token, base_url=url, base_file_url=file_base_url(url)) as bot,
    ):
        yield bot


# --------------------------------------------------------------------------- end to end


async def test_echo_over_loopback() -> None:
    fake = FakeTelegram()
    sam = fake.user(1001, "Sam", username="sam")
    async with loopback_bot(fake):
        sam.send("hello <there> & you")
        (reply,) = await sam.wait_messages(1)
        assert reply.text == "hello <there> & you"
        assert reply.parse_mode is None
        assert reply.button_labels == ["Again"]
        sam.start("abc-123")
        (greeting,) = await sam.wait_messages(1)
        assert greeting.plain_text == "Hello abc-123"
        assert greeting.entities == [{"type": "bold", "offset": 0, "length": 5}]
        await fake.wait_for(fake.all_updates_fetched)
    assert fake.stats.calls["getMe"] == 1
    assert fake.stats.calls["deleteWebhook"] == 1
    assert fake.stats.errors == 0
    assert not fake.internal_errors


async def test_button_press_round_trip() -> None:
    fake = FakeTelegram()
    sam = fake.user(1002)
    async with loopback_bot(fake):
        sam.send("ping")
        (reply,) = await sam.wait_messages(1)
        sam.press("Again")
        await fake.wait_for(lambda: reply.edited)
        assert reply.plain_text == "pressed again"
        assert reply.buttons == []  # editMessageText without reply_markup drops the keyboard
        await fake.wait_for(lambda: all(a.answered for a in sam.answers))
        assert [a.text for a in sam.answers] == ["Noted"]
        with pytest.raises(AssertionError, match="available buttons"):
            sam.press("Nope")


async def test_html_and_request_validation_seen_as_bad_request() -> None:
    fake = FakeTelegram()
    sam = fake.user(1003)
    sam.send("hi")  # the user has started the bot
    cases = {
        "<foo>x</foo>": 'Unsupported start tag "foo"',
        "1 < 2": 'Unsupported start tag ""',
        "Tom & Jerry": 'Character "&"',
        "<b>bold": "Can't find end tag",
        "<b><i>x</b></i>": "Unmatched end tag",
        "&nbsp;": 'Character "&"',
        '<span class="x">s</span>': 'must have class "tg-spoiler"',
    }
    async with plain_bot(fake) as bot:
        for text, expected in cases.items():
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
                await bot.send_message(sam.id, text, parse_mode="HTML")
            # PTB strips "Bad Request: " and capitalize()s the rest, lower-casing it.
            assert expected.lower() in caught.value.message.lower(), text
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(sam.id, "&amp;" * 4097, parse_mode="HTML")
        ok = await bot.send_message(sam.id, "<b>" + "é" * 4096 + "</b>", parse_mode="HTML")
        assert len(ok.text or "") == 4096
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(sam.id, "😀" * 2049)  # 4098 UTF-16 code units
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(sam.id, "<b> </b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)reserved"):
            await bot.send_message(sam.id, "Done. Thanks!", parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
            await bot.send_message(sam.id, "pick", reply_markup=markup)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(4242, "hello stranger")
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_photo(sam.id, PNG, caption="c" * 1025)
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(sam.id, "re", reply_parameters=ReplyParameters(999))
        sent = await bot.send_message(
            sam.id, "*Done\\.* Thanks\\!", parse_mode="MarkdownV2", reply_to_message_id=1
        )
        assert sent.text == "Done. Thanks!"
        assert sent.reply_to_message is not None and sent.reply_to_message.text == "hi"
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "*Done\\.* Thanks\\!", sam.id, sent.message_id, parse_mode="MarkdownV2"
            )
        assert fake.stats.errors == 16
    assert all(call.status == 400 for call in fake.calls if call.status >= 400)


async def test_block_gives_forbidden_and_member_updates() -> None:
    MEMBER_UPDATES.clear()
    fake = FakeTelegram()
    sam = fake.user(1004)
    async with loopback_bot(fake) as app:
        sam.send("hi")
        await sam.wait_messages(1)
        sam.block()
        await fake.wait_for(lambda: MEMBER_UPDATES == ["member->kicked"])
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await app.bot.send_message(sam.id, "still there?")
        with pytest.raises(Forbidden):
            await app.bot.send_chat_action(sam.id, "typing")
        sam.send("I'm back")  # writing to the bot unblocks it
        await sam.wait_messages(1)
        assert MEMBER_UPDATES == ["member->kicked", "kicked->member"]


async def test_enforce_limits_gives_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, constructing RetryAfter itself emits a PTBDeprecationWarning,
    # which filterwarnings=error turns into the exception PTB raises instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    now = [1000.0]
    fake = FakeTelegram(enforce_limits=True, clock=lambda: now[0])
    sam = fake.user(1005)
    sam.send("hi")
    async with plain_bot(fake) as bot:
        await bot.send_message(sam.id, "one")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(sam.id, "two")
        assert caught.value.retry_after == dtm.timedelta(seconds=1)
        now[0] += 1.0
        await bot.send_message(sam.id, "two")
        # 30 per second overall, across chats.
        users = [fake.user(2000 + i) for i in range(31)]
        for user in users:
            user.send("hi")
        now[0] += 5.0
        for user in users[:30]:
            await bot.send_message(user.id, "broadcast")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[30].id, "broadcast")
    assert fake.stats.rate_limited == 2
    assert [m.text for m in sam.messages] == ["one", "two"]


async def test_in_process_transport() -> None:
    fake = FakeTelegram()
    sam = fake.user(1006)
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .request(HTTPXRequest(httpx_kwargs={"transport": fake.transport()}))
        .get_updates_request(HTTPXRequest(httpx_kwargs={"transport": fake.transport()}))
        .build()
    )
    async with running(app):
        assert (await sam.say("over the mock transport"))[0].text == "over the mock transport"
        sam.press("Again")
        await fake.wait_for(lambda: sam.last.edited)
    assert fake.stats.calls["editMessageText"] == 1


async def test_multipart_send_document_and_photo_store_bytes() -> None:
    fake = FakeTelegram()
    sam = fake.user(1007)
    sam.send("hi")
    payload = bytes(range(256)) + b"\r\n--not-a-boundary\r\n" + "ünïcode".encode()
    async with plain_bot(fake) as bot:
        message = await bot.send_document(
            sam.id,
            payload,
            filename='report "final".bin',
            caption="<b>Your</b> report",
            parse_mode="HTML",
        )
        assert message.document is not None and message.document.file_name == 'report "final".bin'
        assert message.caption == "Your report"
        stored = sam.last
        assert stored.kind == "document" and stored.document is not None
        assert stored.document.content == payload
        assert stored.document.filename == 'report "final".bin'
        assert stored.caption == "<b>Your</b> report" and stored.plain_text == "Your report"
        again = await bot.send_document(sam.id, message.document.file_id)
        assert sam.last.document == stored.document and again.document is not None
        photo = await bot.send_photo(sam.id, PNG)
        assert photo.photo and sam.last.photo is not None and sam.last.photo.content == PNG
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await bot.send_photo(sam.id, b"not an image")
        await bot.send_voice(sam.id, b"OggS voice", caption="listen")
        assert sam.last.voice is not None and sam.last.voice.content == b"OggS voice"
        file = await bot.get_file(message.document.file_id)
        assert await file.download_as_bytearray() == bytearray(payload)


async def test_wrong_token_and_unknown_method() -> None:
    fake = FakeTelegram()
    async with serve(fake) as url:
        bot = Bot("999:WRONG", base_url=url)
        with pytest.raises(InvalidToken):
            await bot.initialize()
        await bot.shutdown()
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{url}{fake.token}/doesNotExist")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        response = await httpx.AsyncClient(transport=fake.transport()).post(
            f"https://api.telegram.org/bot{fake.token}/GETME"
        )
        assert response.json()["result"]["username"] == "imm_sandbox_bot"


async def test_keyboards_replies_and_previews() -> None:
    fake = FakeTelegram()
    sam = fake.user(1008)
    sam.send("hi")
    async with plain_bot(fake) as bot:
        keyboard = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)
        sent = await bot.send_message(
            sam.id,
            "https://example.org",
            reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        assert sent.reply_markup is None  # only inline keyboards come back on messages
        assert sam.last.keyboard_kind == "reply" and sam.last.button_labels == ["Yes", "No"]
        assert sam.last.link_preview_options == {"is_disabled": True}
        update = sam.press("Yes")  # a reply-keyboard tap just sends the text
        assert update["message"]["text"] == "Yes"
        await bot.send_message(sam.id, "bye", reply_markup=ReplyKeyboardRemove())
        await bot.send_message(sam.id, "name?", reply_markup=ForceReply())
        assert sam.last.keyboard_kind == "force_reply"
        with pytest.raises(AssertionError, match="no inline button"):
            sam.press("Yes")


async def test_fail_next_injects_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake = FakeTelegram()
    sam = fake.user(1009)
    sam.send("hi")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    fake.fail_next("sendmessage", 400, "Bad Request: custom", chat_id=1, times=2)
    async with plain_bot(fake) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(sam.id, "x")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
        await bot.send_message(sam.id, "x")  # the chat-specific failure does not match
    assert fake.stats.rate_limited == 1
    assert len(sam.messages) == 1


# --------------------------------------------------------------------------- direct API


async def test_get_updates_offsets_long_poll_and_allowed_updates() -> None:
    fake = FakeTelegram()
    sam = fake.user(1010)
    assert fake.all_updates_fetched()
    first = sam.send("one")
    second = sam.send("two")
    status, body = await fake.call("getUpdates", {"limit": 1})
    assert status == 200 and body["result"] == [first]
    assert not fake.all_updates_fetched()
    _, body = await fake.call("getUpdates", {"offset": first["update_id"] + 1})
    assert body["result"] == [second]
    _, body = await fake.call("getUpdates", {"offset": second["update_id"] + 1, "timeout": 0})
    assert body["result"] == [] and fake.all_updates_fetched()

    async def later() -> None:
        sam.send("three")

    loop = __import__("asyncio").get_running_loop()
    loop.call_soon(lambda: loop.create_task(later()))
    started = loop.time()
    _, body = await fake.call("getUpdates", {"offset": second["update_id"] + 1, "timeout": 5})
    assert [u["message"]["text"] for u in body["result"]] == ["three"]
    assert loop.time() - started < 1.0  # returned early, no waiting out the timeout

    last = body["result"][-1]["update_id"]
    await fake.call("getUpdates", {"offset": last + 1, "allowed_updates": ["callback_query"]})
    sam.send("ignored")  # not an allowed update type any more
    assert fake.all_updates_fetched()
    await fake.call("getUpdates", {"offset": 0, "allowed_updates": []})  # back to defaults
    sam.send("seen")
    assert not fake.all_updates_fetched()


async def test_wait_helpers_time_out_with_a_dump() -> None:
    fake = FakeTelegram()
    sam = fake.user(1011)
    sam.send("hi")
    await fake.call("sendMessage", {"chat_id": sam.id, "text": "only one"})
    with pytest.raises(TimeoutError, match="only one"):
        await sam.wait_messages(2, timeout=0.05)
    assert [m.text for m in await sam.wait_messages(1)] == ["only one"]
    assert sam.read_all() == []
    with pytest.raises(TimeoutError, match="Last 1 of 1 bot messages"):
        await fake.wait_for(lambda: False, timeout=0.01)


async def test_group_membership_and_privacy_mode() -> None:
    fake = FakeTelegram()
    pat = fake.user(1012, "Pat")
    group = fake.group(-5001, "Parents")
    assert group.send(pat, "hello all") and fake.all_updates_fetched()  # bot not in the group
    status, body = await fake.call("sendMessage", {"chat_id": group.id, "text": "x"})
    assert status == 403 and "not a member" in body["description"]
    added = group.add_bot(pat)
    assert added["my_chat_member"]["new_chat_member"]["status"] == "member"
    _, body = await fake.call("getUpdates", {})
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == [
        "my_chat_member",
        "message",
    ]
    await fake.call("getUpdates", {"offset": body["result"][-1]["update_id"] + 1})
    group.send(pat, "just chatting")  # privacy mode: not delivered
    assert fake.all_updates_fetched()
    group.send(pat, "/help@imm_sandbox_bot")
    assert not fake.all_updates_fetched()
    status, body = await fake.call("getChatAdministrators", {"chat_id": str(group.id)})
    assert status == 200 and body["result"][0]["status"] == "creator"
    status, _ = await fake.call("sendMessage", {"chat_id": group.id, "text": "hi group"})
    assert status == 200 and group.last.text == "hi group"
    assert (await fake.call("leaveChat", {"chat_id": group.id}))[0] == 200
    post = fake.channel_post(-1009, "news")
    assert post["channel_post"]["chat"]["type"] == "channel"


async def test_press_data_for_deleted_message_is_inaccessible() -> None:
    fake = FakeTelegram()
    sam = fake.user(1013)
    sam.send("hi")
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    _, body = await fake.call(
        "sendMessage", {"chat_id": sam.id, "text": "menu", "reply_markup": markup}
    )
    message_id = body["result"]["message_id"]
    assert (await fake.call("deleteMessage", {"chat_id": sam.id, "message_id": message_id}))[
        0
    ] == 200
    status, body = await fake.call("deleteMessage", {"chat_id": sam.id, "message_id": message_id})
    assert status == 400 and body["description"] == "Bad Request: message to delete not found"
    with pytest.raises(AssertionError):
        sam.press("Go")
    update = sam.press_data("forged", message_id)
    assert update["callback_query"]["message"]["date"] == 0
    query_id = update["callback_query"]["id"]
    assert (await fake.call("answerCallbackQuery", {"callback_query_id": query_id}))[0] == 200
    status, _ = await fake.call("answerCallbackQuery", {"callback_query_id": query_id})
    assert status == 400  # answering twice fails like on Telegram


async def test_commands_and_misc_methods() -> None:
    fake = FakeTelegram()
    commands = [{"command": "start", "description": "Begin"}]
    scope = {"type": "all_private_chats"}
    assert (await fake.call("setMyCommands", {"commands": commands, "scope": scope}))[0] == 200
    _, body = await fake.call("getMyCommands", {"scope": scope})
    assert body["result"] == commands
    _, body = await fake.call("getMyCommands", {})
    assert body["result"] == []
    status, body = await fake.call("setMyCommands", {"commands": [{"command": "Bad-One"}]})
    assert status == 400
    for method in ("logOut", "close", "setChatMenuButton"):
        assert (await fake.call(method, {}))[0] == 200
    _, body = await fake.call("getWebhookInfo", {})
    assert body["result"]["url"] == "" and body["result"]["pending_update_count"] == 0


# --------------------------------------------------------------------------- encoding & parsing


def test_parse_request_mirrors_ptb_encoding() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="1")]])
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("text", "123"),  # a string that looks like JSON
            RequestParameter.from_input("caption", "true"),
            RequestParameter.from_input("reply_markup", markup),
            RequestParameter.from_input("disable_notification", True),
            RequestParameter.from_input("timeout", dtm.timedelta(seconds=3)),
            RequestParameter.from_input("allowed_updates", ["message"]),
        ]
    )
    body = data.url_encoded_parameters().encode()
    params = parse_request("application/x-www-form-urlencoded", body)
    assert params == {
        "chat_id": 42,
        "text": "123",
        "caption": "true",
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]},
        "disable_notification": True,
        "timeout": 3,
        "allowed_updates": ["message"],
    }
    channel = parse_request("application/x-www-form-urlencoded", b"chat_id=%40my_channel")
    assert channel == {"chat_id": "@my_channel"}
    assert parse_request("application/json", b'{"chat_id": 1}') == {"chat_id": 1}


def test_parse_multipart_with_stdlib_email() -> None:
    request = httpx.Request(
        "POST",
        "http://x/botT/sendDocument",
        data={"chat_id": "7", "caption": "a\r\nb"},
        files={"document": ("f.txt", b"\x00\r\n\xff", "text/plain")},
    )
    params = parse_request(request.headers["content-type"], request.read())
    assert params == {
        "chat_id": 7,
        "caption": "a\r\nb",
        "document": UploadedFile("f.txt", b"\x00\r\n\xff", "text/plain"),
    }


def test_html_entities_are_utf16() -> None:
    parsed = parse_html(
        '😀 <b>bold <i>both</i></b> &lt;tag&gt; &#128512; <a href="https://x.org/?a=1&b=2">l</a>'
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert parsed.text == "😀 bold both <tag> 😀 lx = 1"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 22, "length": 1, "url": "https://x.org/?a=1&b=2"},
        {"type": "pre", "offset": 23, "length": 5, "language": "python"},
    ]
    assert utf16_len("😀") == 2


def test_markdown_v2_parsing() -> None:
    parsed = parse_markdown_v2(
        "*bold _it_* __u__ ~s~ ||sp|| `c\\`` [link](https://x.org/a\\)b) \\. \\>q"
    )
    assert parsed.text == "bold it u s sp c` link . >q"
    types = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert types == [
        ("bold", 0, 7),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("spoiler", 12, 2),
        ("code", 15, 2),
        ("text_link", 18, 4),
    ]
    assert parsed.entities[-1]["url"] == "https://x.org/a)b"
    quote = parse_markdown_v2(">quoted\n>more\nafter")
    assert quote.text == "quoted\nmore\nafter"
    assert quote.entities == [{"type": "blockquote", "offset": 0, "length": 11}]
    for bad, message in (("a >b", "'>' is reserved"), ("*open", "end of Bold entity")):
        with pytest.raises(EntityParseError, match=message):
            parse_markdown_v2(bad)


async def test_every_update_shape_deserialises_in_ptb() -> None:
    fake = FakeTelegram()
    sam = fake.user(1014, "Sam", last_name="Lee", username="samlee")
    first = sam.send("/start@imm_sandbox_bot hello https://example.org @someone")
    sam.send_sticker()
    sam.send_voice()
    sam.send_photo(caption="look")
    sam.send_document("plan.pdf", caption="plan")
    sam.send_location()
    sam.send_contact()
    sam.send_poll()
    sam.send_animation()
    sam.forward("fwd")
    sam.forward("hidden fwd", hidden=True)
    sam.edit(first["message"]["message_id"], "edited")
    _, body = await fake.call(
        "sendMessage",
        {
            "chat_id": sam.id,
            "text": "menu",
            "reply_markup": {"inline_keyboard": [[{"text": "Go on", "callback_data": "go"}]]},
        },
    )
    sam.press("Go")  # substring match
    sam.press_data("stale", 999)
    sam.block()
    sam.unblock()
    group = fake.group(-5002, "Group")
    group.add_bot(sam)
    group.send(sam, "/cmd")
    fake.channel_post(-1003, "post")
    _, body = await fake.call("getUpdates", {})
    bot = Bot(fake.token)
    updates = Update.de_list(body["result"], bot)
    kinds = [
        "text",
        "sticker",
        "voice",
        "photo",
        "document",
        "location",
        "contact",
        "poll",
        "animation",
    ]
    messages = [u.message for u in updates[: len(kinds)]]
    for kind, message in zip(kinds, messages, strict=True):
        assert message is not None and getattr(message, kind), kind
    command = updates[0].message
    assert command is not None
    assert command.parse_entities() == {
        command.entities[0]: "/start@imm_sandbox_bot",
        command.entities[1]: "https://example.org",
        command.entities[2]: "@someone",
    }
    assert updates[8].message is not None and updates[8].message.document is not None
    assert updates[9].message is not None and updates[9].message.forward_origin is not None
    assert updates[11].edited_message is not None
    assert updates[11].edited_message.text == "edited"
    press, stale = updates[12].callback_query, updates[13].callback_query
    assert press is not None and press.data == "go" and press.message is not None
    assert stale is not None and not stale.message.is_accessible  # type: ignore[union-attr]
    statuses = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member is not None
    ]
    assert statuses == [("member", "kicked"), ("kicked", "member"), ("left", "member")]
    assert updates[-1].channel_post is not None
    assert updates[-2].message is not None and updates[-2].message.text == "/cmd"


async def test_method_results_deserialise_in_ptb() -> None:
    fake = FakeTelegram()
    sam = fake.user(1015)
    sam.send("hi")
    document_update = sam.send_document("notes.txt", b"some notes")
    file_id = document_update["message"]["document"]["file_id"]
    group = fake.group(-5003, "Group")
    group.add_bot(sam)
    request = HTTPXRequest(httpx_kwargs={"transport": fake.transport()})
    async with Bot(fake.token, request=request) as bot:
        chat = await bot.get_chat(sam.id)
        assert chat.id == sam.id and chat.type == "private"
        member = await bot.get_chat_member(group.id, sam.id)
        assert member.status == "creator"
        admins = await bot.get_chat_administrators(group.id)
        assert [a.user.id for a in admins] == [sam.id]
        assert await bot.get_chat_member_count(group.id) == 2
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.set_my_commands([("start", "Begin")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]
        assert await bot.set_chat_menu_button()
        assert (await bot.get_chat_menu_button()).type == "default"
        file = await bot.get_file(file_id)
        assert await file.download_as_bytearray() == bytearray(b"some notes")
        assert await bot.send_chat_action(sam.id, "typing")
        assert [a.action for a in sam.actions] == ["typing"]
        sent = await bot.send_message(sam.id, "x")
        assert await bot.delete_message(sam.id, sent.message_id)
        assert sam.last.deleted
        assert await bot.leave_chat(group.id)
        with pytest.raises(Forbidden):
            await bot.send_message(group.id, "gone")
