"""Literal prefilters: skip a regex when the text lacks the words every match would contain.

Python's ``re`` tries a pattern that starts with ``\\b`` or a group at every position of the text,
so fifty safeguarding triggers cost about 1.7 ms on a 50-word message although nearly all of them
find nothing. ``requirement(pattern)`` reads the pattern's syntax tree and returns what every
match must contain, as literal strings: one or more *clauses* (any one may hold), each a few
*needle sets* (each must have a needle in the text). ``NeedleIndex`` finds, in one scan, which of
a lexicon's needles a text contains; a trigger whose requirement is not met cannot match, and its
regex is not run.

The derivation is conservative by construction: each node is either *exact* (the finite set of
strings it can match: literals, small character classes, alternations of those, optional and
short counted repeats) or reduced to a requirement; anything else (``\\w``, ``.``,
case-insensitive groups, back-references) requires nothing. Zero-width nodes (``\\b``,
look-arounds) match only the empty string. tests/test_prefilter.py checks the rule on generated
matches of every trigger of every lexicon.

It uses ``re._parser``, the standard library's own regex parser (private, but it is the parser
``re.compile`` itself runs). Should it ever fail, a pattern gets no requirement: slower, never
wrong.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from conversations.listening.scripts import trie_alternation

__all__ = ["NeedleIndex", "Requirement", "requirement", "satisfied"]

Strings = frozenset[str]
# Every set must have a needle in the text.
Clause = tuple[Strings, ...]
# At least one clause must hold. None (not an empty tuple) means "no requirement".
Clauses = tuple[Clause, ...]

# The most strings an exact set may hold before it is reduced to a requirement.
_CAP = 256
# The widest character range expanded into single characters.
_RANGE = 16
# The most clauses a requirement keeps before they are merged into one (weaker) clause.
_CLAUSES = 64
# Needles shorter than this are dropped from a clause: one letter or a space is in every text.
_SHORTEST = 2

try:
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - a future Python without the private parser
    _parser = None
    _c = None

_EMPTY: Strings = frozenset({""})


@dataclass(frozen=True)
class Requirement:
    """What every match of a pattern contains: at least one clause holds."""

    clauses: Clauses
    # gates[k]: the k-th set of every clause, united (k below the shortest clause's length).
    # A clause that holds has a needle in each, so a text missing any gate is rejected with
    # one C-level look per gate: most texts never reach the clauses.
    gates: tuple[Strings, ...]

    def admits(self, found: frozenset[str]) -> bool:
        """Whether the needles found in a text meet the requirement."""
        for gate in self.gates:
            if gate.isdisjoint(found):
                return False
        return any(all(not s.isdisjoint(found) for s in clause) for clause in self.clauses)


def requirement(pattern: str, flags: int = 0) -> Requirement | None:
    """What every match of ``pattern`` contains, as clauses of needle sets; None if nothing."""
    if _parser is None or flags & re.IGNORECASE:
        return None
    try:
        tree = _parser.parse(pattern, flags)
        if tree.state.flags & re.IGNORECASE:
            return None
        req = _as_requirement(_sequence(list(tree)))
    except Exception:  # any surprise in a private API means "no prefilter"
        return None
    if req is None:
        return None
    # The rarest-looking set first: most clauses then fail on their first look.
    clauses = tuple(tuple(sorted(c, key=_strength, reverse=True)) for c in req)
    depth = min(len(c) for c in clauses)
    gates = tuple(frozenset().union(*(c[k] for c in clauses)) for k in range(depth))
    return Requirement(clauses, gates)


def satisfied(req: Requirement | None, found: frozenset[str]) -> bool:
    """Whether the needles found in a text meet the requirement (always, when there is none)."""
    return req is None or req.admits(found)


class NeedleIndex:
    """Finds which of a fixed set of needles occur in a text, with one regex scan."""

    def __init__(self, requirements: Iterable[Requirement | None]) -> None:
        needles = {
            n for req in requirements if req for clause in req.clauses for s in clause for n in s
        }
        # The scan reports the longest needle starting at each position; the shorter ones that
        # start there are its prefixes.
        self._prefixes: Mapping[str, frozenset[str]] = {
            n: frozenset(n[:i] for i in range(1, len(n) + 1) if n[:i] in needles) for n in needles
        }
        trie = trie_alternation([re.escape(char) for char in n] for n in needles)
        self._scan = re.compile("(?=(" + trie + "))", re.DOTALL) if needles else None

    def present(self, text: str) -> frozenset[str]:
        """The needles that occur in ``text``."""
        if self._scan is None:
            return frozenset()
        longest = {m.group(1) for m in self._scan.finditer(text)}
        return frozenset().union(*(self._prefixes[n] for n in longest))


# --- the analysis ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Info:
    """What is known of the strings a node matches."""

    exact: Strings | None = None  # all of them, when that is a small finite set
    req: Clauses | None = None  # what every one contains
    head: Strings = _EMPTY  # every one starts with one of these
    tail: Strings = _EMPTY  # every one ends with one of these


_ANYTHING = _Info()


def _exactly(strings: Strings) -> _Info:
    return _Info(exact=strings, head=strings, tail=strings)


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        return _exactly(frozenset({chr(av)}))
    if op is _c.IN:
        chars = _chars(av)
        return _ANYTHING if chars is None else _exactly(chars)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _exactly(_EMPTY)
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return _ANYTHING if add_flags & re.IGNORECASE else _sequence(list(body))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        return _branch([_sequence(list(b)) for b in av[1]])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, body = av
        inner = _sequence(list(body))
        if inner.exact is not None and high is not _c.MAXREPEAT and high <= 3:
            repeated = _repeat(inner.exact, low, high)
            if repeated is not None:
                return _exactly(repeated)
        if low >= 1:  # at least one copy of the body: its start, end and contents
            return _Info(req=_as_requirement(inner), head=inner.head, tail=inner.tail)
        return _ANYTHING
    # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS...: could be anything.
    return _ANYTHING


def _chars(items: Iterable[tuple[Any, Any]]) -> Strings | None:
    """The characters a class matches, when it is a small set of literals and ranges."""
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range
            return None
    return frozenset(chars) if chars else None


def _product(left: Strings, right: Strings) -> Strings | None:
    """Every concatenation of a left and a right string; None if there would be too many."""
    if len(left) * len(right) > _CAP:
        return None
    return frozenset(a + b for a in left for b in right)


def _repeat(exact: Strings, low: int, high: int) -> Strings | None:
    result: set[str] = set()
    power: Strings | None = _EMPTY
    for count in range(high + 1):
        assert power is not None
        if count >= low:
            result |= power
        if count < high:
            power = _product(power, exact)
            if power is None:
                return None
    return frozenset(result) if len(result) <= _CAP else None


def _useful(needles: Strings) -> Strings | None:
    """The set as a needle set, or None if one of its strings is too short to tell anything."""
    return needles if needles and min(len(n) for n in needles) >= _SHORTEST else None


def _as_requirement(info: _Info) -> Clauses | None:
    if info.exact is None:
        return info.req
    useful = _useful(info.exact)
    return ((useful,),) if useful else None


def _strength(needles: Strings) -> tuple[int, int]:
    """Longer needles are rarer; fewer of them cost less to hold."""
    return min(len(n) for n in needles), -len(needles)


def _flatten(req: Clauses) -> Clause:
    """One clause implied by every clause of ``req``.

    The sets every clause shares, and the union of each clause's strongest other set.
    """
    shared = frozenset(req[0]).intersection(*req[1:])
    rest = [[s for s in clause if s not in shared] for clause in req]
    if all(rest):
        return (*shared, frozenset().union(*(max(r, key=_strength) for r in rest)))
    return tuple(shared)


def _branch(branches: list[_Info]) -> _Info:
    exacts = [b.exact for b in branches]
    if all(e is not None for e in exacts):
        union = frozenset().union(*(e for e in exacts if e is not None))
        if len(union) <= _CAP:
            return _exactly(union)
    heads = frozenset().union(*(b.head for b in branches))
    tails = frozenset().union(*(b.tail for b in branches))
    head = heads if len(heads) <= _CAP else _EMPTY
    tail = tails if len(tails) <= _CAP else _EMPTY
    reqs = [_as_requirement(b) for b in branches]
    if any(r is None for r in reqs):
        return _Info(head=head, tail=tail)
    parts = [r for r in reqs if r is not None]
    if sum(len(r) for r in parts) > _CLAUSES:
        parts = [(_flatten(r),) for r in parts]
    if len(parts) > _CLAUSES:
        parts = [(_flatten(tuple(c for r in parts for c in r)),)]
    clauses = tuple(c for r in parts for c in r)
    return _Info(req=None if any(not c for c in clauses) else clauses, head=head, tail=tail)


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    """A concatenation: runs of exact nodes multiply, and each run becomes a needle set."""
    infos = [_node(op, av) for op, av in items]
    run: Strings | None = _EMPTY
    for info in infos:
        run = None if run is None or info.exact is None else _product(run, info.exact)
    if run is not None:
        return _exactly(run)

    sets: list[Strings] = []
    choices: list[Clauses] = []  # parts that are themselves a choice of clauses
    head: Strings | None = None
    run = _EMPTY

    def close(strings: Strings) -> None:
        useful = _useful(strings)
        if useful:
            sets.append(useful)

    for info in infos:
        if info.exact is not None:
            product = _product(run, info.exact)
            if product is None:
                close(run)
                head = run if head is None else head
                product = info.exact
            run = product
            continue
        joined = _product(run, info.head) or run  # the run then the start of this node
        close(joined)
        head = joined if head is None else head
        if info.req is not None and len(info.req) == 1:
            sets.extend(info.req[0])
        elif info.req is not None:
            choices.append(info.req)
        run = info.tail
    close(run)
    clauses: list[Clause] = [tuple(sets)]
    for choice in choices:  # AND with a choice: distribute, or take it as one set when too big
        if len(clauses) * len(choice) <= _CLAUSES:
            clauses = [c + a for c in clauses for a in choice]
        else:
            flat = _flatten(choice)
            clauses = [c + flat for c in clauses]
    req = None if any(not c for c in clauses) else tuple(clauses)
    return _Info(req=req, head=_EMPTY if head is None else head, tail=run)
