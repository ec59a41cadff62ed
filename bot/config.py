"""Typed, validated configuration from the environment or a `.env` file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SAFEGUARDING_CONFIG = PACKAGE_DIR / "safeguarding.toml"


class ConfigError(ValueError):
    """A setting is missing or has a bad value; the message names the setting."""


@dataclass(frozen=True)
class Secret:
    """A value that never shows itself in logs, reprs or tracebacks."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')" if self.value else "Secret('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment (see `.env.example`)."""

    token: Secret = Secret("")
    base_url: str = DEFAULT_BASE_URL
    database_path: Path = Path("data/imm.sqlite3")
    bot_username: str | None = None
    default_locale: str = "en"
    default_timezone: str = "Europe/London"
    gather_seconds: float = 4.0
    follow_up_weeks: int = 3
    persistence_interval: float = 2.0
    safeguarding_config: Path = DEFAULT_SAFEGUARDING_CONFIG
    invite_days: int = 30
    log_level: str = "INFO"
    quiet_start: time = time(20, 30)
    quiet_end: time = time(7, 30)
    tip_staleness_hours: float = 12.0
    dispatch_interval: float = 5.0
    checkin_reminder_days: int = 3
    retention_days: int = 365
    story_retention_days: int = 90
    retention_warning_days: int = 14
    alert_escalation_hours: float = 2.0
    ops_chat_id: int | None = None
    housekeeping_interval: float = 60.0
    admin_user_ids: frozenset[int] = frozenset()

    @property
    def has_token(self) -> bool:
        """True when a Telegram bot token is configured."""
        return bool(self.token)


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {raw!r}")
    return value


def _token(raw: str) -> Secret:
    raw = raw.strip()
    if not raw:
        return Secret("")
    bot_id, sep, rest = raw.partition(":")
    if not sep or not bot_id.isdigit() or len(rest) < 10:
        # Never echo the value: it may be a real token with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected '<digits>:<secret>' "
            "as given by @BotFather)"
        )
    return Secret(raw)


def _quiet(env: Mapping[str, str]) -> tuple[time, time]:
    raw = env.get("QUIET_HOURS", "").strip() or "20:30-07:30"
    start, sep, end = raw.partition("-")
    try:
        if not sep:
            raise ValueError(raw)
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ConfigError(f"QUIET_HOURS must look like 20:30-07:30, got {raw!r}") from None


def _optional_chat_id(env: Mapping[str, str]) -> int | None:
    raw = env.get("OPS_CHAT_ID", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"OPS_CHAT_ID must be a Telegram chat id, got {raw!r}") from None


def _user_ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "").strip()
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ConfigError(
                f"{name} must be Telegram user ids (whole numbers) separated by commas, "
                f"got {part!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    """Build validated settings from a mapping of variable names to strings."""
    base_url = env.get("TELEGRAM_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"TELEGRAM_BASE_URL must start with http:// or https://, got {base_url!r}"
        )
    tz = env.get("DEFAULT_TIMEZONE", "").strip() or "Europe/London"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"DEFAULT_TIMEZONE is not a known time zone: {tz!r}") from None
    username = env.get("BOT_USERNAME", "").strip().lstrip("@") or None
    if username is not None and not username.replace("_", "").isalnum():
        raise ConfigError(f"BOT_USERNAME may hold only letters, digits and _, got {username!r}")
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    sg = env.get("SAFEGUARDING_CONFIG", "").strip()
    sg_path = Path(sg) if sg else DEFAULT_SAFEGUARDING_CONFIG
    if not sg_path.is_file():
        raise ConfigError(f"SAFEGUARDING_CONFIG file not found: {str(sg_path)!r}")
    locale = env.get("DEFAULT_LOCALE", "").strip() or "en"
    quiet_start, quiet_end = _quiet(env)
    return Settings(
        token=_token(env.get("TELEGRAM_BOT_TOKEN", "")),
        base_url=base_url,
        database_path=Path(env.get("DATABASE_PATH", "").strip() or "data/imm.sqlite3"),
        bot_username=username,
        default_locale=locale,
        default_timezone=tz,
        gather_seconds=_float(env, "GATHER_SECONDS", 4.0, 0.0, 60.0),
        follow_up_weeks=_int(env, "FOLLOW_UP_WEEKS", 3, 2, 4),
        persistence_interval=_float(env, "PERSISTENCE_INTERVAL", 2.0, 0.1, 300.0),
        safeguarding_config=sg_path,
        invite_days=_int(env, "INVITE_DAYS", 30, 1, 365),
        log_level=level,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        tip_staleness_hours=_float(env, "TIP_STALENESS_HOURS", 12.0, 0.5, 168.0),
        dispatch_interval=_float(env, "DISPATCH_INTERVAL", 5.0, 0.2, 300.0),
        checkin_reminder_days=_int(env, "CHECKIN_REMINDER_DAYS", 3, 1, 14),
        retention_days=_int(env, "RETENTION_DAYS", 365, 30, 3650),
        story_retention_days=_int(env, "STORY_RETENTION_DAYS", 90, 1, 3650),
        retention_warning_days=_int(env, "RETENTION_WARNING_DAYS", 14, 1, 60),
        alert_escalation_hours=_float(env, "ALERT_ESCALATION_HOURS", 2.0, 0.05, 72.0),
        ops_chat_id=_optional_chat_id(env),
        housekeeping_interval=_float(env, "HOUSEKEEPING_INTERVAL", 60.0, 1.0, 3600.0),
        admin_user_ids=_user_ids(env, "ADMIN_USER_IDS"),
    )


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Read settings from the process environment, falling back to the `.env` file."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return settings_from_mapping(merged)
