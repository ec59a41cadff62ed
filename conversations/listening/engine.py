"""The listening engine: reads a parent's narrative and builds the practitioner-style reflection.

Pure Python and deterministic: the same text, locale and child always give the same analysis.
All words and patterns come from the locale's content files (see content.py). Matching runs on
the text folded by the locale's [normalise] rules with script-safe word boundaries (scripts.py);
feeling words and values are given back exactly as the parent wrote them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from conversations.listening.content import (
    SUPPORTED_CONTENT_LOCALES,
    THEME_IDS,
    Content,
    Language,
    load_content,
    normalise,
    unify_apostrophes,
)
from conversations.listening.scripts import (
    SEMICOLONS,
    SENTENCE_PUNCTUATION,
    ScriptPattern,
    has_marks,
    original_span,
)

SafeguardingCheck = Callable[[str, str], bool]

# A theme is chosen only when it scores at least MIN_SCORE (one single-word signal) and clearly
# beats the runner-up: by at least MARGIN_ABSOLUTE points (most of one single-word signal) AND
# with the runner-up at most MARGIN_RATIO of the top score. So "shy and clingy" (1 vs 1) and
# 5 vs 4.5 are too close to call and the bot asks with buttons, while 4 vs 1 or 2 vs 0 are clear.
MIN_SCORE = 1.0
MARGIN_ABSOLUTE = 0.75
MARGIN_RATIO = 0.8

# Signal weights by number of words: phrases are much less ambiguous than single words.
_PHRASE_WEIGHTS = (1.0, 2.0, 2.5)
# A signal repeated in the same text adds this fraction of its weight each extra time.
_REPEAT_FACTOR = 0.5
# A negated signal ("she's not shy") keeps this fraction of its weight.
_NEGATED_FACTOR = 0.25
# Replies must fit comfortably on a phone screen.
MAX_REFLECTION_CHARS = 450

_WORD = ScriptPattern(r"[\w']+")
# Sentence ends and semicolons, in every script we serve (Arabic ؟ ؛, Urdu ۔, Bengali ।).
_BREAK_CHARS = f".!?;\\n{SENTENCE_PUNCTUATION}{SEMICOLONS}"
_SENTENCE_BREAK = ScriptPattern(f"[{_BREAK_CHARS}]")
_TOKEN_OR_BREAK = ScriptPattern(f"[\\w']+|[{_BREAK_CHARS}]")
_THEME_ORDER = {theme_id: index for index, theme_id in enumerate(THEME_IDS)}

About = Literal["child", "unknown", "parent", "other"]
_ABOUT_RANK: dict[About, int] = {"child": 0, "unknown": 1, "parent": 2, "other": 3}


@dataclass(frozen=True)
class ThemeScore:
    """How strongly one theme is signalled in a text."""

    id: str
    score: float


@dataclass(frozen=True)
class Analysis:
    """What the engine heard in one narrative, plus the reflection reply."""

    theme: str | None
    themes: tuple[ThemeScore, ...]
    feelings: tuple[str, ...]
    safeguarding: bool
    affirmation: str | None
    reflection: str
    # The feeling word the reflection gave back about the child (never a comfortable one like
    # "happy", never the parent's own): the reframe quotes the same word.
    child_feeling: str | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON shape used by ``imm-bot analyse``."""
        return {
            "theme": self.theme,
            "themes": [{"id": t.id, "score": t.score} for t in self.themes],
            "feelings": list(self.feelings),
            "safeguarding": self.safeguarding,
            "reflection": self.reflection,
        }


@dataclass(frozen=True)
class _Feeling:
    word: str  # exactly as the parent wrote it
    key: str  # folded, for comparing and de-duplicating
    about: About
    position: int
    positive: bool


def analyse(
    text: str,
    locale: str = "en",
    child: str | None = None,
    *,
    safeguarding: SafeguardingCheck | None = None,
    content: Content | None = None,
) -> Analysis:
    """Analyse a parent's narrative: theme, feeling words, affirmation, safeguarding, reflection.

    ``content`` overrides the locale's own (tests, tools); ``locale`` still goes to safeguarding.
    """
    if content is None:
        content = load_content(content_locale(locale))
    language = content.language
    scores = score_themes(content, text)
    theme = pick_theme(scores)
    found = _find_feelings(language, text, child)
    value = _find_value(language, text, child)
    reflection = _reflect(content, text, child, theme, bool(scores), found, value)
    check = safeguarding if safeguarding is not None else _default_safeguarding()
    return Analysis(
        theme=theme,
        themes=scores,
        feelings=tuple(f.word for f in found),
        safeguarding=bool(check(text, locale)),
        affirmation=value[0] if value else None,
        reflection=reflection,
        child_feeling=next(
            (f.word for f in found if not f.positive and f.about in ("child", "unknown")), None
        ),
    )


def content_locale(locale: str) -> str:
    """The content locale to use for a requested one: exact, then base language, then English."""
    if locale in SUPPORTED_CONTENT_LOCALES:
        return locale
    base = re.split(r"[-_]", locale, maxsplit=1)[0].lower()
    return base if base in SUPPORTED_CONTENT_LOCALES else "en"


# --- themes -------------------------------------------------------------------------------------


def score_themes(content: Content, text: str) -> tuple[ThemeScore, ...]:
    """Score every theme by its signals in the text; themes with a score > 0, best first."""
    language = content.language
    normalised = language.folding.fold(normalise(text))
    marks = has_marks(normalised)
    negated = _negated_starts(normalised, language.negators, language.negation_window)
    results: list[ThemeScore] = []
    for theme in content.themes:
        score = 0.0
        seen: set[str] = set()
        for match in theme.pattern.on(marks).finditer(normalised):
            phrase = match.group(0)
            weight = _PHRASE_WEIGHTS[min(phrase.count(" "), len(_PHRASE_WEIGHTS) - 1)]
            if phrase in seen:
                weight *= _REPEAT_FACTOR
            seen.add(phrase)
            if match.start() in negated:
                weight *= _NEGATED_FACTOR
            score += weight
        if score > 0:
            results.append(ThemeScore(theme.id, round(score, 3)))
    return tuple(sorted(results, key=lambda s: (-s.score, _THEME_ORDER.get(s.id, len(THEME_IDS)))))


def pick_theme(scores: tuple[ThemeScore, ...]) -> str | None:
    """The best theme if it is strong enough and clearly ahead of the runner-up, else None."""
    if not scores or scores[0].score < MIN_SCORE:
        return None
    top = scores[0].score
    second = scores[1].score if len(scores) > 1 else 0.0
    if top - second < MARGIN_ABSOLUTE or second > top * MARGIN_RATIO:
        return None
    return scores[0].id


def _negated_starts(text: str, negators: frozenset[str], window: int) -> set[int]:
    """Offsets of the words that follow a negator closely enough to be negated by it."""
    starts: set[int] = set()
    remaining = 0
    for token in _TOKEN_OR_BREAK.finditer(text):
        word = token.group(0)
        if _SENTENCE_BREAK.fullmatch(word):
            remaining = 0
            continue
        if remaining:
            starts.add(token.start())
            remaining -= 1
        if word.replace("'", "") in negators:
            remaining = window
    return starts


# --- feelings -----------------------------------------------------------------------------------


def _find_feelings(language: Language, text: str, child: str | None) -> list[_Feeling]:
    """Feeling words in the text, as written, matched on the folded text; best first."""
    folding = language.folding
    names = set(_WORD.findall(folding.fold(unify_apostrophes(child)))) if child else set()
    folded, index = folding.fold_mapped(text)
    found: list[_Feeling] = []
    for match in language.feeling_pattern.finditer(folded):
        about = _about(language, folded, match.start(), names)
        if about is None:
            continue
        start, end = original_span(index, match.start(), match.end(), len(text))
        key = " ".join(unify_apostrophes(match.group(0)).split())
        is_positive = key in language.positive_feelings
        found.append(_Feeling(text[start:end], key, about, match.start(), is_positive))
    found.sort(key=lambda f: (_ABOUT_RANK[f.about], f.positive, f.position))
    result: list[_Feeling] = []
    seen: set[str] = set()
    for feeling in found:
        if feeling.key not in seen:
            seen.add(feeling.key)
            result.append(feeling)
    return result


def _about(language: Language, folded: str, start: int, names: set[str]) -> About | None:
    """Who a feeling word describes, judged from the words before it; None if it is negated."""
    sentence = _SENTENCE_BREAK.split(unify_apostrophes(folded[max(0, start - 200) : start]))[-1]
    words = _WORD.findall(sentence)[-language.subject_window :]
    for distance, word in enumerate(reversed(words), start=1):
        bare = word.replace("'", "")
        if distance <= language.negation_window and bare in language.feeling_negators:
            return None
        head = word.split("'", 1)[0]
        if head in names or bare in names:
            return "child"
        if head in language.parent_markers or bare in language.parent_markers:
            return "parent"
        if head in language.child_markers or bare in language.child_markers:
            return "child"
        if distance <= language.other_window and bare in language.other_markers:
            return "other"
    return "unknown"


# --- affirmation --------------------------------------------------------------------------------


def _find_value(language: Language, text: str, child: str | None) -> tuple[str, str] | None:
    """The first usable value the parent expressed, flipped to address them, and its kind."""
    plain = unify_apostrophes(" ".join(text.split()))
    folded, index = language.folding.fold_mapped(plain)
    marks = has_marks(folded)
    for pattern in language.value_patterns:
        for match in pattern.regex.on(marks).finditer(folded):
            start, end = match.span("value")
            if end > start:
                start, end = original_span(index, start, end, len(plain))
                value = plain[start:end].strip()
            else:
                value = ""
            if len(value) > language.max_value_chars or language.value_reject.search(
                match.group("value") or ""
            ):
                continue
            flipped = _flip(language, value)
            return _lower_first(flipped, child), pattern.kind
    return None


def _flip(language: Language, value: str) -> str:
    """Swap the parent's pronouns for ones addressing them; the rest stays as written."""
    flips = language.pronoun_flips
    folded, index = language.folding.fold_mapped(value)
    parts: list[str] = []
    pos = 0
    for match in language.flip_pattern.finditer(folded):
        start, end = original_span(index, match.start(), match.end(), len(value))
        parts.append(value[pos:start])
        parts.append(flips[" ".join(match.group(0).split())])
        pos = end
    parts.append(value[pos:])
    return "".join(parts)


def _lower_first(value: str, child: str | None) -> str:
    # The value goes mid-sentence: "Being kind is..." -> "being kind is...", but keep names.
    first = value.split(" ", 1)[0].split("'", 1)[0]
    if child and first.casefold() in {n.casefold() for n in child.split()}:
        return value
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return value[0].lower() + value[1:]
    return value


# --- reflection ---------------------------------------------------------------------------------


def _reflect(
    content: Content,
    text: str,
    child: str | None,
    theme: str | None,
    any_signal: bool,
    feelings: list[_Feeling],
    value: tuple[str, str] | None,
) -> str:
    """Affirm, validate, give back the feeling word, ask for the picture (booklet step 2)."""
    language = content.language
    seed = hashlib.blake2b(
        f"{content.locale}\0{child or ''}\0{' '.join(text.split())}".encode(), digest_size=16
    ).digest()

    def choose(options: tuple[str, ...], slot: int) -> str:
        return options[int.from_bytes(seed[slot * 4 : slot * 4 + 4], "big") % len(options)]

    if value is not None:
        templates = language.affirmation_templates[value[1]]
        affirmation = content.fill(choose(templates, 0), child, value=value[0])
    else:
        affirmation = content.fill(choose(language.generic_affirmations, 0), child)

    theme_content = content.theme(theme) if theme else None
    validations = theme_content.reflections if theme_content else language.validations
    validation = content.fill(choose(validations, 1), child)

    quote = ""
    concern = next((f for f in feelings if not f.positive), None)
    if concern is not None and concern.about in ("child", "unknown"):
        quote = content.fill(choose(language.feeling_quotes, 2), child, concern.word)
    elif concern is not None and concern.about == "parent":
        quote = content.fill(choose(language.parent_feeling_quotes, 2), child, concern.word)

    if not any_signal and not feelings:
        # Nothing points to a concern yet: keep it short and invite the parent to say more.
        return f"{affirmation} {content.fill(choose(language.open_questions, 3), child)}"

    pictures = theme_content.pictures if theme_content else language.pictures
    picture = content.fill(choose(pictures, 3), child)

    parts = [affirmation, validation, quote, picture]
    reply = " ".join(p for p in parts if p)
    if len(reply) > MAX_REFLECTION_CHARS:
        reply = " ".join(p for p in (affirmation, quote, picture) if p)
    if len(reply) > MAX_REFLECTION_CHARS:
        generic = content.fill(choose(language.generic_affirmations, 0), child)
        reply = " ".join(p for p in (generic, quote, picture) if p)
    return reply


# --- safeguarding hook --------------------------------------------------------------------------


def _never(_text: str, _locale: str) -> bool:
    return False


@functools.cache
def _default_safeguarding() -> SafeguardingCheck:
    """The shared disclosure detector, or a no-op while that module does not exist yet."""
    name = "conversations.listening.safeguarding"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return _never
    return cast(SafeguardingCheck, module.is_disclosure)
