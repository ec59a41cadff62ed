"""Checks shared by the per-language tests: safeguarding corpora, catalogs and back-translations.

Each language's test file keeps its own data (narratives, expected keys, child names, feeling
words, recall floors); this module only holds the machinery they all run the same way.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from conversations.listening.safeguarding import CATEGORIES, detect

if TYPE_CHECKING:
    from conversations.listening.content import Content

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
CORPUS_KEYS = frozenset({"text", "label", "category", "immediate", "split"})
ENTRY_FIELDS = frozenset({"key", "english", "translation", "back_translation", "note"})
# The msgid prefix of the reply to /stop, shared by every language's back-translations.
STOP_CONFIRMATION = "Done: I've stopped all messages"

Row = dict[str, Any]
Entry = dict[str, str]

# ------------------------------------------------------------------------------------------------
# Safeguarding corpus


class Corpus(NamedTuple):
    """One language's safeguarding corpus, split into the parts the tests run on."""

    rows: list[Row]
    dev_disclosures: list[Row]
    dev_benign: list[Row]
    heldout: list[Row]


def corpus_path(lang: str) -> Path:
    """Return the path of tests/corpus/safeguarding_<lang>.jsonl."""
    return TESTS / "corpus" / f"safeguarding_{lang}.jsonl"


def load_corpus(lang: str) -> Corpus:
    """Load a language's corpus and split it into dev disclosures, dev benign and held-out."""
    lines = corpus_path(lang).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return Corpus(
        rows=rows,
        dev_disclosures=[r for r in rows if r["split"] == "dev" and r["label"] == "disclosure"],
        dev_benign=[r for r in rows if r["split"] == "dev" and r["label"] == "benign"],
        heldout=[r for r in rows if r["split"] == "heldout"],
    )


def row_id(length: int) -> Callable[[Row], str]:
    """Return a pytest id function giving the first `length` characters of a row's text."""

    def _id(row: Row) -> str:
        return str(row["text"])[:length]

    return _id


def check_corpus_is_well_formed(rows: Iterable[Row]) -> None:
    """Assert every row has the right keys, labels, splits and categories, and none repeats."""
    rows = list(rows)
    for row in rows:
        assert set(row) == CORPUS_KEYS, row
        assert row["label"] in ("disclosure", "benign")
        assert row["split"] in ("dev", "heldout")
        assert isinstance(row["immediate"], bool)
        if row["label"] == "disclosure":
            assert row["category"] in CATEGORIES
        else:
            assert row["category"] is None
            assert row["immediate"] is False
    texts = [r["text"] for r in rows]
    assert len(texts) == len(set(texts)), "duplicate corpus lines"


def check_corpus_size(corpus: Corpus, dev_min: int, heldout_min: int) -> None:
    """Assert the dev and held-out splits are big enough and dev covers every category."""
    assert len(corpus.dev_disclosures) >= dev_min
    assert len(corpus.dev_benign) >= dev_min
    assert sum(r["label"] == "disclosure" for r in corpus.heldout) >= heldout_min
    assert sum(r["label"] == "benign" for r in corpus.heldout) >= heldout_min
    assert {r["category"] for r in corpus.dev_disclosures} == set(CATEGORIES)


def check_disclosure_detected(row: Row, locale: str) -> None:
    """Assert a disclosure row is found with its category, urgency and a matched substring."""
    found = detect(row["text"], locale)
    assert found is not None, "missed"
    assert found.category == row["category"]
    assert found.immediate is row["immediate"]
    assert found.matched and found.matched in row["text"]


def check_benign_not_detected(row: Row, locale: str) -> None:
    """Assert a benign row raises no alarm."""
    found = detect(row["text"], locale)
    assert found is None, f"false alarm: {found}"


def check_heldout(
    heldout: Iterable[Row], locale: str, recall_floor: float, max_false_alarm_rate: float
) -> None:
    """Assert held-out recall is at least the floor and the false-alarm rate at most the cap."""
    rows = list(heldout)
    disclosures = [r for r in rows if r["label"] == "disclosure"]
    benign = [r for r in rows if r["label"] == "benign"]
    missed = [r["text"] for r in disclosures if detect(r["text"], locale) is None]
    alarms = [r["text"] for r in benign if detect(r["text"], locale) is not None]
    recall = 1 - len(missed) / len(disclosures)
    false_alarm_rate = len(alarms) / len(benign)
    report = (
        f"held-out recall {recall:.3f} ({len(disclosures) - len(missed)}/{len(disclosures)}), "
        f"false-alarm rate {false_alarm_rate:.3f} ({len(alarms)}/{len(benign)})\n"
        "missed:\n  " + "\n  ".join(missed) + "\nfalse alarms:\n  " + "\n  ".join(alarms)
    )
    assert false_alarm_rate <= max_false_alarm_rate, report
    assert recall >= recall_floor, report


# ------------------------------------------------------------------------------------------------
# Catalog


def catalog_path(lang: str) -> Path:
    """Return the path of locales/<lang>/LC_MESSAGES/messages.po."""
    return ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(lang: str) -> Catalog:
    """Read a language's catalog with babel."""
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def singular_messages(lang: str) -> dict[str, str]:
    """Return msgid -> msgstr for every non-plural message of a language's catalog."""
    messages = read_catalog(lang)
    return {
        m.id: m.string
        for m in messages
        if isinstance(m.id, str) and m.id and isinstance(m.string, str)
    }


def po_lookup(lang: str) -> Callable[[str], tuple[str, str]]:
    """Return po(prefix) -> (msgid, msgstr) for the one singular msgid starting with prefix."""
    catalog = singular_messages(lang)

    def po(prefix: str) -> tuple[str, str]:
        found = [(msgid, text) for msgid, text in catalog.items() if msgid.startswith(prefix)]
        assert len(found) == 1, prefix
        return found[0]

    return po


# ------------------------------------------------------------------------------------------------
# Back-translations


def translations_path(lang: str) -> Path:
    """Return the path of tests/translations/<lang>.toml."""
    return TESTS / "translations" / f"{lang}.toml"


def load_entries(lang: str) -> list[Entry]:
    """Return the `[[entry]]` tables of a language's back-translations file."""
    with translations_path(lang).open("rb") as handle:
        entries: list[Entry] = list(tomllib.load(handle)["entry"])
    return entries


def check_entries_well_formed(entries: Iterable[Entry]) -> None:
    """Assert keys are unique and every entry has exactly the fields, each a non-empty string."""
    entries = list(entries)
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys))
    for entry in entries:
        assert set(entry) == ENTRY_FIELDS, entry.get("key")
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), entry["key"]


def check_entry_matches(entry: Entry, english: str | None, translation: str) -> None:
    """Assert an entry's `english` (when given) and `translation` are what the bot says today."""
    if english is not None:
        assert entry["english"] == english, entry["key"]
    assert entry["translation"] == translation, entry["key"]


def check_entries_match_expected(
    entries: Iterable[Entry], expected: Mapping[str, tuple[str, str]]
) -> None:
    """Assert the entries have exactly the expected keys and each matches today's text."""
    entries = list(entries)
    assert sorted(e["key"] for e in entries) == sorted(expected)
    check_entries_well_formed(entries)
    for entry in entries:
        english, translation = expected[entry["key"]]
        check_entry_matches(entry, english, translation)


def content_pairs(
    content: Content, english: Content, child: str, feeling: str
) -> dict[str, tuple[str, str]]:
    """Return "content.*" key -> (English, translation) for the reframes, activity and aim."""
    expected: dict[str, tuple[str, str]] = {}
    pairs = zip(
        content.theme("sharing_turns").reframes,
        english.theme("sharing_turns").reframes,
        strict=True,
    )
    for i, (reframe, en_reframe) in enumerate(pairs):
        expected[f"content.sharing_turns.reframes[{i}]"] = (
            english.fill(en_reframe.text, child, "anxious"),
            content.fill(reframe.text, child, feeling),
        )
    activity, activity_en = content.activity("conductor_game"), english.activity("conductor_game")
    expected["content.activity.conductor_game.name"] = (activity_en.name, activity.name)
    expected["content.activity.conductor_game.purpose"] = (activity_en.purpose, activity.purpose)
    aim, aim_en = content.aim("lead_then_follow"), english.aim("lead_then_follow")
    expected["content.aim.lead_then_follow.text"] = (
        english.fill(aim_en.text, child),
        content.fill(aim.text, child),
    )
    for i, (sign, sign_en) in enumerate(zip(aim.signs, aim_en.signs, strict=True)):
        expected[f"content.aim.lead_then_follow.signs[{i}]"] = (
            english.fill(sign_en, child),
            content.fill(sign, child),
        )
    return expected


def content_text(key: str, content: Content, child: str, feeling: str) -> str:
    """Return what the content gives today for a "reframe.*", "activity.*" or "aim.*" key."""
    if key.startswith("reframe.sharing_turns."):
        reframe = content.theme("sharing_turns").reframes[int(key.rsplit(".", 1)[1])]
        return content.fill(reframe.text, child, feeling if reframe.requires_feeling else None)
    if key == "activity.conductor_game.name":
        return content.activity("conductor_game").name
    if key == "activity.conductor_game.purpose":
        return content.fill(content.activity("conductor_game").purpose, child)
    if key == "aim.lead_then_follow.text":
        return content.fill(content.aim("lead_then_follow").text, child)
    if key.startswith("aim.lead_then_follow.sign."):
        sign = content.aim("lead_then_follow").signs[int(key.rsplit(".", 1)[1])]
        return content.fill(sign, child)
    raise AssertionError(f"unknown key {key!r}")


def current_pair(
    lang: str, key: str, english: str, content: Content, child: str, feeling: str
) -> tuple[str | None, str]:
    """Return (English, or None when unchecked, translation) for a "po.*" or content key."""
    if key.startswith("po."):
        message = singular_messages(lang).get(english)
        assert message is not None, f"{key}: msgid not in the catalog"
        return english, message
    if key == "stop.confirmation":
        return po_lookup(lang)(STOP_CONFIRMATION)
    return None, content_text(key, content, child, feeling)


def content_texts(content: Content, names: bool = False) -> list[str]:
    """Every template in a content bundle; with `names`, also the default child, theme labels
    and activity names (texts parents see, checked for placeholders and register)."""
    language = content.language
    texts = [language.child_default] if names else []
    texts += [
        *language.generic_affirmations,
        *language.validations,
        *language.feeling_quotes,
        *language.parent_feeling_quotes,
        *language.pictures,
        *language.open_questions,
        *(t for kind in language.affirmation_templates.values() for t in kind),
    ]
    for theme in content.themes:
        if names:
            texts.append(theme.label)
        texts += [*theme.reflections, *theme.pictures, *(r.text for r in theme.reframes)]
        for activity in theme.activities:
            if names:
                texts.append(activity.name)
            texts += [activity.summary, activity.purpose, activity.detail, activity.home]
        for aim in theme.aims:
            texts += [aim.text, *aim.signs]
        texts += [x for tip in theme.home_tips for x in (tip.text, tip.why)]
    texts += [x for tip in content.home_tips for x in (tip.text, tip.why)]
    return texts
