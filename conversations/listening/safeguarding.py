"""Safeguarding detection: spot a disclosure of harm or risk in a parent's free-text message.

Runs on every free-text message, before any other analysis. Pure Python, no I/O after the first
load of a locale. Everything language-specific lives in
``conversations/content/<locale>/safeguarding.toml`` (schema documented at the top of the English
file); this module only knows the mechanics:

1. normalise the text (lowercase, unify apostrophes, collapse whitespace, then the locale's
   rewrites: text-speak and common misspellings), keeping a map back to the original characters;
2. blank out benign spans (idioms, song lines) so they cannot match;
3. run each trigger's patterns; a hit is vetoed if one of its guards (benign context such as an
   accident, a nursery rhyme, a toddler's tantrum) matches its sentence or message, or if a
   negation cue appears in the few words before it in the same clause;
4. mark a hit immediate if its trigger says so or an immediate-danger cue is near it;
5. return the most serious hit: immediate first, then by category severity, then earliest.

Never log ``text`` or ``Disclosure.matched``: they are sensitive.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "CATEGORIES",
    "Disclosure",
    "detect",
    "is_disclosure",
    "supported_locales",
]

CATEGORIES = (
    "harm_to_child",
    "sexual_harm",
    "neglect",
    "domestic_abuse",
    "parent_crisis",
    "substances",
    "unsafe_housing",
)

# Most serious first: breaks ties between hits of equal urgency. Language-independent.
_SEVERITY = (
    "sexual_harm",
    "harm_to_child",
    "parent_crisis",
    "domestic_abuse",
    "substances",
    "neglect",
    "unsafe_housing",
)

# Locales whose lexicon is always consulted as well: English is the shared language of UK
# settings and parents often mix it into messages in their own language.
_ALWAYS = ("en",)
_FALLBACK = "en"

_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "\u0060": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
    }
)
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_WORD = re.compile(r"[\w']+")
_LOCALE_TAG = re.compile(r"[a-z]{2,3}")

_Replacer = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Disclosure:
    """A detected disclosure: its category, whether danger is immediate, and the matched text."""

    category: str
    immediate: bool
    matched: str


@dataclass(frozen=True)
class _Guard:
    regex: re.Pattern[str]
    whole_message: bool


@dataclass(frozen=True)
class _Trigger:
    name: str
    category: str
    regex: re.Pattern[str]
    immediate: bool
    needs_immediate_cue: bool
    immediate_cues: bool
    negatable: bool
    guards: tuple[_Guard, ...]


@dataclass(frozen=True)
class _Lexicon:
    rewrites: tuple[tuple[re.Pattern[str], _Replacer], ...]
    benign: re.Pattern[str] | None
    sentence_break: re.Pattern[str]
    clause_break: re.Pattern[str]
    negation: re.Pattern[str] | None
    negation_window: int
    immediate_cue: re.Pattern[str] | None
    immediate_window: int
    triggers: tuple[_Trigger, ...]


@dataclass(frozen=True)
class _Hit:
    category: str
    immediate: bool
    start: int
    end: int


def supported_locales() -> tuple[str, ...]:
    """Return the locales that have a safeguarding lexicon, sorted."""
    return _supported()


def is_disclosure(text: str, locale: str = "en") -> bool:
    """Return True if the text contains a safeguarding disclosure."""
    return detect(text, locale) is not None


def detect(text: str, locale: str = "en") -> Disclosure | None:
    """Return the most serious disclosure in the text, or None."""
    if not text or not text.strip():
        return None
    best: tuple[tuple[int, int, int], Disclosure] | None = None
    for loc in _lexicons_for(locale):
        lex = _lexicon(loc)
        norm, index = _normalise(text, lex.rewrites)
        for hit in _hits(norm, lex):
            key = (int(hit.immediate), -_SEVERITY.index(hit.category), -hit.start)
            if best is None or key > best[0]:
                matched = text[index[hit.start] : index[hit.end - 1] + 1]
                best = (key, Disclosure(hit.category, hit.immediate, matched))
    return None if best is None else best[1]


# ---------------------------------------------------------------------------------------------
# Matching


def _hits(norm: str, lex: _Lexicon) -> Iterator[_Hit]:
    masked = _mask(norm, lex.benign)
    sentences = _spans(masked, lex.sentence_break)
    for trig in lex.triggers:
        for m in trig.regex.finditer(masked):
            start, end = m.span()
            if end <= start:
                continue
            s_start, s_end = _containing(sentences, start)
            s_start = min(s_start, start)
            if _guarded(trig, masked, s_start, s_end):
                continue
            if trig.negatable and _negated(masked, s_start, start, lex):
                continue
            cue = trig.immediate_cues and _near_cue(masked, start, end, lex)
            if trig.needs_immediate_cue and not cue:
                continue
            yield _Hit(trig.category, trig.immediate or cue, start, end)


def _mask(text: str, benign: re.Pattern[str] | None) -> str:
    """Blank out benign spans with spaces, keeping every offset."""
    if benign is None:
        return text
    return benign.sub(lambda m: " " * len(m.group(0)), text)


def _spans(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in breaks.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = max(pos, m.end())
    spans.append((pos, len(text)))
    return spans


def _containing(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span holding `pos` (the one just after it if `pos` is in a break)."""
    for start, end in spans:
        if pos < end:
            return start, end
    return spans[-1]


def _guarded(trig: _Trigger, text: str, s_start: int, s_end: int) -> bool:
    for guard in trig.guards:
        if guard.whole_message:
            if guard.regex.search(text):
                return True
        elif guard.regex.search(text, s_start, s_end):
            return True
    return False


def _negated(text: str, s_start: int, start: int, lex: _Lexicon) -> bool:
    """True if a negation cue is among the last few words before the hit, in the same clause."""
    if lex.negation is None or lex.negation_window <= 0:
        return False
    before = text[s_start:start]
    clause_start = 0
    for m in lex.clause_break.finditer(before):
        clause_start = m.end()
    words = _WORD.findall(before[clause_start:])[-lex.negation_window :]
    return any(lex.negation.fullmatch(w) for w in words)


def _near_cue(text: str, start: int, end: int, lex: _Lexicon) -> bool:
    if lex.immediate_cue is None:
        return False
    lo = max(0, start - lex.immediate_window)
    hi = min(len(text), end + lex.immediate_window)
    return lex.immediate_cue.search(text, lo, hi) is not None


# ---------------------------------------------------------------------------------------------
# Normalisation


def _normalise(
    text: str, rewrites: Sequence[tuple[re.Pattern[str], _Replacer]]
) -> tuple[str, list[int]]:
    """Lowercase, unify quotes, collapse whitespace, apply rewrites; map chars back to `text`."""
    chars: list[str] = []
    index: list[int] = []
    space = True  # drop leading whitespace
    for i, raw in enumerate(text.translate(_QUOTES)):
        if raw.isspace():
            if not space:
                chars.append(" ")
                index.append(i)
                space = True
            continue
        space = False
        for low in raw.lower():
            chars.append(low)
            index.append(i)
    norm = "".join(chars)
    if chars and chars[-1] == " ":
        norm, index = norm[:-1], index[:-1]
    for regex, repl in rewrites:
        norm, index = _sub_mapped(regex, repl, norm, index)
    return norm, index


def _expand_match(m: re.Match[str], template: str) -> str:
    return m.expand(template)


def _align(old: str, new: str, old_index: Sequence[int]) -> list[int]:
    """Map each char of `new` to an original offset: shared prefix and suffix map one to one."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    middle = old_index[min(prefix, len(old) - 1)]
    return [
        old_index[k]
        if k < prefix
        else old_index[len(old) - (len(new) - k)]
        if k >= len(new) - suffix
        else middle
        for k in range(len(new))
    ]


def _sub_mapped(
    regex: re.Pattern[str], repl: _Replacer, text: str, index: list[int]
) -> tuple[str, list[int]]:
    """Like regex.sub, also mapping each output char to an original offset via `index`."""
    out: list[str] = []
    out_index: list[int] = []
    pos = 0
    for m in regex.finditer(text):
        start, end = m.span()
        if end <= start:
            continue
        new = repl(m)
        out.append(text[pos:start])
        out_index.extend(index[pos:start])
        out.append(new)
        out_index.extend(_align(m.group(0), new, index[start:end]))
        pos = end
    if pos == 0:
        return text, index
    out.append(text[pos:])
    out_index.extend(index[pos:])
    return "".join(out), out_index


# ---------------------------------------------------------------------------------------------
# Loading


@functools.cache
def _supported() -> tuple[str, ...]:
    root = resources.files("conversations") / "content"
    found = [
        d.name
        for d in root.iterdir()
        if d.is_dir() and (d / "safeguarding.toml").is_file() and _LOCALE_TAG.fullmatch(d.name)
    ]
    return tuple(sorted(found))


def _lexicons_for(locale: str) -> tuple[str, ...]:
    """The lexicons to run: the locale's own (by primary language subtag), then English."""
    primary = re.split(r"[-_]", (locale or "").strip().lower(), maxsplit=1)[0]
    own = primary if primary in _supported() else _FALLBACK
    return tuple(dict.fromkeys((own, *_ALWAYS)))


@functools.cache
def _lexicon(locale: str) -> _Lexicon:
    if locale not in _supported():
        raise ValueError(f"no safeguarding lexicon for locale {locale!r}")
    path = resources.files("conversations") / "content" / locale / "safeguarding.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return _compile(data, locale)


def _compile(data: Mapping[str, Any], locale: str) -> _Lexicon:
    """Compile a parsed safeguarding.toml into a lexicon, failing loudly on schema errors."""
    macros: dict[str, str] = {str(k): str(v) for k, v in data.get("macros", {}).items()}

    def pattern(src: str, where: str) -> str:
        expanded = _expand(src, macros, where)
        try:
            re.compile(expanded)
        except re.error as exc:
            raise ValueError(f"{locale}: bad regex in {where}: {exc}") from exc
        return expanded

    def union(items: Sequence[str], where: str) -> re.Pattern[str] | None:
        parts = [pattern(p, where) for p in items]
        return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None

    norm = data.get("normalise", {})
    rewrites: list[tuple[re.Pattern[str], _Replacer]] = []
    for i, rule in enumerate(norm.get("rewrite", [])):
        regex = re.compile(pattern(rule["pattern"], f"rewrite {i}"))
        rewrites.append((regex, functools.partial(_expand_match, template=str(rule["replace"]))))
    words: dict[str, str] = {str(k): str(v) for k, v in norm.get("words", {}).items()}
    if words:
        # Whole words only: an apostrophe counts as part of the word, so "i'm" is not "i".
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        word_re = re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])")
        rewrites.append((word_re, lambda m: words[m.group(0)]))

    seg = data.get("segmentation", {})
    neg = data.get("negation", {})
    imm = data.get("immediate", {})

    guards: dict[str, _Guard] = {}
    for name, g in data.get("guard", {}).items():
        guard_re = union(g.get("patterns", []), f"guard {name}")
        if guard_re is None:
            raise ValueError(f"{locale}: guard {name} has no patterns")
        scope = g.get("scope", "sentence")
        if scope not in ("sentence", "message"):
            raise ValueError(f"{locale}: guard {name}: scope must be sentence or message")
        guards[name] = _Guard(guard_re, scope == "message")

    triggers: list[_Trigger] = []
    for i, t in enumerate(data.get("trigger", [])):
        name = str(t.get("name", f"trigger {i}"))
        category = t.get("category")
        if category not in CATEGORIES:
            raise ValueError(f"{locale}: {name}: unknown category {category!r}")
        trigger_re = union(t.get("patterns", []), name)
        if trigger_re is None:
            raise ValueError(f"{locale}: {name} has no patterns")
        unknown = [g for g in t.get("guards", []) if g not in guards]
        if unknown:
            raise ValueError(f"{locale}: {name}: unknown guards {unknown}")
        if t.get("needs_immediate_cue") and t.get("immediate_cues") is False:
            raise ValueError(f"{locale}: {name}: needs_immediate_cue without immediate_cues")
        triggers.append(
            _Trigger(
                name=name,
                category=category,
                regex=trigger_re,
                immediate=bool(t.get("immediate", False)),
                needs_immediate_cue=bool(t.get("needs_immediate_cue", False)),
                immediate_cues=bool(t.get("immediate_cues", True)),
                negatable=bool(t.get("negatable", True)),
                guards=tuple(guards[g] for g in t.get("guards", [])),
            )
        )

    return _Lexicon(
        rewrites=tuple(rewrites),
        benign=union(data.get("benign", {}).get("patterns", []), "benign"),
        sentence_break=re.compile(pattern(seg.get("sentence_break", r"[.!?\n]+"), "sentence")),
        clause_break=re.compile(pattern(seg.get("clause_break", r"[,;:]"), "clause")),
        negation=union(neg.get("cues", []), "negation"),
        negation_window=int(neg.get("window_words", 3)),
        immediate_cue=union(imm.get("cues", []), "immediate"),
        immediate_window=int(imm.get("window_chars", 60)),
        triggers=tuple(triggers),
    )


def _expand(src: str, macros: Mapping[str, str], where: str, depth: int = 0) -> str:
    """Replace {NAME} with the macro's regex (recursively); {0,3}-style quantifiers are left."""
    if depth > 10:
        raise ValueError(f"macro recursion too deep in {where}")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise ValueError(f"unknown macro {{{name}}} in {where}")
        return "(?:" + _expand(macros[name], macros, where, depth + 1) + ")"

    return _MACRO.sub(sub, src)
