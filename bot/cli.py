"""The `imm-bot` command: run, sandbox, analyse, admin."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

if TYPE_CHECKING:
    from bot.storage.models import Setting, SettingOverview
    from bot.storage.repo import Repository

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
    invite = admin_sub.add_parser(
        "invite-practitioner", help="print a new practitioner invite link for a setting"
    )
    invite.add_argument("setting", help="the setting's id or exact name")
    admin_sub.add_parser(
        "list", help="settings, groups, practitioners (lead marked) and open invites"
    )
    revoke = admin_sub.add_parser(
        "revoke", help="revoke invites by the link or token that was printed"
    )
    revoke.add_argument("tokens", nargs="+", metavar="LINK_OR_TOKEN")
    revoke_all = admin_sub.add_parser(
        "revoke-invites", help="revoke every open invite of a setting"
    )
    revoke_all.add_argument("setting", help="the setting's id or exact name")
    revoke_all.add_argument("--kind", choices=("practitioner", "parent", "all"), default="all")
    lead = admin_sub.add_parser("set-lead", help="make a practitioner the safeguarding lead")
    lead.add_argument("setting", help="the setting's id or exact name")
    lead.add_argument("user_id", type=int, help="the practitioner's Telegram user id")
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


@asynccontextmanager
async def _repository(settings: Settings) -> AsyncIterator[Repository]:
    from bot.storage import open_database
    from bot.storage.repo import Repository

    conn = await open_database(settings.database_path)
    try:
        yield Repository(conn)
    finally:
        await conn.close()


async def _practitioner_link(settings: Settings, repo: Repository, setting: Setting) -> str:
    from conversations.onboarding.handlers import invite_link

    username = await _bot_username(settings)
    token = await repo.create_invite(
        "practitioner",
        setting.id,
        None,
        SystemClock().now(),
        timedelta(days=settings.invite_days),
    )
    return invite_link(username, token)


async def _create_setting(settings: Settings, name: str) -> str:
    async with _repository(settings) as repo:
        setting, _group = await repo.create_setting(name, SystemClock().now())
        return await _practitioner_link(settings, repo, setting)


def token_of(text: str) -> str:
    """The raw token in a printed invite link (or the token itself)."""
    text = text.strip()
    _before, sep, after = text.partition("start=")
    return after.split("&", 1)[0] if sep else text


def overview_lines(overviews: Sequence[SettingOverview]) -> list[str]:
    """`imm-bot admin list`: one paragraph per setting (never any token)."""
    if not overviews:
        return ["No settings yet: imm-bot admin create-setting NAME"]
    lines: list[str] = []
    for item in overviews:
        if lines:
            lines.append("")
        lines.append(f"[{item.setting.id}] {item.setting.name}")
        groups = ", ".join(f"[{g.id}] {g.name}" for g in item.groups) or "none"
        lines.append(f"  groups: {groups}")
        if not item.practitioners:
            lines.append("  practitioners: none")
        for person in item.practitioners:
            mark = "  * safeguarding lead" if person.is_lead else ""
            lines.append(f"  practitioner {person.user_id}: {person.name}{mark}")
        if not any(p.is_lead for p in item.practitioners):
            lines.append("  no safeguarding lead: alerts go to every practitioner")
        lines.append(f"  open invites: {item.open_invites}")
    return lines


def _fail(message: str) -> int:
    print(f"imm-bot admin: {message}", file=sys.stderr)
    return 2


async def _admin(args: argparse.Namespace, settings: Settings) -> int:
    command = args.admin_command
    now = SystemClock().now()
    async with _repository(settings) as repo:
        if command == "list":
            for line in overview_lines(await repo.settings_overview(now)):
                print(line)
            return 0
        if command == "revoke":
            status = 0
            for raw in args.tokens:
                invite = await repo.revoke_token(token_of(raw), now)
                # Echo only the first characters: the full token is a secret.
                shown = token_of(raw)[:6] + "…"
                if invite is None:
                    print(f"{shown}: no open invite with this token (unknown or revoked)")
                    status = 1
                else:
                    setting = await repo.get_setting(invite.setting_id)
                    where = setting.name if setting else invite.setting_id
                    print(f"{shown}: revoked the {invite.kind} invite of {where!r}")
            return status
        setting = await repo.setting_by_ref(args.setting)
        if setting is None:
            return _fail(f"no setting with id or name {args.setting!r} (see: imm-bot admin list)")
        if command == "invite-practitioner":
            link = await _practitioner_link(settings, repo, setting)
            print(
                f"Practitioner invite link for {setting.name!r} "
                f"(valid {settings.invite_days} days):"
            )
            print(link)
            return 0
        if command == "revoke-invites":
            kind = None if args.kind == "all" else args.kind
            count = await repo.revoke_setting_invites(setting.id, now, kind)
            print(f"Revoked {count} open invite(s) of {setting.name!r}.")
            return 0
        if command == "set-lead":
            if not await repo.set_lead(setting.id, args.user_id):
                return _fail(f"user {args.user_id} is not a practitioner of {setting.name!r}")
            print(f"User {args.user_id} is now the safeguarding lead of {setting.name!r}.")
            return 0
    return _fail(f"unknown command {command!r}")


def cmd_admin(args: argparse.Namespace, settings: Settings) -> int:
    """Programme coordinator commands."""
    if args.admin_command != "create-setting":
        return asyncio.run(_admin(args, settings))
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
