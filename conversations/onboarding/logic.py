"""Pure onboarding logic: validating names and ages, the relationship choices."""

from __future__ import annotations

from bot.i18n import N_, _

MAX_NAME = 40
MAX_AGE = 20
MAX_RELATIONSHIP = 40

# Callback code -> label (translated when shown). Order is the button order.
RELATIONSHIPS: tuple[tuple[str, str], ...] = (
    ("mum", N_("Mum")),
    ("dad", N_("Dad")),
    ("grandparent", N_("Grandparent")),
    ("foster", N_("Foster carer")),
    ("carer", N_("Another carer")),
)


def clean_child_name(text: str) -> str | None:
    """A usable first name from what the parent typed, or None."""
    tidy = " ".join(text.split()).strip(" .,!?\"'“”")
    if not tidy or len(tidy) > MAX_NAME or not any(ch.isalpha() for ch in tidy):
        return None
    words = tidy.split()
    if len(words) > 3:
        return None
    # Keep the parent's own spelling; only capitalise a first letter typed in lower case.
    return tidy[0].upper() + tidy[1:] if tidy[0].islower() else tidy


def clean_age(text: str) -> str | None:
    """A short age as the parent wrote it ('4', '3 and a half', '18 months'), or None."""
    tidy = " ".join(text.split())
    if not tidy or len(tidy) > MAX_AGE:
        return None
    return tidy


def relationship_label(code: str) -> str | None:
    """The translated label for a relationship code."""
    for known, label in RELATIONSHIPS:
        if known == code:
            return _(label)
    return None


def clean_relationship(text: str) -> str | None:
    """A typed relationship ('auntie', 'step-mum'), or None."""
    tidy = " ".join(text.split())
    if not tidy or len(tidy) > MAX_RELATIONSHIP:
        return None
    return tidy
