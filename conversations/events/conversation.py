"""The /event conversation: kind, group, date and time, place, confirm (see flow.mmd)."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import Ctx
from conversations.common.safety import TEXT_INPUT
from conversations.events import handlers
from conversations.states import EVENT_CONVERSATION, EventState


def build_event_conversation() -> ConversationHandler[Ctx]:
    """Build the persistent /event conversation handler."""
    prefix = handlers.PREFIX
    cancel_button: BaseHandler[Update, Ctx, object] = CallbackQueryHandler(
        handlers.cancel, pattern=f"^{prefix}no$"
    )
    use_buttons: BaseHandler[Update, Ctx, object] = MessageHandler(TEXT_INPUT, handlers.use_buttons)
    with warnings.catch_warnings():
        # Expected for 1:1 chats: text steps mixed with button steps (per_message=False).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("event", handlers.start, filters=filters.ChatType.PRIVATE)
            ],
            states={
                EventState.KIND: [
                    CallbackQueryHandler(handlers.kind, pattern=f"^{prefix}k:"),
                    cancel_button,
                    use_buttons,
                ],
                EventState.GROUP: [
                    CallbackQueryHandler(handlers.group, pattern=f"^{prefix}g:"),
                    cancel_button,
                    use_buttons,
                ],
                EventState.WHEN: [MessageHandler(TEXT_INPUT, handlers.when)],
                EventState.PLACE: [MessageHandler(TEXT_INPUT, handlers.place)],
                EventState.CONFIRM: [
                    CallbackQueryHandler(handlers.save, pattern=f"^{prefix}ok$"),
                    cancel_button,
                    use_buttons,
                ],
            },
            fallbacks=[CommandHandler("cancel", handlers.cancel)],
            name=EVENT_CONVERSATION,
            persistent=True,
            allow_reentry=True,
        )
