"""The parent conversation: onboarding then the aim, in one ConversationHandler.

States are declared in `conversations/states.py`; the flows are drawn in
`onboarding/flow.mmd` and `aim/flow.mmd`.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import Ctx
from conversations import general
from conversations.aim import handlers as aim
from conversations.checkin import handlers as checkin
from conversations.common.safety import DISCLOSURE, STOP, TEXT_INPUT, on_disclosure
from conversations.home import handlers as home
from conversations.onboarding import handlers as onboarding
from conversations.states import PARENT_CONVERSATION, ParentState

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
NON_TEXT = PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL


def interruptions() -> list[BaseHandler[Update, Ctx, object]]:
    """What ends any conversation at once: a disclosure (safeguarding first), then STOP."""
    return [
        MessageHandler(PRIVATE & DISCLOSURE, on_disclosure),
        MessageHandler(PRIVATE & STOP, home.stop),
        CommandHandler("stop", home.stop, filters=PRIVATE),
    ]


def _aim_button(action: str) -> str:
    return rf"^{aim.PREFIX}{action}:"


def build_parent_conversation() -> ConversationHandler[Ctx]:
    """Build the persistent parent conversation handler."""
    waiting_for_button: list[BaseHandler[Update, Ctx, object]] = [
        MessageHandler(TEXT_INPUT, aim.use_buttons)
    ]
    states: dict[object, list[BaseHandler[Update, Ctx, object]]] = {
        ParentState.SHARE: [
            CallbackQueryHandler(onboarding.share_choice, pattern=f"^{onboarding.SHARE}"),
            *waiting_for_button,
        ],
        ParentState.CHILD_NAME: [MessageHandler(TEXT_INPUT, onboarding.child_name)],
        ParentState.CHILD_AGE: [
            MessageHandler(TEXT_INPUT, onboarding.child_age),
            CallbackQueryHandler(onboarding.child_age_skip, pattern=f"^{onboarding.AGE_SKIP}$"),
        ],
        ParentState.RELATIONSHIP: [
            CallbackQueryHandler(
                onboarding.relationship_button, pattern=f"^{onboarding.RELATIONSHIP_PREFIX}"
            ),
            MessageHandler(TEXT_INPUT, onboarding.relationship_text),
        ],
        # Story and picture gather a burst of messages: non-blocking, so the messages that
        # arrive meanwhile reach the WAITING handlers below and join the story.
        ParentState.STORY: [MessageHandler(TEXT_INPUT, aim.story, block=False)],
        ParentState.PICTURE: [MessageHandler(TEXT_INPUT, aim.picture, block=False)],
        # Updates that arrive while a story step runs (see aim.while_gathering).
        ConversationHandler.WAITING: [TypeHandler(Update, aim.while_gathering)],
        ParentState.THEME: [
            CallbackQueryHandler(aim.choose_theme, pattern=_aim_button("theme")),
            *waiting_for_button,
        ],
        ParentState.ACTIVITY: [
            CallbackQueryHandler(aim.activity_try, pattern=_aim_button("try")),
            CallbackQueryHandler(aim.activity_next, pattern=_aim_button("next")),
            CallbackQueryHandler(aim.activity_more, pattern=_aim_button("more")),
            *waiting_for_button,
        ],
        ParentState.HOME: [
            CallbackQueryHandler(aim.home_choice, pattern=_aim_button("home")),
            *waiting_for_button,
        ],
        ParentState.AIM: [
            CallbackQueryHandler(aim.aim_ok, pattern=_aim_button("ok")),
            CallbackQueryHandler(aim.aim_own, pattern=_aim_button("own")),
            *waiting_for_button,
        ],
        ParentState.AIM_WORDS: [MessageHandler(TEXT_INPUT, aim.aim_words)],
        ParentState.FOLLOW_UP: [
            CallbackQueryHandler(aim.follow_up, pattern=_aim_button("fu")),
            *waiting_for_button,
        ],
    }
    with warnings.catch_warnings():
        # Expected for 1:1 chats: text steps mixed with button steps (per_message=False).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(states)


def _conversation(
    states: dict[object, list[BaseHandler[Update, Ctx, object]]],
) -> ConversationHandler[Ctx]:
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(onboarding.consent_yes, pattern=f"^{onboarding.CONSENT_YES}"),
            CallbackQueryHandler(onboarding.consent_no, pattern=f"^{onboarding.CONSENT_NO}$"),
            CommandHandler("newaim", aim.new_aim, filters=PRIVATE),
            CallbackQueryHandler(checkin.new_aim, pattern=r"^ci:new:"),
        ],
        states=states,
        fallbacks=[
            *interruptions(),
            CommandHandler("cancel", aim.cancel),
            CommandHandler("help", general.help_command),
            MessageHandler(NON_TEXT, general.non_text),
            # Only this flow's own buttons: home ideas' and check-ins' buttons pass through.
            CallbackQueryHandler(general.stale_button, pattern=r"^(aim|ob):"),
        ],
        name=PARENT_CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )
