"""PTB persistence on the bot's own SQLite database: conversation states and chat data."""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.context import ChatData
from bot.storage import Database


class SQLitePersistence(BasePersistence[dict[Any, Any], ChatData, dict[Any, Any]]):
    """Stores ConversationHandler states and ChatData as JSON rows; nothing else."""

    def __init__(self, db: Database, update_interval: float = 2.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_conversations(self, name: str) -> ConversationDict:
        """Load one handler's states."""
        repo = await self.db.open()
        rows = await repo.load_conversations(name)
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store one conversation's new state (None ends it)."""
        repo = await self.db.open()
        state = None if new_state is None else json.dumps(new_state)
        await repo.save_conversation(name, json.dumps(list(key)), state)

    async def get_chat_data(self) -> dict[int, ChatData]:
        """Load every chat's data."""
        repo = await self.db.open()
        rows = await repo.load_chat_data()
        return {chat_id: ChatData.from_json(text) for chat_id, text in rows.items()}

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        """Store a chat's data; empty data is deleted rather than kept."""
        repo = await self.db.open()
        await repo.save_chat_data(chat_id, None if data.is_empty() else data.to_json())

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget a chat's data."""
        repo = await self.db.open()
        await repo.save_chat_data(chat_id, None)

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """User data is not stored."""
        return {}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """User data is not stored."""

    async def drop_user_data(self, user_id: int) -> None:
        """User data is not stored."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """User data is not stored."""

    async def get_bot_data(self) -> dict[Any, Any]:
        """Bot data is not stored (it holds only runtime services)."""
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data is not stored."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Bot data is not stored."""

    async def get_callback_data(self) -> CDCData | None:
        """Arbitrary callback data is not used."""
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """Arbitrary callback data is not used."""

    async def flush(self) -> None:
        """Every write is already committed."""
