"""The composition root: builds the one Application with its services and handlers."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import SERVICES_KEY, App, ChatData, Ctx, Gatherer, Services
from bot.housekeeping import Housekeeper
from bot.http import AiohttpRequest
from bot.i18n import SUPPORTED_LOCALES, _, check_catalogs, negotiate, set_locale, use_locale
from bot.persistence import SQLitePersistence
from bot.scheduler import Dispatcher
from bot.signposting import load_signposting
from bot.storage import Database
from bot.storage.models import Alert, Parent
from conversations import general, language
from conversations.admin import handlers as admin
from conversations.checkin import handlers as checkin
from conversations.checkin.outbox import checkin_renderer, reminder_renderer
from conversations.common import alerts
from conversations.common.safety import DISCLOSURE, TEXT_INPUT, detect_any, on_disclosure
from conversations.digest import handlers as digest
from conversations.digest.job import digest_runner
from conversations.events import handlers as events
from conversations.events.conversation import build_event_conversation
from conversations.events.outbox import EVENT_INVITE, EVENT_REMINDER, RSVP_PREFIX
from conversations.events.outbox import invite_renderer as event_invite_renderer
from conversations.events.outbox import reminder_renderer as event_reminder_renderer
from conversations.family import handlers as family
from conversations.family.logic import CARER_RELATIONSHIP_PREFIX, NOTE_PREFIX, REPLY_PREFIX
from conversations.home import handlers as home
from conversations.home.conversation import build_tips_conversation
from conversations.home.outbox import tip_renderer, tip_replanner
from conversations.home.planning import CHECKIN, CHECKIN_REMINDER, TIP
from conversations.listening import load_content
from conversations.onboarding import carer
from conversations.onboarding import handlers as onboarding
from conversations.parent import NON_TEXT, PRIVATE, build_parent_conversation, interruptions
from conversations.practitioner import handlers as practitioner
from conversations.practitioner.logic import INVITE_GROUP, REVOKE
from conversations.privacy import handlers as privacy
from conversations.privacy.outbox import RETENTION_WARNING, enqueue_warning, warning_renderer

log = logging.getLogger(__name__)

DISPATCHER_KEY = "dispatcher"
HOUSEKEEPER_KEY = "housekeeper"
# A syntactically valid placeholder for the sandbox, which never reaches Telegram.
SANDBOX_TOKEN = "123456:SANDBOX-TOKEN-NOT-REAL"  # noqa: S105 - a placeholder, not a secret


async def prepare(update: object, context: Ctx) -> None:
    """Before any handler: speak the user's language for the rest of this update (the one
    they chose, else Telegram's, else the default)."""
    services = context.services
    if services.warm_up is not None and not services.warm_up.done():
        # The filters below run the safeguarding lexicons synchronously: wait for the start-up
        # thread to finish compiling them, rather than compile them again on the event loop.
        await asyncio.shield(services.warm_up)
    default = services.settings.default_locale
    if not isinstance(update, Update) or update.effective_user is None:
        set_locale(default)
        return
    user = update.effective_user
    locale = services.locales.get(user.id)
    if locale is None:
        locale = await services.repo.user_locale(user.id)
        if locale is not None:
            services.locales[user.id] = locale
    set_locale(locale or negotiate(user.language_code, default))
    await _note_seen(services, user.id)


SEEN_EVERY = timedelta(hours=1)


async def _note_seen(services: Services, user_id: int) -> None:
    """Keep parents' last_seen_at current (retention and the digest's "not heard from"),
    writing at most once an hour per user."""
    now = services.clock.now()
    last = services.seen.get(user_id)
    if last is not None and now - last < SEEN_EVERY:
        return
    if len(services.seen) > 100_000:
        services.seen.clear()
    services.seen[user_id] = now
    await services.repo.touch_parent(user_id, now)


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure (never message text), then apologise so the parent can carry on."""
    kind = "none"
    if isinstance(update, Update):
        kind = next(
            (
                name
                for name in ("message", "edited_message", "callback_query", "my_chat_member")
                if getattr(update, name, None) is not None
            ),
            "other",
        )
    error = type(context.error).__name__
    log.error("error while handling an update (%s): %s", kind, error, exc_info=context.error)
    ops = context.services.settings.ops_chat_id
    if ops is not None:
        try:
            # The update's type and the error's class only: never text, never ids of people.
            await context.bot.send_message(ops, f"⚠️ IMM bot: {error} while handling {kind}")
        except Exception:
            log.warning("could not notify the ops chat")
    if isinstance(update, Update) and update.effective_chat is not None:
        if update.effective_chat.type != "private":
            return
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                _(
                    "Sorry, something went wrong on my side. Nothing you've told me is "
                    "lost: please try that again in a moment."
                ),
            )
        except Exception:
            log.warning("could not send the apology")


def _commands() -> list[BotCommand]:
    return [
        BotCommand("newaim", _("Think together about an aim for your child")),
        BotCommand("tips", _("Choose when home singing ideas arrive")),
        BotCommand("pause", _("Take a break from messages")),
        BotCommand("resume", _("Start messages again")),
        BotCommand("stop", _("Stop all messages")),
        BotCommand("song", _("Share a song or rhyme your child loves")),
        BotCommand("addcarer", _("Invite another carer of your child")),
        BotCommand("language", _("Change the language I use")),
        BotCommand("privacy", _("What I keep and who sees it")),
        BotCommand("mydata", _("See everything I keep about you")),
        BotCommand("forget", _("Delete everything I keep about you")),
        BotCommand("cancel", _("Stop the conversation we're in")),
        BotCommand("help", _("What I can do")),
    ]


def warm_up() -> None:
    """Load content and compile every lexicon now, not on some parent's first message."""
    for locale in SUPPORTED_LOCALES:
        load_content(locale)
    detect_any("warm up")


def build_dispatcher(app: App) -> Dispatcher:
    """The outbox dispatcher, with a renderer for each kind of scheduled message."""
    services: Services = app.bot_data[SERVICES_KEY]
    return Dispatcher(
        repo_of=lambda: services.repo,
        bot=app.bot,
        clock=services.clock,
        renderers={
            TIP: tip_renderer(services),
            CHECKIN: checkin_renderer(services),
            CHECKIN_REMINDER: reminder_renderer(services),
            RETENTION_WARNING: warning_renderer(services),
            EVENT_INVITE: event_invite_renderer(services),
            EVENT_REMINDER: event_reminder_renderer(services),
        },
        on_skipped=tip_replanner(services),
        # Practitioners' weekly digests: their own durable schedule, checked at each tick.
        periodic=[digest_runner(services, app.bot)],
        quiet=services.quiet,
        staleness=timedelta(hours=services.settings.tip_staleness_hours),
    )


def build_housekeeper(app: App) -> Housekeeper:
    """Alert escalation and retention, wired to the bot and the in-memory state."""
    services: Services = app.bot_data[SERVICES_KEY]

    async def escalate(alert: Alert) -> int:
        return await alerts.escalate(app.bot, services.repo, alert)

    async def warn(parent: Parent, now: datetime) -> None:
        await enqueue_warning(services, parent, now)

    async def erase(parent: Parent) -> None:
        await privacy.forget_user(app, services, parent.user_id, parent.chat_id)

    return Housekeeper(
        repo_of=lambda: services.repo,
        clock=services.clock,
        settings=services.settings,
        escalate=escalate,
        warn=warn,
        erase=erase,
    )


async def _housekeeping(context: Ctx) -> None:
    housekeeper: Housekeeper = context.application.bot_data[HOUSEKEEPER_KEY]
    await housekeeper.tick()


async def _dispatch(context: Ctx) -> None:
    dispatcher: Dispatcher = context.application.bot_data[DISPATCHER_KEY]
    await dispatcher.tick()


async def _post_init(app: App) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    # Compiling every language's lexicons takes about a second each: do it beside the
    # running bot rather than before its first poll. A message that arrives first is still
    # checked: its language's lexicon is then compiled on the spot.
    services.warm_up = asyncio.get_running_loop().run_in_executor(None, warm_up)
    repo = await services.db.open()
    released = await repo.release_in_flight()
    if released:
        log.warning("%d scheduled messages were in flight at the last stop: resending", released)
    services.bot_username = app.bot.username
    await app.bot.set_my_commands(_commands(), scope=BotCommandScopeAllPrivateChats())
    for code in SUPPORTED_LOCALES:
        # Each language's command menu, shown to users whose Telegram is in that language.
        with use_locale(code):
            await app.bot.set_my_commands(
                _commands(), scope=BotCommandScopeAllPrivateChats(), language_code=code
            )
    app.bot_data[DISPATCHER_KEY] = build_dispatcher(app)
    assert app.job_queue is not None
    # One repeating job for every parent's messages; it finds what is due in the outbox.
    app.job_queue.run_repeating(
        _dispatch, interval=services.settings.dispatch_interval, first=0.0, name="outbox"
    )
    app.bot_data[HOUSEKEEPER_KEY] = build_housekeeper(app)
    app.job_queue.run_repeating(
        _housekeeping,
        interval=services.settings.housekeeping_interval,
        first=services.settings.housekeeping_interval,
        name="housekeeping",
    )


async def _post_shutdown(app: App) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    if services.warm_up is not None:
        await services.warm_up
    await services.db.close()


def register_handlers(app: App) -> None:
    """Register every handler. Order matters within a group: the first match wins."""
    app.add_handler(TypeHandler(Update, prepare), group=-2)
    # Family texts in their own group, after `prepare` and before any conversation: a note,
    # an answer or a song is taken (and handling stops) wherever the user is in a flow;
    # every other text (disclosures and STOP included) goes on to group 0 untouched.
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, family.route_command), group=-1)
    app.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, family.route_text), group=-1
    )
    # /start and practitioner commands come before the conversation so that they work in
    # the middle of it (a parent re-opening their link, a practitioner who is also a parent).
    # A carer link (/start c_…) and its consent buttons first: the parent's own handlers would
    # not recognise its token.
    app.add_handler(
        CommandHandler(
            "start", carer.carer_start, filters=PRIVATE & filters.Regex(carer.START_PATTERN)
        )
    )
    app.add_handler(CallbackQueryHandler(carer.carer_consent_yes, pattern=carer.CONSENT_PATTERN))
    app.add_handler(
        CallbackQueryHandler(carer.carer_language_chosen, pattern=carer.LANGUAGE_PATTERN)
    )
    app.add_handler(CommandHandler("start", onboarding.start, filters=PRIVATE))
    # Practitioner and coordinator commands check the role in the database (or the admin
    # list) themselves and refuse politely; their buttons re-check ownership on every press.
    for command, callback in (
        ("invite", practitioner.invite),
        ("newgroup", practitioner.new_group),
        ("revoke", practitioner.revoke),
        ("aims", practitioner.aims),
        ("child", practitioner.child),
        ("export", practitioner.export),
        ("admin", admin.admin_menu),
        ("newsetting", admin.new_setting),
        ("invitepractitioner", admin.invite_practitioner),
        ("settings", admin.list_settings),
        ("setlead", admin.set_lead),
        ("revokeinvites", admin.revoke_invites),
    ):
        app.add_handler(CommandHandler(command, callback, filters=PRIVATE))
    app.add_handler(
        CallbackQueryHandler(practitioner.invite_group_button, pattern=f"^{INVITE_GROUP}")
    )
    app.add_handler(CallbackQueryHandler(practitioner.revoke_button, pattern=f"^{REVOKE}"))
    app.add_handler(CommandHandler("events", events.events, filters=PRIVATE))
    app.add_handler(CommandHandler("digest", digest.digest, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(digest.choice, pattern=f"^{digest.PREFIX}"))
    # A practitioner planning an event: before the parent conversation, so that the typed
    # date and place reach this flow.
    app.add_handler(build_event_conversation())
    app.add_handler(CommandHandler("language", language.language_command, filters=PRIVATE))
    app.add_handler(CommandHandler("privacy", privacy.privacy, filters=PRIVATE))
    app.add_handler(CommandHandler("mydata", privacy.mydata, filters=PRIVATE))
    app.add_handler(CommandHandler("forget", privacy.forget, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(privacy.share_choice, pattern=f"^{privacy.SHARE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(privacy.forget_answer, pattern=r"^pv:forget:"))
    app.add_handler(CallbackQueryHandler(alerts.acknowledge, pattern=f"^{alerts.ACK_PREFIX}"))
    app.add_handler(
        CallbackQueryHandler(general.forward_choice, pattern=f"^{general.FORWARD_PREFIX}")
    )
    app.add_handler(CallbackQueryHandler(language.language_choice, pattern=r"^lang:"))
    app.add_handler(
        CallbackQueryHandler(onboarding.language_menu, pattern=f"^{onboarding.LANGUAGE_PREFIX}")
    )
    app.add_handler(
        CallbackQueryHandler(onboarding.language_chosen, pattern=f"^{onboarding.CHOSEN_PREFIX}")
    )
    app.add_handler(build_parent_conversation())
    app.add_handler(build_tips_conversation(interruptions()))
    # Outside any conversation. Safeguarding first, then STOP: both always win.
    for handler in interruptions():
        app.add_handler(handler)
    app.add_handler(CommandHandler("pause", home.pause, filters=PRIVATE))
    app.add_handler(CommandHandler("song", family.song, filters=PRIVATE))
    app.add_handler(CommandHandler("addcarer", family.add_carer, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(family.note_button, pattern=f"^{NOTE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(family.reply_button, pattern=f"^{REPLY_PREFIX}"))
    app.add_handler(
        CallbackQueryHandler(
            carer.carer_relationship_button, pattern=f"^{CARER_RELATIONSHIP_PREFIX}"
        )
    )
    app.add_handler(CommandHandler("resume", home.resume, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(home.pause_choice, pattern=r"^pause:"))
    app.add_handler(CallbackQueryHandler(home.tip_button, pattern=r"^tip:"))
    app.add_handler(CallbackQueryHandler(checkin.keep_or_reached, pattern=r"^ci:(keep|reached):"))
    app.add_handler(ChatMemberHandler(general.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # Groups and channels: the bot explains (where it can) and leaves.
    app.add_handler(
        MessageHandler(
            (filters.ChatType.GROUPS & filters.COMMAND) | filters.UpdateType.CHANNEL_POSTS,
            general.in_group,
        )
    )
    # An edit is checked for a disclosure like any message, then answered kindly.
    edited = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    app.add_handler(MessageHandler(edited & DISCLOSURE, on_disclosure))
    app.add_handler(MessageHandler(edited, general.edited))
    app.add_handler(CallbackQueryHandler(events.rsvp, pattern=f"^{RSVP_PREFIX}"))
    app.add_handler(CommandHandler("help", general.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("cancel", general.nothing_to_cancel, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, general.unknown_command))
    app.add_handler(MessageHandler(TEXT_INPUT, general.stray_text))
    app.add_handler(MessageHandler(NON_TEXT, general.non_text))
    app.add_handler(CallbackQueryHandler(general.stale_button))
    app.add_error_handler(on_error)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> App:
    """Build the Application: services, persistence, rate limiter and handlers."""
    check_catalogs()
    db = Database(settings.database_path)
    services = Services(
        settings=settings,
        db=db,
        clock=clock or SystemClock(),
        signposting=load_signposting(settings.safeguarding_config),
        gatherer=Gatherer(settings.gather_seconds),
    )
    builder: Any = (
        ApplicationBuilder()
        .token(settings.token.value or SANDBOX_TOKEN)
        .base_url(settings.base_url)
        .context_types(ContextTypes(context=Ctx, chat_data=ChatData))
        .persistence(SQLitePersistence(db, settings.persistence_interval))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        # One request per 1/29.5 s overall (a smooth pace under Telegram's ~30/s, never a burst
        # of 30); private chats are paced by the dispatcher (one message per chat per second).
        # No retries inside the limiter (they sleep): a 429 on a scheduled message goes back
        # to the durable outbox; on a reply, the error handler apologises.
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29.5, max_retries=0)
        )
    # aiohttp under PTB unless told otherwise (the sandbox passes its in-process transport):
    # half the CPU per Bot API call of the httpx default (bot/http.py).
    builder = builder.request(request or AiohttpRequest(256))
    builder = builder.get_updates_request(get_updates_request or AiohttpRequest(1))
    app: App = builder.build()
    app.bot_data[SERVICES_KEY] = services
    register_handlers(app)
    return app


async def start_app(app: App) -> None:
    """Start the way run_polling does, for the sandbox and tests: init, post_init, poll."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=False)
    await app.start()


async def stop_app(app: App) -> None:
    """Stop the way run_polling does: stop polling, drain, persist, close the database."""
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
