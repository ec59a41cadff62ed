"""Translation catalogs: the template matches the code; every language is complete and safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
PO_FILES = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]")
TAG = re.compile(r"</?[a-z]+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def _template() -> Catalog:
    with (LOCALES / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _code_msgids() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for folder in ("bot", "conversations"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")]
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def _ids(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def test_template_is_up_to_date_with_the_code() -> None:
    in_template = {_ids(m) for m in _template() if m.id}
    in_code = _code_msgids()
    assert in_code - in_template == set(), "run `make pot`: strings missing from messages.pot"
    assert in_template - in_code == set(), "run `make pot`: stale strings in messages.pot"


def _strings(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_safe(po: Path) -> None:
    lang = po.parent.parent.name
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    template_ids = {_ids(m) for m in _template() if m.id}
    ids = {_ids(m) for m in catalog if m.id}
    assert template_ids - ids == set(), (
        f"{lang}: untranslated (missing) entries; run pybabel update"
    )
    expected_plurals = get_plural(lang).num_plurals
    assert catalog.num_plurals == expected_plurals, f"{lang}: wrong Plural-Forms header"
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        sources = _strings(message.id)
        translations = _strings(message.string)
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if isinstance(message.id, tuple | list) and len(translations) != expected_plurals:
            problems.append(
                f"plural forms {len(translations)} != {expected_plurals}: {message.id!r}"
            )
        wanted = sorted(set(PLACEHOLDER.findall(sources[0])))
        tags = sorted(TAG.findall(sources[0]))
        commands = sorted(set(COMMAND.findall(sources[0])))
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
            if sorted(TAG.findall(text)) != tags:
                problems.append(f"HTML tags differ: {message.id!r} -> {text!r}")
            if sorted(set(COMMAND.findall(text))) != commands:
                problems.append(f"commands differ: {message.id!r} -> {text!r}")
            try:
                text.format(**{p.strip("{}"): "x" for p in wanted if p.startswith("{")})
            except (KeyError, IndexError, ValueError) as exc:
                problems.append(f"does not format ({exc}): {text!r}")
    assert problems == [], f"{lang}:\n" + "\n".join(problems)
