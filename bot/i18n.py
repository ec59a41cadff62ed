"""Gettext catalogs under `locales/`, the current locale in a ContextVar, babel formatting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
# Languages the bot speaks. The source strings are English; every other locale needs a
# compiled catalog, and a missing one is an error, never a silent fall-back to English.
SUPPORTED_LOCALES: tuple[str, ...] = ("en",)
# Babel locale used for dates and numbers in each supported language.
_FORMAT_LOCALE = {"en": "en_GB"}

_current: ContextVar[str] = ContextVar("imm_locale", default=SOURCE_LOCALE)


class CatalogError(RuntimeError):
    """A translation catalog is missing or was not compiled."""


@cache
def translations(locale: str) -> NullTranslations:
    """Return the (cached) translations for a supported locale; fail loudly when missing."""
    if locale not in SUPPORTED_LOCALES:
        raise CatalogError(f"unsupported locale {locale!r}")
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    loaded = Translations.load(str(LOCALES_DIR), [locale], DOMAIN)
    if not isinstance(loaded, Translations):
        raise CatalogError(
            f"no compiled catalog for {locale!r} in {LOCALES_DIR}: run `make catalogs`"
            " (pybabel compile -d locales)"
        )
    return loaded


def check_catalogs() -> None:
    """Load every supported catalog now so a missing one stops start-up."""
    for locale in SUPPORTED_LOCALES:
        translations(locale)


def negotiate(language_code: str | None, default: str = SOURCE_LOCALE) -> str:
    """Map Telegram's IETF language code (or None) to a supported locale."""
    if not language_code:
        return default
    try:
        parsed = Locale.parse(language_code, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return default
    return parsed.language if parsed.language in SUPPORTED_LOCALES else default


def current_locale() -> str:
    """Return the locale of the update (or job) being handled."""
    return _current.get()


def set_locale(locale: str) -> None:
    """Set the locale for the rest of the current task."""
    _current.set(locale if locale in SUPPORTED_LOCALES else SOURCE_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Temporarily speak another locale (e.g. to a practitioner)."""
    token = _current.set(locale if locale in SUPPORTED_LOCALES else SOURCE_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """Translate a message into the current locale."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form into the current locale."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a module-level string for extraction; translate it later with `_`."""
    return message


def format_day(day: date, locale: str | None = None) -> str:
    """Format a date the way people say it, e.g. 'Saturday 12 December'."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return format_date(day, format="EEEE d MMMM", locale=loc)


def format_full_day(day: date, locale: str | None = None) -> str:
    """Format a date with its year, e.g. 'Saturday 12 December 2026'."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return format_date(day, format="full", locale=loc)


def format_clock(at: time, locale: str | None = None) -> str:
    """Format a wall-clock time the local way, e.g. '18:30'."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return format_time(at, format="short", locale=loc)


def weekday_name(
    iso_weekday: int,
    width: Literal["abbreviated", "narrow", "short", "wide"] = "abbreviated",
    locale: str | None = None,
) -> str:
    """The name of an ISO weekday (1 = Monday) in the current language."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return str(get_day_names(width, locale=loc)[iso_weekday - 1])
