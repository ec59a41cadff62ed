"""Evaluate the safeguarding detector on tests/corpus/safeguarding_<locale>.jsonl.

Prints recall and false-alarm rate per split (dev = tuned on, heldout = written after tuning and
never tuned on), plus category and immediate-danger agreement and per-category recall.

    .venv/bin/python bench/safeguarding_eval.py [--locale en] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversations.listening.safeguarding import CATEGORIES, Disclosure, detect  # noqa: E402


@dataclass
class Tally:
    """Counts for one slice of the corpus."""

    disclosures: int = 0
    detected: int = 0
    category_ok: int = 0
    immediate_ok: int = 0
    benign: int = 0
    false_alarms: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, row: dict[str, object], found: Disclosure | None) -> None:
        """Count one corpus row against what the detector found."""
        text = str(row["text"])
        if row["label"] == "disclosure":
            self.disclosures += 1
            if found is None:
                self.errors.append(f"MISS  [{row['category']}] {text}")
                return
            self.detected += 1
            self.category_ok += found.category == row["category"]
            self.immediate_ok += found.immediate == row["immediate"]
            if found.category != row["category"] or found.immediate != row["immediate"]:
                self.errors.append(
                    f"LABEL [{row['category']}/{row['immediate']} -> "
                    f"{found.category}/{found.immediate}] {text}"
                )
        else:
            self.benign += 1
            if found is not None:
                self.false_alarms += 1
                self.errors.append(f"FALSE [{found.category}: {found.matched!r}] {text}")


def pct(num: int, den: int) -> str:
    """Format a ratio as a percentage, or '-' when empty."""
    return f"{100 * num / den:5.1f}%" if den else "    -"


def main() -> None:
    """Run the evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", default="en")
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args()

    path = ROOT / "tests" / "corpus" / f"safeguarding_{args.locale}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    detect("warm-up", args.locale)  # compile the lexicon outside the timing
    splits = {"dev": Tally(), "heldout": Tally(), "all": Tally()}
    per_category = {c: Tally() for c in CATEGORIES}
    started = time.perf_counter()
    for row in rows:
        found = detect(row["text"], args.locale)
        splits[row["split"]].add(row, found)
        splits["all"].add(row, found)
        if row["label"] == "disclosure":
            per_category[row["category"]].add(row, found)
    per_call_us = (time.perf_counter() - started) / max(len(rows), 1) * 1e6

    print(f"safeguarding detector, locale={args.locale}, {len(rows)} messages, {path.name}")
    print()
    header = (
        f"{'split':<8} {'disc':>5} {'recall':>7} {'benign':>7} {'false-alarm':>12} "
        f"{'category':>9} {'immediate':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, t in splits.items():
        print(
            f"{name:<8} {t.disclosures:>5} {pct(t.detected, t.disclosures):>7} {t.benign:>7} "
            f"{pct(t.false_alarms, t.benign):>12} {pct(t.category_ok, t.detected):>9} "
            f"{pct(t.immediate_ok, t.detected):>10}"
        )
    print()
    print("recall = disclosures detected; false-alarm = benign messages flagged;")
    print("category / immediate = agreement with the label, among detected disclosures.")
    print()
    print(f"{'category':<16} {'n':>4} {'recall':>7} {'right category':>15}")
    for name, t in per_category.items():
        print(
            f"{name:<16} {t.disclosures:>4} {pct(t.detected, t.disclosures):>7} "
            f"{pct(t.category_ok, t.detected):>15}"
        )
    print()
    print(f"mean detect() time: {per_call_us:.0f} us per message")
    errors = splits["all"].errors
    if args.errors and errors:
        print()
        print("\n".join(errors))
    elif errors:
        print(f"{len(errors)} misses / false alarms / label mismatches (see --errors)")


if __name__ == "__main__":
    main()
