"""Content schema for the listening engine: typed dataclasses, a TOML loader and its validator.

Each locale lives in ``conversations/content/<locale>/`` as two files with the same schema in every
language: ``themes.toml`` (one table per theme id) and ``language.toml`` (lexicon, templates, value
patterns, pronoun flips, general home tips, and the optional ``[normalise]`` rules). Everything
language-specific stays in those files. Matching is script-safe (see scripts.py): every regex here
counts combining marks as letters, and runs on text folded by the locale's ``[normalise]`` rules.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conversations.listening.scripts import (
    SENTENCE_PUNCTUATION,
    Folding,
    ScriptPattern,
    parse_folding,
    trie_alternation,
)

THEME_IDS: tuple[str, ...] = (
    "sharing_turns",
    "communication",
    "social_play",
    "big_feelings",
    "listening_attention",
    "separation_transitions",
    "confidence",
    "movement",
)
AREAS: tuple[str, ...] = ("motor", "communication", "social", "emotional")
CONTENT_ROOT = Path(__file__).resolve().parent.parent / "content"

MIN_SIGNALS = 25
MIN_REFLECTIONS = 2
MIN_PICTURES = 2
MIN_REFRAMES = 3
MIN_ACTIVITIES = 3
MIN_AIMS = 2
SIGNS_PER_AIM = 3
MIN_THEME_HOME_TIPS = 6
MIN_GENERAL_HOME_TIPS = 12
MAX_LABEL_CHARS = 30

_ID = re.compile(r"[a-z][a-z0-9_]*")
_FORMATTER = string.Formatter()
# Placeholders that open a sentence are capitalised when filled ("your child" -> "Your child"),
# also after Spanish opening marks ("¿{child}..." -> "¿Tu hijo...").
_SENTENCE_START_FIELD = re.compile(rf"(^|[.!?{SENTENCE_PUNCTUATION}]\s+)([¿¡]?)\{{(\w+)\}}")
# One sentence ends here: the purpose of an activity must be exactly one.
_SENTENCE_END = re.compile(rf"[.!?{SENTENCE_PUNCTUATION}](?:\s|$)")

# (from, to) replacements for normalise(); chained str.replace is much faster than translate().
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "`", "\u00b4")
_NORMALISE_PAIRS = (
    *((a, "'") for a in _APOSTROPHES),
    *((q, '"') for q in ("\u201c", "\u201d", "\u201e")),
    *((d, " ") for d in ("-", "\u2010", "\u2011", "\u2013", "\u2014", "_")),
)
_INNER_APOSTROPHE = ScriptPattern(r"(?<=\w)'(?=\w)")
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, unify quotes, drop in-word apostrophes, turn dashes into spaces, squash spaces."""
    text = text.lower()
    for old, new in _NORMALISE_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return _WHITESPACE.sub(" ", _INNER_APOSTROPHE.sub("", text)).strip()


def unify_apostrophes(text: str) -> str:
    """Replace curly and stray apostrophes with a straight one, keeping every offset."""
    for old in _APOSTROPHES:
        if old in text:
            text = text.replace(old, "'")
    return text


def trie_pattern(units: list[list[str]], flags: int = 0) -> ScriptPattern:
    """Compile entries (each a list of regex pieces) into one trie-shaped, whole-word regex."""
    return ScriptPattern(r"(?<!\w)" + trie_alternation(units) + r"(?!\w)", flags)


@dataclass(frozen=True)
class Reframe:
    """A reframe (booklet step 3); ``requires_feeling`` texts use the {feeling} placeholder."""

    text: str
    requires_feeling: bool


@dataclass(frozen=True)
class Activity:
    """One IMM activity with its developmental purpose and a home version."""

    id: str
    theme: str
    name: str
    summary: str
    purpose: str
    area: str
    detail: str
    home: str


@dataclass(frozen=True)
class AimTemplate:
    """A positive, observable aim in the child's name, with small signs and fitting activities."""

    id: str
    theme: str
    text: str
    signs: tuple[str, ...]
    activities: tuple[str, ...]


@dataclass(frozen=True)
class HomeTip:
    """A home-singing idea; ``theme`` is None for the general set."""

    id: str
    text: str
    why: str
    theme: str | None


@dataclass(frozen=True)
class Theme:
    """Everything one concern theme offers in one locale."""

    id: str
    label: str
    signals: tuple[str, ...]
    reflections: tuple[str, ...]
    pictures: tuple[str, ...]
    reframes: tuple[Reframe, ...]
    activities: tuple[Activity, ...]
    aims: tuple[AimTemplate, ...]
    home_tips: tuple[HomeTip, ...]
    # One precompiled alternation of all signals on normalised, folded text, longest first.
    pattern: ScriptPattern = field(repr=False, compare=False)

    def reframes_for(self, feeling: str | None) -> tuple[Reframe, ...]:
        """Reframes that fit: those quoting the feeling when there is one, else the others."""
        wanted = bool(feeling)
        return tuple(r for r in self.reframes if r.requires_feeling == wanted)


@dataclass(frozen=True)
class ValuePattern:
    """A regex with a ``value`` group finding what the parent values; ``kind`` picks templates."""

    regex: ScriptPattern
    kind: str


@dataclass(frozen=True)
class Language:
    """The per-locale lexicon and templates that are not tied to one theme."""

    child_default: str
    negators: frozenset[str]
    negation_window: int
    feeling_words: tuple[str, ...]
    positive_feelings: frozenset[str]
    feeling_pattern: ScriptPattern = field(repr=False, compare=False)
    child_markers: frozenset[str]
    parent_markers: frozenset[str]
    other_markers: frozenset[str]
    subject_window: int
    other_window: int
    feeling_negators: frozenset[str]
    value_patterns: tuple[ValuePattern, ...]
    value_reject: ScriptPattern = field(repr=False, compare=False)
    max_value_chars: int
    affirmation_templates: Mapping[str, tuple[str, ...]]
    generic_affirmations: tuple[str, ...]
    validations: tuple[str, ...]
    feeling_quotes: tuple[str, ...]
    parent_feeling_quotes: tuple[str, ...]
    pictures: tuple[str, ...]
    open_questions: tuple[str, ...]
    pronoun_flips: Mapping[str, str]
    flip_pattern: ScriptPattern = field(repr=False, compare=False)
    # The locale's [normalise] rules: every word list above is already folded with them.
    folding: Folding = field(default_factory=Folding, repr=False, compare=False)


@dataclass(frozen=True)
class Content:
    """All content for one locale: the eight themes, the language data and general home tips."""

    locale: str
    themes: tuple[Theme, ...]
    language: Language
    home_tips: tuple[HomeTip, ...]
    _themes_by_id: Mapping[str, Theme] = field(repr=False, compare=False)
    _activities_by_id: Mapping[str, Activity] = field(repr=False, compare=False)
    _aims_by_id: Mapping[str, AimTemplate] = field(repr=False, compare=False)
    _tips_by_id: Mapping[str, HomeTip] = field(repr=False, compare=False)

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id (KeyError if unknown)."""
        return self._themes_by_id[theme_id]

    def activity(self, activity_id: str) -> Activity:
        """The activity with this id, from any theme (KeyError if unknown)."""
        return self._activities_by_id[activity_id]

    def aim(self, aim_id: str) -> AimTemplate:
        """The aim template with this id, from any theme (KeyError if unknown)."""
        return self._aims_by_id[aim_id]

    def home_tip(self, tip_id: str) -> HomeTip:
        """The home tip with this id, themed or general (KeyError if unknown)."""
        return self._tips_by_id[tip_id]

    def fill(
        self,
        template: str,
        child: str | None = None,
        feeling: str | None = None,
        **extra: str,
    ) -> str:
        """Fill {child}, {feeling} and extra placeholders; capitalise ones that open a sentence."""
        values = {"child": child or self.language.child_default, "feeling": feeling or ""}
        values.update(extra)
        return fill_template(template, values)


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """Fill placeholders from ``values``, capitalising those that start a sentence."""
    capped = {f"{key}__cap": _capitalise(value) for key, value in values.items()}
    marked = _SENTENCE_START_FIELD.sub(r"\1\2{\3__cap}", template)
    return marked.format_map({**values, **capped})


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _discover_locales(root: Path) -> tuple[str, ...]:
    if not root.is_dir():
        return ()
    return tuple(
        sorted(
            p.name
            for p in root.iterdir()
            if (p / "themes.toml").is_file() and (p / "language.toml").is_file()
        )
    )


SUPPORTED_CONTENT_LOCALES: tuple[str, ...] = _discover_locales(CONTENT_ROOT)


@functools.cache
def load_content(locale: str, root: Path | None = None) -> Content:
    """Load and validate the content for a locale (cached); ValueError if missing or invalid.

    ``root`` is another folder laid out like conversations/content (tests, tools); by default
    the package's own.
    """
    supported = SUPPORTED_CONTENT_LOCALES if root is None else _discover_locales(root)
    if locale not in supported:
        raise ValueError(f"no content for locale {locale!r}; supported: {', '.join(supported)}")
    return parse_content((CONTENT_ROOT if root is None else root) / locale, locale)


def parse_content(directory: Path, locale: str) -> Content:
    """Read and validate ``themes.toml`` and ``language.toml`` from a directory (uncached)."""
    themes_raw = _read_toml(directory / "themes.toml")
    language_raw = _read_toml(directory / "language.toml")
    return _build_content(locale, themes_raw, language_raw)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: content file is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: invalid TOML: {exc}") from exc


# --- validation helpers -------------------------------------------------------------------------


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}.{key}: expected a table")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str, allowed: frozenset[str] | None) -> str:
    # allowed=None: not a template (a regex), so braces are not placeholders.
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}.{key}: expected a non-empty string")
    if allowed is not None:
        _check_placeholders(value, f"{where}.{key}", allowed)
    return value


def _texts(
    raw: Mapping[str, Any],
    key: str,
    where: str,
    allowed: frozenset[str],
    minimum: int,
    required: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}.{key}: expected a list of non-empty strings")
    if len(value) < minimum:
        raise ValueError(f"{where}.{key}: needs at least {minimum} entries, found {len(value)}")
    for index, item in enumerate(value):
        used = _check_placeholders(item, f"{where}.{key}[{index}]", allowed)
        missing = required - used
        if missing:
            raise ValueError(f"{where}.{key}[{index}]: must use {{{', '.join(sorted(missing))}}}")
    return tuple(value)


def _records(raw: Mapping[str, Any], key: str, where: str, minimum: int) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"{where}.{key}: expected an array of tables")
    if len(value) < minimum:
        raise ValueError(f"{where}.{key}: needs at least {minimum} entries, found {len(value)}")
    return value


def _check_placeholders(text: str, where: str, allowed: frozenset[str]) -> frozenset[str]:
    try:
        names = {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError(f"{where}: malformed placeholder in {text!r}: {exc}") from exc
    unknown = names - allowed
    if unknown:
        allowed_text = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
        raise ValueError(
            f"{where}: unknown placeholder {{{sorted(unknown)[0]}}} (allowed: {allowed_text})"
        )
    return frozenset(names)


def _identifier(raw: Mapping[str, Any], where: str, seen: set[str]) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(f"{where}.id: expected a snake_case id, got {value!r}")
    if value in seen:
        raise ValueError(f"{where}.id: duplicate id {value!r}")
    seen.add(value)
    return value


def _compile(pattern: str, where: str, flags: int = 0) -> ScriptPattern:
    try:
        return ScriptPattern(pattern, flags)
    except re.error as exc:
        raise ValueError(f"{where}: invalid regex {pattern!r}: {exc}") from exc


# --- building -----------------------------------------------------------------------------------

_NONE: frozenset[str] = frozenset()
_CHILD = frozenset({"child"})
_CHILD_FEELING = frozenset({"child", "feeling"})


def _build_content(
    locale: str, themes_raw: Mapping[str, Any], language_raw: Mapping[str, Any]
) -> Content:
    unknown = sorted(set(themes_raw) - set(THEME_IDS))
    if unknown:
        raise ValueError(f"themes.toml: unknown theme id {unknown[0]!r}")
    missing = [t for t in THEME_IDS if t not in themes_raw]
    if missing:
        raise ValueError(f"themes.toml: missing theme {missing[0]!r}")

    folding = parse_folding(language_raw.get("normalise"), "language.normalise")
    activity_ids: set[str] = set()
    aim_ids: set[str] = set()
    tip_ids: set[str] = set()
    themes = tuple(
        _build_theme(
            theme_id,
            _table(themes_raw, theme_id, "themes"),
            activity_ids,
            aim_ids,
            tip_ids,
            folding,
        )
        for theme_id in THEME_IDS
    )
    activities = {a.id: a for t in themes for a in t.activities}
    for theme in themes:
        for aim in theme.aims:
            for ref in aim.activities:
                if ref not in activities:
                    raise ValueError(f"themes.{theme.id}.aims.{aim.id}: unknown activity {ref!r}")

    language = _build_language(language_raw, folding)
    general = _table(language_raw, "general", "language")
    general_tips = tuple(
        _build_tip(tip, f"language.general.home_tips[{i}]", None, tip_ids)
        for i, tip in enumerate(
            _records(general, "home_tips", "language.general", MIN_GENERAL_HOME_TIPS)
        )
    )
    all_tips = [tip for t in themes for tip in t.home_tips] + list(general_tips)
    return Content(
        locale=locale,
        themes=themes,
        language=language,
        home_tips=general_tips,
        _themes_by_id=MappingProxyType({t.id: t for t in themes}),
        _activities_by_id=MappingProxyType(activities),
        _aims_by_id=MappingProxyType({a.id: a for t in themes for a in t.aims}),
        _tips_by_id=MappingProxyType({tip.id: tip for tip in all_tips}),
    )


def _build_theme(
    theme_id: str,
    raw: Mapping[str, Any],
    activity_ids: set[str],
    aim_ids: set[str],
    tip_ids: set[str],
    folding: Folding,
) -> Theme:
    where = f"themes.{theme_id}"
    label = _text(raw, "label", where, _NONE)
    if len(label) > MAX_LABEL_CHARS:
        raise ValueError(f"{where}.label: longer than {MAX_LABEL_CHARS} characters: {label!r}")
    signals = _texts(raw, "signals", where, _NONE, MIN_SIGNALS)
    normalised = [folding.fold(normalise(s)) for s in signals]
    for signal, folded in zip(signals, normalised, strict=True):
        if not folded.strip("* ") or folded.count("*") != signal.count("*"):
            raise ValueError(f"{where}.signals: {signal!r} is lost by language.normalise")
    duplicates = sorted({s for s in normalised if normalised.count(s) > 1})
    if duplicates:
        raise ValueError(f"{where}.signals: duplicate signal {duplicates[0]!r}")

    reframes = []
    for i, item in enumerate(_records(raw, "reframes", where, MIN_REFRAMES)):
        rwhere = f"{where}.reframes[{i}]"
        text = _text(item, "text", rwhere, _CHILD_FEELING)
        needs = item.get("requires_feeling")
        if not isinstance(needs, bool):
            raise ValueError(f"{rwhere}.requires_feeling: expected true or false")
        if needs != ("{feeling}" in text):
            raise ValueError(
                f"{rwhere}: requires_feeling must be true exactly when {{feeling}} is used"
            )
        reframes.append(Reframe(text=text, requires_feeling=needs))
    if not any(r.requires_feeling for r in reframes) or all(r.requires_feeling for r in reframes):
        raise ValueError(f"{where}.reframes: need reframes both with and without {{feeling}}")

    activities = tuple(
        _build_activity(item, f"{where}.activities[{i}]", theme_id, activity_ids)
        for i, item in enumerate(_records(raw, "activities", where, MIN_ACTIVITIES))
    )
    aims = tuple(
        _build_aim(item, f"{where}.aims[{i}]", theme_id, aim_ids)
        for i, item in enumerate(_records(raw, "aims", where, MIN_AIMS))
    )
    tips = tuple(
        _build_tip(item, f"{where}.home_tips[{i}]", theme_id, tip_ids)
        for i, item in enumerate(_records(raw, "home_tips", where, MIN_THEME_HOME_TIPS))
    )
    return Theme(
        id=theme_id,
        label=label,
        signals=signals,
        reflections=_texts(raw, "reflections", where, _CHILD, MIN_REFLECTIONS),
        pictures=_texts(raw, "pictures", where, _CHILD, MIN_PICTURES),
        reframes=tuple(reframes),
        activities=activities,
        aims=aims,
        home_tips=tips,
        pattern=_signal_pattern(normalised),
    )


def _signal_pattern(signals: list[str]) -> ScriptPattern:
    # A trailing "*" on a word means "any ending" (tantrum* -> tantrums, tantrumz).
    def pieces(signal: str) -> list[str]:
        out: list[str] = []
        for index, word in enumerate(signal.split(" ")):
            if index:
                out.append(" ")
            stem = word[:-1] if word.endswith("*") else word
            out.extend(re.escape(char) for char in stem)
            if word.endswith("*"):
                out.append(r"\w*")
        return out

    return trie_pattern([pieces(s) for s in sorted(set(signals))])


def _build_activity(raw: Mapping[str, Any], where: str, theme_id: str, seen: set[str]) -> Activity:
    activity_id = _identifier(raw, where, seen)
    area = raw.get("area")
    if area not in AREAS:
        raise ValueError(f"{where}.area: {area!r} is not one of {', '.join(AREAS)}")
    purpose = _text(raw, "purpose", where, _CHILD)
    if len(_SENTENCE_END.findall(purpose.strip())) != 1:
        raise ValueError(f"{where}.purpose: must be exactly one sentence")
    return Activity(
        id=activity_id,
        theme=theme_id,
        name=_text(raw, "name", where, _NONE),
        summary=_text(raw, "summary", where, _CHILD),
        purpose=purpose,
        area=str(area),
        detail=_text(raw, "detail", where, _CHILD),
        home=_text(raw, "home", where, _CHILD),
    )


def _build_aim(raw: Mapping[str, Any], where: str, theme_id: str, seen: set[str]) -> AimTemplate:
    aim_id = _identifier(raw, where, seen)
    text = _text(raw, "text", where, _CHILD)
    if "{child}" not in text:
        raise ValueError(f"{where}.text: an aim must be in the child's name ({{child}})")
    signs = _texts(raw, "signs", where, _CHILD, SIGNS_PER_AIM)
    if len(signs) != SIGNS_PER_AIM:
        raise ValueError(f"{where}.signs: needs exactly {SIGNS_PER_AIM} small signs")
    refs = raw.get("activities")
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise ValueError(f"{where}.activities: expected a non-empty list of activity ids")
    return AimTemplate(id=aim_id, theme=theme_id, text=text, signs=signs, activities=tuple(refs))


def _build_tip(raw: Mapping[str, Any], where: str, theme_id: str | None, seen: set[str]) -> HomeTip:
    return HomeTip(
        id=_identifier(raw, where, seen),
        text=_text(raw, "text", where, _CHILD),
        why=_text(raw, "why", where, _CHILD),
        theme=theme_id,
    )


def _words(
    raw: Mapping[str, Any], key: str, where: str, folding: Folding, minimum: int = 1
) -> tuple[str, ...]:
    """A word list, lowercased and folded like the text it is compared with."""
    words = _texts(raw, key, where, _NONE, minimum)
    lowered = [folding.fold(w) for w in words]
    lost = [w for w, f in zip(words, lowered, strict=True) if not f.strip()]
    if lost:
        raise ValueError(f"{where}.{key}: {lost[0]!r} is lost by language.normalise")
    duplicates = sorted({w for w in lowered if lowered.count(w) > 1})
    if duplicates:
        raise ValueError(f"{where}.{key}: duplicate entry {duplicates[0]!r}")
    return tuple(lowered)


def _positive_int(raw: Mapping[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}.{key}: expected a positive integer")
    return value


def _build_language(raw: Mapping[str, Any], folding: Folding) -> Language:
    text = _table(raw, "text", "language")
    feelings = _table(raw, "feelings", "language")
    affirm = _table(raw, "affirmation", "language")
    reflection = _table(raw, "reflection", "language")

    negators = frozenset(_words(text, "negators", "language.text", folding))
    feeling_words = _words(feelings, "words", "language.feelings", folding, 10)
    positive = frozenset(_words(feelings, "positive", "language.feelings", folding))
    if not positive <= set(feeling_words):
        extra = sorted(positive - set(feeling_words))[0]
        raise ValueError(f"language.feelings.positive: {extra!r} is not in feelings.words")

    def feeling_pieces(word: str) -> list[str]:
        # Spaces match any whitespace and apostrophes either kind. Matched on the folded text
        # and mapped back, so matches keep the parent's exact spelling.
        return [
            r"\s+" if c == " " else "['\u2019]" if c == "'" else re.escape(c)
            for c in " ".join(word.split())
        ]

    feeling_pattern = trie_pattern([feeling_pieces(w) for w in feeling_words], re.IGNORECASE)

    patterns = []
    for i, item in enumerate(_records(affirm, "patterns", "language.affirmation", 1)):
        pwhere = f"language.affirmation.patterns[{i}]"
        source = folding.fold_pattern(_text(item, "regex", pwhere, None))
        regex = _compile(source, f"{pwhere}.regex", re.IGNORECASE)
        if "value" not in regex.groupindex:
            raise ValueError(f"{pwhere}.regex: needs a named group (?P<value>...)")
        kind = _text(item, "kind", pwhere, _NONE)
        patterns.append(ValuePattern(regex=regex, kind=kind))

    templates_raw = _table(affirm, "templates", "language.affirmation")
    templates = {
        kind: _texts(templates_raw, kind, "language.affirmation.templates", _CHILD | {"value"}, 1)
        for kind in templates_raw
    }
    for pattern in patterns:
        if pattern.kind not in templates:
            raise ValueError(
                f"language.affirmation.templates: no templates for kind {pattern.kind!r}"
            )
    reject = _words(affirm, "reject", "language.affirmation", folding)
    reject_pattern = ScriptPattern(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in reject) + r")(?!\w)", re.IGNORECASE
    )

    flips_raw = affirm.get("pronoun_flips")
    if not isinstance(flips_raw, list) or not flips_raw:
        raise ValueError("language.affirmation.pronoun_flips: expected a list of [from, to] pairs")
    flips: dict[str, str] = {}
    for i, pair in enumerate(flips_raw):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(p, str) and p.strip() for p in pair)
        ):
            raise ValueError(f"language.affirmation.pronoun_flips[{i}]: expected [from, to]")
        key = " ".join(folding.fold(pair[0]).split())
        if not key:
            raise ValueError(f"language.affirmation.pronoun_flips[{i}]: lost by normalise")
        if key in flips:
            raise ValueError(f"language.affirmation.pronoun_flips[{i}]: duplicate {key!r}")
        flips[key] = pair[1]
    flip_pattern = ScriptPattern(
        r"(?<![\w'])(?:"
        + "|".join(
            r"\s+".join(re.escape(part) for part in key.split())
            for key in sorted(flips, key=lambda k: (-len(k), k))
        )
        + r")(?![\w'])",
        re.IGNORECASE,
    )

    return Language(
        child_default=_text(text, "child_default", "language.text", _NONE),
        negators=negators,
        negation_window=_positive_int(text, "negation_window", "language.text"),
        feeling_words=feeling_words,
        positive_feelings=positive,
        feeling_pattern=feeling_pattern,
        child_markers=frozenset(_words(feelings, "child_markers", "language.feelings", folding)),
        parent_markers=frozenset(_words(feelings, "parent_markers", "language.feelings", folding)),
        other_markers=frozenset(_words(feelings, "other_markers", "language.feelings", folding)),
        subject_window=_positive_int(feelings, "subject_window", "language.feelings"),
        other_window=_positive_int(feelings, "other_window", "language.feelings"),
        feeling_negators=negators
        | frozenset(_words(feelings, "negators", "language.feelings", folding)),
        value_patterns=tuple(patterns),
        value_reject=reject_pattern,
        max_value_chars=_positive_int(affirm, "max_value_chars", "language.affirmation"),
        affirmation_templates=MappingProxyType(templates),
        generic_affirmations=_texts(affirm, "generic", "language.affirmation", _CHILD, 2),
        validations=_texts(reflection, "validations", "language.reflection", _CHILD, 2),
        feeling_quotes=_texts(
            reflection,
            "feeling_quotes",
            "language.reflection",
            _CHILD_FEELING,
            2,
            frozenset({"feeling"}),
        ),
        parent_feeling_quotes=_texts(
            reflection,
            "parent_feeling_quotes",
            "language.reflection",
            _CHILD_FEELING,
            2,
            frozenset({"feeling"}),
        ),
        pictures=_texts(reflection, "pictures", "language.reflection", _CHILD, 2),
        open_questions=_texts(reflection, "open_questions", "language.reflection", _CHILD, 2),
        pronoun_flips=MappingProxyType(flips),
        flip_pattern=flip_pattern,
        folding=folding,
    )
