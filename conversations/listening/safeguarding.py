"""Safeguarding detection: spot a disclosure of harm or risk in a parent's free-text message.

Runs on every free-text message, before any other analysis. Pure Python, no I/O after the first
load of a locale. Everything language-specific lives in
``conversations/content/<locale>/safeguarding.toml`` (schema documented at the top of the English
file); this module only knows the mechanics:

1. normalise the text (lowercase, unify apostrophes, collapse whitespace, Unicode NFC, then the
   locale's ``[normalise]`` rules: ``letters``, ``strip``, rewrites, text-speak words), keeping a
   map back to the original characters;
2. blank out benign spans (idioms, song lines) so they cannot match;
   steps 2 and 3 skip the idioms and triggers whose literal words are absent (prefilter.py);
3. run each trigger's patterns; a hit is vetoed if one of its guards (benign context such as an
   accident, a nursery rhyme, a toddler's tantrum) matches its sentence or message, or if a
   negation cue appears in the few words before it in the same clause;
4. mark a hit immediate if its trigger says so or an immediate-danger cue is near it;
5. return the most serious hit: immediate first, then by category severity, then earliest.

Every pattern is script-safe (scripts.py): ``\\w`` and ``\\b`` count combining marks (Bengali
vowel signs, Arabic harakat) as letters, and the sentence and clause breaks always include
``؟ ۔ । ॥`` and ``، ؛``. ``Disclosure.matched`` is always a substring of the original text: the
normalised text keeps a map back to it, and a match ends after any combining marks that follow.

Never log ``text`` or ``Disclosure.matched``: they are sensitive.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from conversations.listening import scripts
from conversations.listening.prefilter import (
    NeedleIndex,
    Requirement,
    requirement,
    satisfied,
)
from conversations.listening.scripts import (
    CLAUSE_PUNCTUATION,
    SENTENCE_PUNCTUATION,
    Folding,
    ScriptPattern,
    parse_folding,
)

__all__ = [
    "CATEGORIES",
    "Disclosure",
    "detect",
    "detect_all",
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
_WORD = ScriptPattern(r"[\w']+")
_LOCALE_TAG = re.compile(r"[a-z]{2,3}")
# Root of the package's own lexicons; tests and tools may pass another folder as ``root``.
Root = Path | None


@dataclass(frozen=True)
class Disclosure:
    """A detected disclosure: its category, whether danger is immediate, and the matched text."""

    category: str
    immediate: bool
    matched: str


@dataclass(frozen=True)
class _Guard:
    regex: ScriptPattern
    whole_message: bool


@dataclass(frozen=True)
class _Trigger:
    name: str
    category: str
    regex: ScriptPattern
    immediate: bool
    needs_immediate_cue: bool
    immediate_cues: bool
    negatable: bool
    guards: tuple[_Guard, ...]
    # What every match contains (prefilter.py); None: nothing known, always run the regex.
    needs: Requirement | None


@dataclass(frozen=True)
class _Lexicon:
    folding: Folding
    benign: ScriptPattern | None
    sentence_break: ScriptPattern
    clause_break: ScriptPattern
    negation: ScriptPattern | None
    negation_window: int
    immediate_cue: ScriptPattern | None
    immediate_window: int
    triggers: tuple[_Trigger, ...]
    benign_needs: Requirement | None
    needles: NeedleIndex  # every trigger's needles and the benign idioms', found in one scan


@dataclass(frozen=True)
class _Hit:
    category: str
    immediate: bool
    start: int
    end: int


def supported_locales(root: Root = None) -> tuple[str, ...]:
    """Return the locales that have a safeguarding lexicon, sorted."""
    return _supported(root)


def is_disclosure(text: str, locale: str = "en") -> bool:
    """Return True if the text contains a safeguarding disclosure."""
    return detect(text, locale) is not None


def detect(text: str, locale: str = "en", *, root: Root = None) -> Disclosure | None:
    """Return the most serious disclosure in the text (its locale's and English), or None."""
    return _detect(text, _lexicons_for(locale, root), root)


def detect_all(text: str, *, root: Root = None) -> Disclosure | None:
    """Return the most serious disclosure in the text in any supported language, or None.

    Each lexicon runs once (``detect`` per locale would run English every time), and the
    language-independent part of the normalisation is shared.
    """
    return _detect(text, _supported(root), root)


def _detect(text: str, locales: Sequence[str], root: Root) -> Disclosure | None:
    if not text or not text.strip():
        return None
    base, base_index = _prepare(text)
    best: tuple[tuple[int, int, int], Disclosure] | None = None
    for loc in locales:
        lex = _lexicon(loc, root)
        norm, index = lex.folding.fold_mapped(base, base_index, lower=False)
        assert index is not None
        for hit in _hits(norm, lex):
            key = (int(hit.immediate), -_SEVERITY.index(hit.category), -hit.start)
            if best is None or key > best[0]:
                best = (key, Disclosure(hit.category, hit.immediate, _matched(text, index, hit)))
    return None if best is None else best[1]


def _matched(text: str, index: Sequence[int], hit: _Hit) -> str:
    """The original text behind a hit, with any combining marks that end its last letter."""
    start, end = index[hit.start], index[hit.end - 1] + 1
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    return text[start:end]


# ---------------------------------------------------------------------------------------------
# Matching


def _hits(norm: str, lex: _Lexicon) -> Iterator[_Hit]:
    # One look for combining marks per text: every pattern below then runs on the engine that
    # text needs (scripts.ScriptPattern), without looking again.
    marks = scripts.has_marks(norm)
    # Most triggers cannot match most messages: skip those whose literal needles are absent.
    # The benign idioms too: when they cannot match, there is nothing to blank out.
    found = lex.needles.present(norm)
    masked = norm
    if lex.benign is not None and satisfied(lex.benign_needs, found):
        masked = _mask(norm, lex.benign, marks)
        found = lex.needles.present(masked)
    sentences: list[tuple[int, int]] | None = None
    for trig in lex.triggers:
        if not satisfied(trig.needs, found):
            continue
        for m in trig.regex.on(marks).finditer(masked):
            start, end = m.span()
            if end <= start:
                continue
            if sentences is None:
                sentences = _spans(masked, lex.sentence_break.on(marks))
            s_start, s_end = _containing(sentences, start)
            s_start = min(s_start, start)
            if _guarded(trig, masked, s_start, s_end, marks):
                continue
            if trig.negatable and _negated(masked, s_start, start, lex, marks):
                continue
            cue = trig.immediate_cues and _near_cue(masked, start, end, lex, marks)
            if trig.needs_immediate_cue and not cue:
                continue
            yield _Hit(trig.category, trig.immediate or cue, start, end)


def _mask(text: str, benign: ScriptPattern | None, marks: bool) -> str:
    """Blank out benign spans with spaces, keeping every offset."""
    if benign is None:
        return text
    return benign.on(marks).sub(lambda m: " " * len(m.group(0)), text)


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


def _guarded(trig: _Trigger, text: str, s_start: int, s_end: int, marks: bool) -> bool:
    for guard in trig.guards:
        regex = guard.regex.on(marks)
        if guard.whole_message:
            if regex.search(text):
                return True
        elif regex.search(text, s_start, s_end):
            return True
    return False


def _negated(text: str, s_start: int, start: int, lex: _Lexicon, marks: bool) -> bool:
    """True if a negation cue is among the last few words before the hit, in the same clause."""
    if lex.negation is None or lex.negation_window <= 0:
        return False
    before = text[s_start:start]
    clause_start = 0
    for m in lex.clause_break.on(marks).finditer(before):
        clause_start = m.end()
    words = _WORD.on(marks).findall(before[clause_start:])[-lex.negation_window :]
    negation = lex.negation.on(marks)
    return any(negation.fullmatch(w) for w in words)


def _near_cue(text: str, start: int, end: int, lex: _Lexicon, marks: bool) -> bool:
    if lex.immediate_cue is None:
        return False
    lo = max(0, start - lex.immediate_window)
    hi = min(len(text), end + lex.immediate_window)
    return lex.immediate_cue.on(marks).search(text, lo, hi) is not None


# ---------------------------------------------------------------------------------------------
# Normalisation


def _prepare(text: str) -> tuple[str, list[int]]:
    """Lowercase, unify quotes, collapse whitespace; map each char back to ``text``.

    The part of the normalisation every lexicon shares; each then applies its own folding
    (NFC, letters, strip, rewrites, words).
    """
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
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return "".join(chars), index


# ---------------------------------------------------------------------------------------------
# Loading


def _content_dir(root: Root) -> Traversable:
    return resources.files("conversations") / "content" if root is None else root


@functools.cache
def _supported(root: Root = None) -> tuple[str, ...]:
    found = [
        d.name
        for d in _content_dir(root).iterdir()
        if d.is_dir() and (d / "safeguarding.toml").is_file() and _LOCALE_TAG.fullmatch(d.name)
    ]
    return tuple(sorted(found))


def _lexicons_for(locale: str, root: Root = None) -> tuple[str, ...]:
    """The lexicons to run: the locale's own (by primary language subtag), then English."""
    primary = re.split(r"[-_]", (locale or "").strip().lower(), maxsplit=1)[0]
    own = primary if primary in _supported(root) else _FALLBACK
    return tuple(dict.fromkeys((own, *_ALWAYS)))


@functools.cache
def _lexicon(locale: str, root: Root = None) -> _Lexicon:
    if locale not in _supported(root):
        raise ValueError(f"no safeguarding lexicon for locale {locale!r}")
    path = _content_dir(root) / locale / "safeguarding.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return _compile(data, locale)


def _compile(data: Mapping[str, Any], locale: str) -> _Lexicon:
    """Compile a parsed safeguarding.toml into a lexicon, failing loudly on schema errors."""
    macros: dict[str, str] = {str(k): str(v) for k, v in data.get("macros", {}).items()}

    def expand(src: str, where: str) -> str:
        expanded = _expand(src, macros, where)
        try:
            re.compile(expanded)
        except re.error as exc:
            raise ValueError(f"{locale}: bad regex in {where}: {exc}") from exc
        return expanded

    # strip, letters and rewrites as in language.toml; words are this file's own (below).
    norm = data.get("normalise", {})
    folding = parse_folding(
        {k: v for k, v in norm.items() if k != "words"}, f"{locale}: normalise", expand
    )

    def pattern(src: str, where: str) -> str:
        return folding.fold_pattern(expand(src, where))

    def compiled(src: str, where: str) -> ScriptPattern:
        try:
            return ScriptPattern(src)
        except re.error as exc:
            raise ValueError(f"{locale}: bad regex in {where}: {exc}") from exc

    def union(items: Sequence[str], where: str) -> ScriptPattern | None:
        parts = [pattern(p, where) for p in items]
        return compiled("|".join(f"(?:{p})" for p in parts), where) if parts else None

    words: dict[str, str] = {
        folding.fold_pattern(str(k).lower()): folding.fold_pattern(str(v))
        for k, v in norm.get("words", {}).items()
    }
    if words:
        # Whole words only: an apostrophe counts as part of the word, so "i'm" is not "i".
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        word_re = compiled(rf"(?<![\w'])(?:{alternation})(?![\w'])", "normalise.words")

        def word(m: re.Match[str]) -> str:
            return words[m.group(0)]

        folding = dataclasses.replace(folding, rewrites=(*folding.rewrites, (word_re, word)))

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
                needs=requirement(trigger_re.pattern),
            )
        )

    # The scripts' own punctuation always breaks sentences and clauses, whatever the locale:
    # a parent may mix languages in one message.
    sentence = pattern(seg.get("sentence_break", r"[.!?\n]+"), "sentence")
    clause = pattern(seg.get("clause_break", r"[,;:]"), "clause")
    benign = union(data.get("benign", {}).get("patterns", []), "benign")
    benign_needs = requirement(benign.pattern) if benign is not None else None
    return _Lexicon(
        folding=folding,
        benign=benign,
        benign_needs=benign_needs,
        sentence_break=compiled(f"(?:{sentence})|[{SENTENCE_PUNCTUATION}]+", "sentence"),
        clause_break=compiled(f"(?:{clause})|[{CLAUSE_PUNCTUATION}]", "clause"),
        negation=union(neg.get("cues", []), "negation"),
        negation_window=int(neg.get("window_words", 3)),
        immediate_cue=union(imm.get("cues", []), "immediate"),
        immediate_window=int(imm.get("window_chars", 60)),
        triggers=tuple(triggers),
        needles=NeedleIndex([benign_needs, *(t.needs for t in triggers)]),
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
