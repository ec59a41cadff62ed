"""Script-safe matching: words, boundaries and normalisation that work in every script we serve.

Python's ``re`` counts letters, digits and ``_`` as word characters, but not combining marks
(Unicode categories Mn, Mc, Me): Bengali vowel signs and virama, Arabic harakat. So ``\\w+``
splits ``বাংলা`` into ``ব`` and ``ল``, and ``\\b`` fires inside the word and not at its end. Here a
word character is a letter, a digit, ``_``, a combining mark or a zero-width (non-)joiner (used
inside Bengali and Urdu words): Unicode's own definition (UTS #18), which the third-party
``regex`` module implements for ``\\w``, ``\\W``, ``\\b`` and ``\\B``.

``ScriptPattern`` compiles a pattern (ours, or a translator's from a TOML file, written with the
usual ``\\w`` and ``\\b``) twice: with ``re`` and with ``regex``. On a string without combining
marks or joiners the two agree on every letter, digit, space and punctuation mark (they differ
only on a few symbols such as ``²`` and ``Ⓐ``, where ``re``'s view is kept), so the faster,
long-tested ``re`` one runs: English, Polish, Spanish, Romanian, and Urdu and Arabic typed
without harakat take exactly the path they took before. A string with marks (Bengali always;
Arabic harakat where a lexicon does not strip them) gets the Unicode one. Patterns without those
four escapes are compiled once: marks cannot change what they match. tests/test_scripts.py
checks that the two give identical results on the whole English corpus.

``Folding`` is a locale's normalisation for matching: lowercase, Unicode NFC, variation
selectors dropped, then the locale's data-driven rules from the ``[normalise]`` table of its
TOML files (``strip``, ``letters``, ``rewrite``; see the top of content/en/language.toml). It
keeps a map from every folded character back to the original, so what the parent wrote can be
given back exactly.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import regex as _regex  # type: ignore[import-untyped]  # no type hints; typed by ScriptPattern

__all__ = [
    "CLAUSE_PUNCTUATION",
    "SENTENCE_PUNCTUATION",
    "Folding",
    "ScriptPattern",
    "has_marks",
    "original_span",
    "sub_mapped",
    "trie_alternation",
]

# Punctuation of the scripts we serve, added to every segmenter (as \u escapes, to read well in
# a character class): Arabic question mark, Urdu full stop, Bengali danda and double danda;
# Arabic semicolon. And the Arabic comma, a clause break like ",".
SENTENCE_PUNCTUATION = "\\u061f\\u06d4\\u0964\\u0965"
SEMICOLONS = "\\u061b"
CLAUSE_PUNCTUATION = "\\u060c" + SEMICOLONS


# --- combining marks -----------------------------------------------------------------------------


def _mark_class() -> str:
    """The BMP combining marks (Mn, Mc, Me) and the two joiners, as a regex character class."""
    # ~10 ms once. Marks beyond the BMP (historic scripts, a few modern ones such as Chakma) are
    # found by has_marks() through unicodedata: a class with ranges past U+FFFF makes re scan
    # them one by one for every character.
    category = unicodedata.category
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    body = "".join(f"\\u{lo:04x}" + (f"-\\u{hi:04x}" if hi > lo else "") for lo, hi in ranges)
    return f"[{body}\\u200c\\u200d]"


_BMP_MARK = re.compile(_mark_class())
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_FIRST_MARK = "\u0300"
_FIRST_ASTRAL = "\U00010000"


def has_marks(text: str) -> bool:
    """Whether ``text`` holds a combining mark or a zero-width (non-)joiner."""
    if text.isascii():
        return False
    top = max(text)
    if top < _FIRST_MARK:  # Latin-1 and Latin Extended: Polish, Romanian, Spanish, ...
        return False
    if _BMP_MARK.search(text) is not None:
        return True
    return top >= _FIRST_ASTRAL and any(
        unicodedata.category(char).startswith("M") for char in _ASTRAL.findall(text)
    )


# --- patterns ------------------------------------------------------------------------------------

# An escape that depends on what a word character is: \w \W \b \B after an even run of backslashes.
_WORD_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[wWbB]")


class ScriptPattern:
    r"""A regex whose ``\w \W \b \B`` count combining marks as letters, fast where there are none.

    Use it like an ``re.Pattern``: each call picks the engine for the string it is given (or pick
    once per text with ``on(has_marks(text))`` in a loop). Raises ``re.error`` for a pattern that
    either engine rejects.
    """

    __slots__ = ("flags", "groupindex", "native", "pattern", "unicode")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self.native: re.Pattern[str] = re.compile(pattern, flags)
        self.groupindex: Mapping[str, int] = self.native.groupindex
        self.unicode: re.Pattern[str] = self.native
        if _WORD_ESCAPE.search(pattern):
            try:
                compiled = _regex.compile(pattern, flags | _regex.VERSION0)
            except _regex.error as exc:
                raise re.error(str(exc), pattern) from exc
            # regex's Pattern and Match have re's interface (VERSION0 is re-compatible).
            self.unicode = cast("re.Pattern[str]", compiled)

    def __repr__(self) -> str:
        return f"ScriptPattern({self.pattern!r}, {self.flags})"

    def on(self, marks: bool) -> re.Pattern[str]:
        """The compiled pattern for a string with (True) or without (False) combining marks."""
        return self.unicode if marks else self.native

    def _for(self, string: str) -> re.Pattern[str]:
        if self.unicode is not self.native and has_marks(string):
            return self.unicode
        return self.native

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like ``re.Pattern.search``."""
        return self._for(string).search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like ``re.Pattern.match``."""
        return self._for(string).match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        """Like ``re.Pattern.fullmatch``."""
        return self._for(string).fullmatch(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        """Like ``re.Pattern.finditer``."""
        return self._for(string).finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        """Like ``re.Pattern.findall``."""
        return self._for(string).findall(string, pos, endpos)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        """Like ``re.Pattern.split``."""
        return self._for(string).split(string, maxsplit)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        """Like ``re.Pattern.sub``."""
        return self._for(string).sub(repl, string, count)


# --- folding -------------------------------------------------------------------------------------

Replacer = Callable[[re.Match[str]], str]
# Variation selectors style emoji (❤️ is U+2764 U+FE0F); they are marks but never part of a word.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")


def _drop(_match: re.Match[str]) -> str:
    return ""


@dataclass(frozen=True)
class Folding:
    """A locale's normalisation for matching, with a map back to the original text.

    In order: lowercase; Unicode NFC (a vowel sign typed as two code points matches the single
    one); variation selectors dropped; ``letters`` (each variant character becomes its target,
    keeping every offset); ``strip`` (every match deleted: optional diacritics such as Arabic
    harakat); ``rewrites`` (regex, replacement), in order. Patterns from the content files get
    the same NFC, ``letters`` and ``strip`` on their literal characters (``fold_pattern``), so a
    translator can write them with or without harakat.
    """

    letters: Mapping[int, str] = field(default_factory=dict)
    strip: ScriptPattern | None = None
    rewrites: tuple[tuple[ScriptPattern, Replacer], ...] = ()

    @property
    def is_plain(self) -> bool:
        """True when the locale has no rules of its own."""
        return not self.letters and self.strip is None and not self.rewrites

    def fold(self, text: str) -> str:
        """The folded text (for words and phrases from the content files)."""
        return self.fold_mapped(text)[0]

    def fold_mapped(
        self, text: str, index: list[int] | None = None, *, lower: bool = True
    ) -> tuple[str, list[int] | None]:
        """The folded text and, for each of its characters, its offset in the original.

        ``index`` maps ``text`` itself to an earlier original (None: the identity). The map
        returned is None when every offset was kept, as for most English text.
        """
        folded = text
        if lower:
            folded = text.lower()
            if len(folded) != len(text):  # "İ" lowercases to two characters
                folded, index = _lower_mapped(text, index)
        if not folded.isascii():
            if not unicodedata.is_normalized("NFC", folded):
                folded, index = _nfc_mapped(folded, index)
            folded, index = sub_mapped(_VARIATION_SELECTORS, _drop, folded, index)
        if self.letters:
            folded = folded.translate(self.letters)
        if self.strip is not None:
            folded, index = sub_mapped(self.strip, _drop, folded, index)
        for regex, repl in self.rewrites:
            folded, index = sub_mapped(regex, repl, folded, index)
        return folded, index

    def fold_pattern(self, pattern: str) -> str:
        """NFC, ``letters`` and ``strip`` on a regex's literal characters (escapes untouched)."""
        if self.is_plain and (pattern.isascii() or unicodedata.is_normalized("NFC", pattern)):
            return pattern
        out: list[str] = []
        i = 0
        while i < len(pattern):
            if pattern[i] == "\\":
                out.append(pattern[i : i + 2])
                i += 2
                continue
            start = i
            while i < len(pattern) and pattern[i] != "\\":
                i += 1
            chunk = unicodedata.normalize("NFC", pattern[start:i]).translate(self.letters)
            if self.strip is not None:
                chunk = self.strip.sub("", chunk)
            out.append(chunk)
        return "".join(out)


def original_span(
    index: Sequence[int] | None, start: int, end: int, original_length: int
) -> tuple[int, int]:
    """The span of the original text behind ``folded[start:end]`` (``end > start``).

    It runs up to the origin of the next folded character, so characters deleted right after the
    match (a word's final haraka) belong to it.
    """
    if index is None:
        return start, end
    return index[start], index[end] if end < len(index) else original_length


def _lower_mapped(text: str, index: Sequence[int] | None) -> tuple[str, list[int]]:
    chars: list[str] = []
    out: list[int] = []
    for offset, char in enumerate(text):
        low = char.lower()
        chars.append(low)
        out.extend([index[offset] if index is not None else offset] * len(low))
    return "".join(chars), out


def _nfc_mapped(text: str, index: Sequence[int] | None) -> tuple[str, list[int]]:
    """NFC one cluster (a character and the marks after it) at a time, keeping a map."""
    # NFC only ever composes a character with the marks that follow it, so clusters are
    # independent; each output character maps to its cluster's own characters, in order.
    chars: list[str] = []
    out: list[int] = []
    start = 0
    for pos in range(1, len(text) + 1):
        if pos < len(text) and unicodedata.category(text[pos]).startswith("M"):
            continue
        cluster = text[start:pos]
        normal = unicodedata.normalize("NFC", cluster) if len(cluster) > 1 else cluster
        origins = [index[k] if index is not None else k for k in range(start, pos)]
        chars.append(normal)
        out.extend(origins[min(k, len(origins) - 1)] for k in range(len(normal)))
        start = pos
    return "".join(chars), out


def _align(old: str, new: str, old_index: Sequence[int]) -> list[int]:
    """Map each char of ``new`` to an original offset: shared prefix and suffix map one to one."""
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


def sub_mapped(
    pattern: ScriptPattern | re.Pattern[str],
    repl: Replacer,
    text: str,
    index: list[int] | None,
) -> tuple[str, list[int] | None]:
    """Like ``pattern.sub``, also mapping each output char to an original offset via ``index``.

    ``index`` None is the identity, and stays None when nothing was replaced.
    """
    out: list[str] = []
    out_index: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        if end <= start:
            continue
        if index is None:
            index = list(range(len(text)))
        new = repl(m)
        out.append(text[pos:start])
        out_index.extend(index[pos:start])
        out.append(new)
        out_index.extend(_align(m.group(0), new, index[start:end]))
        pos = end
    if pos == 0:
        return text, index
    assert index is not None
    out.append(text[pos:])
    out_index.extend(index[pos:])
    return "".join(out), out_index


def expand_replacer(template: str) -> Replacer:
    """A replacement function expanding ``\\1``-style references in ``template``."""

    def replace(m: re.Match[str]) -> str:
        return m.expand(template)

    return replace


def parse_folding(raw: Any, where: str, expand: Callable[[str, str], str] | None = None) -> Folding:
    """Build a Folding from a TOML ``[normalise]`` table (``strip``, ``letters``, ``rewrite``).

    ``expand(pattern, where)`` preprocesses each rewrite pattern (safeguarding's macros). Keys
    other than these three are left to the caller (safeguarding.toml also has ``words``).
    ValueError, naming ``where``, for anything malformed.
    """
    if raw is None:
        return Folding()
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a table")
    unknown = sorted(set(raw) - {"strip", "letters", "rewrite"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (known: strip, letters, rewrite)")
    letters: dict[int, str] = {}
    letters_raw = raw.get("letters", {})
    if not isinstance(letters_raw, Mapping):
        raise ValueError(f'{where}.letters: expected a table of "variants" = "letter"')
    for variants, target in letters_raw.items():
        letter = unicodedata.normalize("NFC", target.lower()) if isinstance(target, str) else ""
        if len(letter) != 1 or not variants:
            raise ValueError(f"{where}.letters: {variants!r} must map to exactly one character")
        for char in unicodedata.normalize("NFC", str(variants).lower()):
            letters[ord(char)] = letter
    strip: ScriptPattern | None = None
    strip_raw = raw.get("strip")
    if strip_raw is not None:
        if not isinstance(strip_raw, str) or not strip_raw:
            raise ValueError(f"{where}.strip: expected a regex (a character class)")
        strip = _script_pattern(strip_raw, f"{where}.strip")
        if strip.native.search("") is not None:
            raise ValueError(f"{where}.strip: must not match the empty string")
    partial = Folding(letters=letters, strip=strip)
    rewrites: list[tuple[ScriptPattern, Replacer]] = []
    rules = raw.get("rewrite", [])
    if not isinstance(rules, list):
        raise ValueError(f"{where}.rewrite: expected an array of tables")
    for i, rule in enumerate(rules):
        rwhere = f"{where}.rewrite[{i}]"
        if not isinstance(rule, Mapping) or not isinstance(rule.get("pattern"), str):
            raise ValueError(f"{rwhere}: expected pattern = '...' and replace = '...'")
        replace = rule.get("replace", "")
        if not isinstance(replace, str):
            raise ValueError(f"{rwhere}.replace: expected a string")
        source = expand(rule["pattern"], rwhere) if expand else rule["pattern"]
        regex = _script_pattern(partial.fold_pattern(source), f"{rwhere}.pattern")
        # Replacements go into folded text: same letters and strip, escapes (\1) untouched.
        rewrites.append((regex, expand_replacer(partial.fold_pattern(replace))))
    return Folding(letters=letters, strip=strip, rewrites=tuple(rewrites))


def _script_pattern(pattern: str, where: str, flags: int = 0) -> ScriptPattern:
    try:
        return ScriptPattern(pattern, flags)
    except re.error as exc:
        raise ValueError(f"{where}: invalid regex {pattern!r}: {exc}") from exc


# --- tries -------------------------------------------------------------------------------------


def trie_alternation(units: Iterable[Sequence[str]]) -> str:
    """An alternation of entries (each a list of regex pieces), shaped as a trie.

    Same matches as an alternation of all entries, longest first, but each position only tries
    the branches sharing its first piece (about twice as fast on the theme signals). At each node
    continuations are tried before stopping, so the longest entry wins, and a word wildcard
    piece (``\\w*``) after literal continuations.
    """
    root: dict[str, Any] = {}
    for entry in units:
        node = root
        for piece in entry:
            node = node.setdefault(piece, {})
        node[""] = {}
    return _trie_regex(root)


def _trie_regex(node: Mapping[str, Any]) -> str:
    branches = [
        piece + _trie_regex(child)
        for piece, child in sorted(node.items(), key=lambda kv: (kv[0] == r"\w*", kv[0]))
        if piece
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # an entry ends here
        return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
    return body
