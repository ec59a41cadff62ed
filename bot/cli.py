"""The `imm-bot` command: run, sandbox, analyse, admin."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import timedelta

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

SANDBOX_USERNAME = "imm_sandbox_bot"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imm-bot", description="IMM parent companion for Telegram."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the terminal sandbox when no token is set)")
    sandbox = sub.add_parser("sandbox", help="talk to the bot in this terminal, as a parent")
    sandbox.add_argument("--fresh", action="store_true", help="start from an empty database")
    analyse = sub.add_parser("analyse", help="analyse a parent's text as the bot would")
    analyse.add_argument("--locale", default="en")
    analyse.add_argument("--child", default=None, help="the child's first name")
    analyse.add_argument("--jsonl", action="store_true", help="read JSON lines from stdin")
    analyse.add_argument("text", nargs="?", default=None)
    admin = sub.add_parser("admin", help="programme coordinator tools")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create-setting", help="create a setting, print an invite")
    create.add_argument("name")
    return parser


def _analyse_one(text: str, locale: str, child: str | None) -> str:
    from conversations.listening import SUPPORTED_CONTENT_LOCALES, analyse

    if locale not in SUPPORTED_CONTENT_LOCALES:
        raise ConfigError(
            f"unsupported locale {locale!r}; supported: {', '.join(SUPPORTED_CONTENT_LOCALES)}"
        )
    return json.dumps(analyse(text, locale, child).to_json(), ensure_ascii=False)


def cmd_analyse(args: argparse.Namespace) -> int:
    """Print one JSON analysis per text (the contract in PRODUCT.md)."""
    if args.jsonl:
        status = 0
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
                if not isinstance(text, str):
                    raise TypeError("text must be a string")
                out = _analyse_one(text, item.get("locale") or args.locale, item.get("child"))
            except (ValueError, KeyError, TypeError) as exc:
                out = json.dumps({"error": f"line {number}: {exc}"})
                status = 1
            sys.stdout.write(out + "\n")
        return status
    if args.text is None:
        print("imm-bot analyse: give TEXT or --jsonl", file=sys.stderr)
        return 2
    print(_analyse_one(args.text, args.locale, args.child))
    return 0


async def _bot_username(settings: Settings) -> str:
    if settings.bot_username:
        return settings.bot_username
    if not settings.has_token:
        print(
            f"note: no TELEGRAM_BOT_TOKEN or BOT_USERNAME set; the link uses the sandbox "
            f"bot name @{SANDBOX_USERNAME}",
            file=sys.stderr,
        )
        return SANDBOX_USERNAME
    from telegram import Bot

    async with Bot(settings.token.value, base_url=settings.base_url) as bot:
        return bot.username


async def _create_setting(settings: Settings, name: str) -> str:
    from bot.storage import open_database
    from bot.storage.repo import Repository
    from conversations.onboarding.handlers import invite_link

    username = await _bot_username(settings)
    conn = await open_database(settings.database_path)
    try:
        repo = Repository(conn)
        now = SystemClock().now()
        setting, _group = await repo.create_setting(name, now)
        token = await repo.create_invite(
            "practitioner", setting.id, None, now, timedelta(days=settings.invite_days)
        )
    finally:
        await conn.close()
    return invite_link(username, token)


def cmd_admin(args: argparse.Namespace, settings: Settings) -> int:
    """Programme coordinator commands."""
    name = " ".join(args.name.split())
    if not name or len(name) > 100:
        print("imm-bot admin: a setting name needs 1 to 100 characters", file=sys.stderr)
        return 2
    link = asyncio.run(_create_setting(settings, name))
    print(
        f"Created setting {name!r}. Practitioner invite link (valid {settings.invite_days} days):"
    )
    print(link)
    return 0


def cmd_run(settings: Settings) -> int:
    """Run the bot with long polling until interrupted."""
    from telegram import Update

    from bot.app import build_application

    app = build_application(settings)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `imm-bot` console script."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        if command == "analyse":
            return cmd_analyse(args)
        settings = load_settings()
    except ConfigError as exc:
        print(f"imm-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.token.value])
    if command == "admin":
        return cmd_admin(args, settings)
    if command == "sandbox" or (command == "run" and not settings.has_token):
        from bot.sandbox.terminal import run_sandbox

        if command == "run":
            print("No TELEGRAM_BOT_TOKEN set: opening the terminal sandbox.\n")
        return run_sandbox(settings, fresh=getattr(args, "fresh", False))
    return cmd_run(settings)


if __name__ == "__main__":
    raise SystemExit(main())
