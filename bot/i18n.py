"""Gettext catalogs under `locales/`, the current locale in a ContextVar, babel formatting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, format_timedelta, get_day_names
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LOCALE = "en"

# Every language the project has (or is getting): code -> (own name, babel locale for dates,
# written right to left).
LANGUAGES: dict[str, tuple[str, str, bool]] = {
    "en": ("English", "en_GB", False),
    "pl": ("Polski", "pl_PL", False),
    "ro": ("Română", "ro_RO", False),
    "es": ("Español", "es_ES", False),
    "bn": ("বাংলা", "bn_BD", False),
    "ur": ("اردو", "ur_PK", True),
    "ar": ("العربية", "ar", True),
}
# The languages the bot speaks: a language is switched on here once its catalog and content
# are complete (CI checks both). The source strings are English; every other locale needs a
# compiled catalog, and a missing one is an error, never a silent fall-back to English.
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "pl", "ro", "es", "bn", "ur", "ar")
_FORMAT_LOCALE = {code: fmt for code, (_name, fmt, _rtl) in LANGUAGES.items()}
RLM = "\u200f"  # right-to-left mark: a message in Urdu or Arabic that opens with a Latin name

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


def language_name(locale: str) -> str:
    """A language's own name ('Polski', 'اردو')."""
    return LANGUAGES.get(locale, (locale, "", False))[0]


def is_rtl(locale: str | None = None) -> bool:
    """True for languages written right to left."""
    return LANGUAGES.get(locale or _current.get(), ("", "", False))[2]


def bidi(text: str, locale: str | None = None) -> str:
    """Start a right-to-left message with RLM so Telegram lays it out right to left even
    when it opens with a Latin name or an emoji."""
    return RLM + text if is_rtl(locale) and not text.startswith(RLM) else text


def _(message: str) -> str:
    """Translate a message into the current locale (RTL text opens with RLM)."""
    translated = translations(_current.get()).gettext(message)
    return bidi(translated) if is_rtl() else translated


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form into the current locale."""
    translated = translations(_current.get()).ngettext(singular, plural, n)
    return bidi(translated) if is_rtl() else translated


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a module-level string for extraction; translate it later with `_`."""
    return message


def format_day(day: date, locale: str | None = None) -> str:
    """A date the way people say it in the language, e.g. 'Saturday 12 December',
    'sáb, 12 de diciembre' (babel picks each language's own order and words)."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return format_skeleton("MMMMEEEEd", day, locale=loc)


def format_full_day(day: date, locale: str | None = None) -> str:
    """A date with its year, e.g. 'Saturday, 12 December 2026'."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    return format_skeleton("yMMMMEEEEd", day, locale=loc)


def format_weeks(weeks: int, ahead: bool = False, locale: str | None = None) -> str:
    """'2 weeks' or, ahead, 'in 2 weeks', with the language's own plural forms (babel)."""
    loc = _FORMAT_LOCALE.get(locale or _current.get(), "en_GB")
    text = format_timedelta(
        timedelta(weeks=weeks), granularity="week", threshold=1, add_direction=ahead, locale=loc
    )
    return text[:1].upper() + text[1:]


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
