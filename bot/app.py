"""The composition root: builds the one Application with its services and handlers."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
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
from bot.i18n import _, check_catalogs, negotiate, set_locale
from bot.persistence import SQLitePersistence
from bot.signposting import load_signposting
from bot.storage import Database
from conversations import general
from conversations.common.safety import DISCLOSURE, TEXT_INPUT, detect_any, on_disclosure
from conversations.listening import SUPPORTED_CONTENT_LOCALES, load_content
from conversations.onboarding import handlers as onboarding
from conversations.parent import NON_TEXT, PRIVATE, build_parent_conversation
from conversations.practitioner import handlers as practitioner

log = logging.getLogger(__name__)

# A syntactically valid placeholder for the sandbox, which never reaches Telegram.
SANDBOX_TOKEN = "123456:SANDBOX-TOKEN-NOT-REAL"  # noqa: S105 - a placeholder, not a secret


async def prepare(update: object, context: Ctx) -> None:
    """Before any handler: speak the user's language for the rest of this update."""
    if isinstance(update, Update) and update.effective_user is not None:
        set_locale(negotiate(update.effective_user.language_code))
    else:
        set_locale(context.services.settings.default_locale)


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
    log.error(
        "error while handling an update (%s): %s",
        kind,
        type(context.error).__name__,
        exc_info=context.error,
    )
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
        BotCommand("cancel", _("Stop the conversation we're in")),
        BotCommand("help", _("What I can do")),
    ]


def warm_up() -> None:
    """Load content and compile every lexicon now, not on some parent's first message."""
    for locale in SUPPORTED_CONTENT_LOCALES:
        load_content(locale)
    detect_any("warm up")


async def _post_init(app: App) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    warm_up()
    await services.db.open()
    services.bot_username = app.bot.username
    await app.bot.set_my_commands(_commands(), scope=BotCommandScopeAllPrivateChats())


async def _post_shutdown(app: App) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.close()


def register_handlers(app: App) -> None:
    """Register every handler. Order matters within a group: the first match wins."""
    app.add_handler(TypeHandler(Update, prepare), group=-1)
    # /start and practitioner commands come before the conversation so that they work in
    # the middle of it (a parent re-opening their link, a practitioner who is also a parent).
    app.add_handler(CommandHandler("start", onboarding.start, filters=PRIVATE))
    app.add_handler(CommandHandler("invite", practitioner.invite, filters=PRIVATE))
    app.add_handler(build_parent_conversation())
    # Outside any conversation.
    app.add_handler(MessageHandler(PRIVATE & DISCLOSURE, on_disclosure))
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
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
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
