"""The /tips conversation: a family moment, the days, then confirm or adjust (see flow.mmd)."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.warnings import PTBUserWarning

from bot.context import Ctx
from conversations.common.safety import TEXT_INPUT
from conversations.home import handlers
from conversations.states import TIPS_CONVERSATION, TipsState


def build_tips_conversation(
    interruptions: list[BaseHandler[Update, Ctx, object]],
) -> ConversationHandler[Ctx]:
    """Build the persistent /tips conversation handler."""
    prefix = handlers.PREFIX
    with warnings.catch_warnings():
        # Expected for 1:1 chats: text steps mixed with button steps (per_message=False).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("tips", handlers.start),
                CallbackQueryHandler(handlers.start, pattern=f"^{handlers.START}$"),
            ],
            states={
                TipsState.MOMENT: [CallbackQueryHandler(handlers.moment, pattern=f"^{prefix}m:")],
                TipsState.DAYS: [CallbackQueryHandler(handlers.day, pattern=f"^{prefix}d:")],
                TipsState.TIME: [MessageHandler(TEXT_INPUT, handlers.typed_time)],
                TipsState.CONFIRM: [
                    CallbackQueryHandler(handlers.save, pattern=f"^{prefix}ok$"),
                    CallbackQueryHandler(handlers.adjust, pattern=f"^{prefix}(t:|z:|type|zone)"),
                ],
            },
            fallbacks=[*interruptions, CommandHandler("cancel", handlers.cancel)],
            name=TIPS_CONVERSATION,
            persistent=True,
            allow_reentry=True,
        )
