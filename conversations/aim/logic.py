"""Pure dialogue logic for the aim conversation: choices and texts over plain data."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import (
    _,
    bidi,
    current_locale,
    format_day,
    format_full_day,
    format_weeks,
    language_name,
)
from conversations.common.text import esc, quote_blocks, sentences
from conversations.listening.content import (
    Activity,
    AimTemplate,
    Theme,
    fill_template,
    load_content,
)
from conversations.listening.engine import content_locale

FOLLOW_UP_WEEKS: tuple[int, ...] = (2, 3, 4)
MAX_OWN_AIM = 300
MAX_KEY_SENTENCES = 3


def new_flow_id() -> str:
    """A short random id that ties buttons to one run of the conversation."""
    return secrets.token_hex(3)


def stable_index(seed: str, n: int) -> int:
    """Pick the same index for the same seed (varied wording, repeatable tests)."""
    if n <= 0:
        raise ValueError("nothing to pick from")
    return int.from_bytes(hashlib.blake2s(seed.encode(), digest_size=4).digest(), "big") % n


def fill(template: str, child: str, feeling: str | None = None) -> str:
    """Fill {child} and {feeling} in a content template."""
    return fill_template(template, {"child": child, "feeling": feeling or ""})


def next_activity(theme: Theme, tried: list[str]) -> Activity:
    """The first activity of the theme not yet offered; start again when all were."""
    for activity in theme.activities:
        if activity.id not in tried:
            return activity
    return theme.activities[len(tried) % len(theme.activities)]


def activity_by_id(theme: Theme, activity_id: str | None) -> Activity:
    """Find an activity of the theme (the first one if the id is unknown)."""
    for activity in theme.activities:
        if activity.id == activity_id:
            return activity
    return theme.activities[0]


def aim_for(theme: Theme, activity_id: str | None) -> AimTemplate:
    """The aim template that fits the chosen activity, else the theme's first."""
    for template in theme.aims:
        if activity_id in template.activities:
            return template
    return theme.aims[0]


def reframe_for(theme: Theme, child: str, feeling: str | None, seed: str) -> str:
    """A reframe for the theme, quoting the parent's feeling word when there is one."""
    options = theme.reframes_for(feeling)
    return fill(options[stable_index(seed, len(options))].text, child, feeling)


def follow_up_choices(today: date) -> list[tuple[int, date]]:
    """The catch-up dates offered: 2, 3 and 4 weeks from today."""
    return [(weeks, today + timedelta(weeks=weeks)) for weeks in FOLLOW_UP_WEEKS]


def clean_own_aim(text: str) -> str | None:
    """Tidy the parent's own wording of the aim; None when it cannot be used."""
    tidy = " ".join(text.split())
    if len(tidy) < 3 or len(tidy) > MAX_OWN_AIM:
        return None
    return tidy


def key_sentences(story: str, feelings: tuple[str, ...], signals: tuple[str, ...]) -> list[str]:
    """The parent's own sentences that carry the most (feeling words, concern signals)."""
    found = sentences(story)
    if len(found) <= MAX_KEY_SENTENCES:
        return found
    lowered_feelings = [f.lower() for f in feelings]
    scored: list[tuple[int, int]] = []
    for index, sentence in enumerate(found):
        low = sentence.lower()
        score = 3 * sum(f in low for f in lowered_feelings)
        score += sum(s in low for s in signals)
        scored.append((score, index))
    best = sorted(scored, key=lambda item: (-item[0], item[1]))[:MAX_KEY_SENTENCES]
    return [found[index] for _score, index in sorted(best, key=lambda item: item[1])]


# -- texts -----------------------------------------------------------------------------


def opening_question(child: str) -> str:
    """Step 1: the open question."""
    return _(
        "What would you like {child}'s music sessions to focus on? Tell me about {child}: "
        "whatever is on your mind, in your own words. Several messages are fine; "
        "I'll read them all before I reply."
    ).format(child=esc(child))


def theme_question(child: str) -> str:
    """Asked when the concern is not clear: the bot asks rather than guesses."""
    return _(
        "Thank you for painting that picture. So that I suggest the right kind of music game "
        "for {child}, which of these feels closest to what you'd like help with?"
    ).format(child=esc(child))


def activity_message(activity: Activity, child: str, first: bool) -> str:
    """Step 4: one IMM activity with its purpose in a sentence."""
    intro = (
        _("Here is a music game I think could really suit {child}:")
        if first
        else _("Here's another idea for {child}:")
    ).format(child=esc(child))
    return f"{intro}\n\n<b>{esc(activity.name)}</b>\n{esc(fill(activity.summary, child))}\n\n" + _(
        "Why it helps: {purpose}"
    ).format(purpose=esc(fill(activity.purpose, child)))


def activity_detail(activity: Activity, child: str) -> str:
    """'Tell me more': how the activity runs and what the practitioner watches for."""
    return bidi(f"<b>{esc(activity.name)}</b>\n{esc(fill(activity.detail, child))}")


def home_offer(activity: Activity, child: str) -> str:
    """Step 5: invite the parent to try a version at home."""
    return (
        _("Lovely. Would you like to try a version of it at home too?")
        + "\n\n"
        + esc(fill(activity.home, child))
    )


def aim_proposal(aim_text: str, signs: list[str], child: str) -> str:
    """Step 6: the aim in the child's name, with the small signs to look out for."""
    listed = "\n".join(f"• {esc(sign)}" for sign in signs)
    return (
        _("Let's put it into one aim for {child}'s music sessions:").format(child=esc(child))
        + f"\n\n<b>{esc(aim_text)}</b>\n\n"
        + _(
            "Think of it as where we're heading, not a test. Along the way we'll look out "
            "for the smallest signs, like:"
        )
        + f"\n{listed}\n\n"
        + _("Does that sound right to you?")
    )


def own_words_prompt(child: str) -> str:
    """Ask for the parent's own wording of the aim."""
    return _(
        "Of course: you know {child} best. How would you put it? Try to say what {child} "
        "will do, for example “{child} will …”."
    ).format(child=esc(child))


def follow_up_question() -> str:
    """Step 7: when to catch up."""
    return _(
        "When shall we catch up on how it's going? About three weeks usually gives time "
        "for the first small signs to show."
    )


def follow_up_label(weeks: int, day: date, suggested: bool) -> str:
    """A follow-up button: 'In 3 weeks · Fri 12 Dec'."""
    label = f"{format_weeks(weeks, ahead=True)} · {format_day(day)}"
    return f"{label} ✓" if suggested else label


@dataclass(frozen=True)
class AgreedAim:
    """What was agreed, ready for the summaries."""

    child: str
    child_age: str | None
    carer_name: str
    relationship: str
    setting_name: str
    aim_text: str
    own_words: bool
    signs: tuple[str, ...]
    activity_name: str
    home: bool
    follow_up_on: date
    story_quotes: tuple[str, ...]
    parent_locale: str = "en"
    theme: str | None = None
    activity_id: str | None = None


def parent_summary(agreed: AgreedAim) -> str:
    """Step 8: the summary the parent keeps."""
    lines = [
        _("Here's what we agreed:"),
        "",
        _("<b>Aim:</b> {aim}").format(aim=esc(agreed.aim_text)),
        _("<b>Music game:</b> {activity}").format(activity=esc(agreed.activity_name)),
    ]
    if agreed.home:
        lines.append(_("<b>At home:</b> you'll try a version of it together"))
    lines.append(_("<b>Catch-up:</b> {day}").format(day=format_full_day(agreed.follow_up_on)))
    shared = (
        _(
            "I've shared the aim with the practitioners at {setting}, with a few of your own "
            "words about {child}."
        )
        if agreed.story_quotes
        else _("I've shared the aim with the practitioners at {setting}.")
    )
    lines += [
        "",
        shared.format(setting=esc(agreed.setting_name), child=esc(agreed.child))
        + " "
        + _(
            "Watch out for the small signs, and remember you know {child} best. You can "
            "start a new aim at any time with /newaim."
        ).format(child=esc(agreed.child)),
    ]
    return "\n".join(lines)


def in_language(agreed: AgreedAim, locale: str) -> tuple[str, tuple[str, ...], str] | None:
    """The aim, its signs and the activity name in another language (None when the parent
    put the aim in their own words, which are shown as written)."""
    if agreed.own_words or agreed.theme is None:
        return None
    content = load_content(content_locale(locale))
    theme = content.theme(agreed.theme)
    template = aim_for(theme, agreed.activity_id)
    activity = activity_by_id(theme, agreed.activity_id)
    signs = tuple(fill(sign, agreed.child) for sign in template.signs)
    return fill(template.text, agreed.child), signs, activity.name


def practitioner_blocks(agreed: AgreedAim) -> list[str]:
    """Step 8: the practitioner's message as HTML blocks (packed to fit by the caller),
    in the practitioner's language, with the parent's own words as written."""
    mine = current_locale()
    translated = in_language(agreed, mine) if agreed.parent_locale != mine else None
    child = esc(agreed.child)
    if agreed.child_age:
        child = _("{child} (age {age})").format(child=child, age=esc(agreed.child_age))
    header = "\n".join(
        [
            "🎵 " + _("<b>New aim agreed</b> · {setting}").format(setting=esc(agreed.setting_name)),
            _("Child: {child}").format(child=child),
            _("Carer: {name} ({relationship})").format(
                name=esc(agreed.carer_name), relationship=esc(agreed.relationship)
            ),
            _("Parent's language: {language}").format(
                language=esc(language_name(agreed.parent_locale))
            ),
        ]
    )
    aim_label = _("Aim (in the parent's own words)") if agreed.own_words else _("Aim")
    shown_signs = translated[1] if translated else agreed.signs
    signs = "\n".join(f"• {esc(sign)}" for sign in shown_signs)
    aim_block = f"<b>{aim_label}:</b> {esc(agreed.aim_text)}\n"
    if translated is not None:
        aim_block = (
            _("<b>Aim, as agreed in {language}:</b> {aim}").format(
                language=esc(language_name(agreed.parent_locale)), aim=esc(agreed.aim_text)
            )
            + "\n"
            + _("<b>Aim, in your language:</b> {aim}").format(aim=esc(translated[0]))
            + "\n"
        )
    aim_block += _("Small signs:") + f"\n{signs}"
    activity_name = translated[2] if translated else agreed.activity_name
    plan = "\n".join(
        [
            _("Music game: {activity}").format(activity=esc(activity_name)),
            _("Trying it at home: {answer}").format(
                answer=_("yes") if agreed.home else _("not yet")
            ),
            _("Follow-up: {day}").format(day=format_full_day(agreed.follow_up_on)),
        ]
    )
    blocks = [header, aim_block, plan]
    if agreed.story_quotes:
        blocks.append(_("<b>In the parent's words:</b>"))
        for quote in agreed.story_quotes:
            blocks.extend(quote_blocks(quote))
    return blocks
