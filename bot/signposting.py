"""The deployment's safeguarding signposting (emergency number and helplines) from TOML."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError


@dataclass(frozen=True)
class Helpline:
    """One service a parent can contact."""

    name: str
    contact: str


@dataclass(frozen=True)
class Signposting:
    """Where the bot points a parent after a disclosure."""

    emergency_name: str
    emergency_number: str
    emergency_note: str
    helplines: tuple[Helpline, ...]


def load_signposting(path: Path) -> Signposting:
    """Read and validate the signposting file; raise ConfigError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        emergency = data["emergency"]
        lines = tuple(
            Helpline(str(item["name"]), str(item["contact"])) for item in data["helplines"]
        )
        result = Signposting(
            str(emergency["name"]),
            str(emergency["number"]),
            str(emergency["note"]),
            lines,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"SAFEGUARDING_CONFIG {str(path)!r} is not valid: {exc}") from None
    if not result.emergency_number.strip() or not result.helplines:
        raise ConfigError(
            f"SAFEGUARDING_CONFIG {str(path)!r} needs an emergency number and one helpline"
        )
    return result
