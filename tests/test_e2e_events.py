"""End to end: events (coffee mornings, feedback groups) and the aim's catch-up at one.

The dispatcher is ticked by the tests at the injected clock's time; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.sandbox.fakeapi import FakeUser
from bot.storage.models import Group
from conversations.events.catch_up import catch_up_choice
from tests.support.harness import JOE_PICTURE, JOE_STORY, Harness, running_bot


async def add_group(h: Harness, setting_id: int, name: str) -> Group:
    """A second group in a setting (test set-up; /newgroup is another feature)."""
    now = h.clock.now().isoformat()
    cur = await h.repo.conn.execute(
        "INSERT INTO groups (setting_id, name, created_at) VALUES (?, ?, ?)",
        (setting_id, name, now),
    )
    return Group(int(cur.lastrowid or 0), setting_id, name)


async def join(h: Harness, setting_id: int, group_id: int, user_id: int, name: str) -> FakeUser:
    """A parent joins a given group by its invite link and gives the child's details."""
    token = await h.repo.create_invite(
        "parent", setting_id, group_id, h.clock.now(), timedelta(days=30)
    )
    parent = h.fake.user(user_id, name)
    parent.send(f"/start {token}")
    await parent.wait_messages(1)
    parent.press("Yes, that's fine")
    await parent.wait_messages(1)
    parent.press("Yes, share my words")
    await parent.wait_messages(1)
    parent.send("Rosa")
    await parent.wait_messages(1)
    parent.press("Skip")
    await parent.wait_messages(1)
    parent.press("Mum")
    await parent.wait_messages(1)
    return parent


async def plan_event(pat: FakeUser, group: str | None, when: str, place: str) -> str:
    """Go through /event for a coffee morning; return what the bot said at the end."""
    pat.send("/event")
    [ask_kind] = await pat.wait_messages(1)
    assert ask_kind.button_labels[:2] == ["☕ Coffee morning", "💬 Parent feedback group"]
    pat.press("☕ Coffee morning")
    [ask_next] = await pat.wait_messages(1)
    if group is not None:
        assert group in ask_next.button_labels
        pat.press(group)
        [ask_next] = await pat.wait_messages(1)
    assert "When is it?" in ask_next.plain_text
    pat.send(when)
    [ask_place] = await pat.wait_messages(1)
    assert "Where is it?" in ask_place.plain_text
    pat.send(place)
    [confirm] = await pat.wait_messages(1)
    pat.press("Send the invitations ✓")
    [done] = await pat.wait_messages(1)
    return confirm.plain_text + "\n" + done.plain_text


def texts(user: FakeUser) -> list[str]:
    return [m.plain_text for m in user.read_all()]


async def test_event_invites_its_group_only_and_rsvps_are_counted_and_changeable(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        pat_setting = (await h.repo.get_practitioner(pat.id)).setting_id  # type: ignore[union-attr]
        amara = await h.onboard(pat, user_id=2002, name="Amara")
        ben = await h.onboard(pat, user_id=2003, name="Ben", child="Lily")
        tuesday = await add_group(h, pat_setting, "Tuesday Sunflowers")
        tess = await join(h, pat_setting, tuesday.id, 2004, "Tess")
        bea = await h.practitioner(user_id=1003, name="Bea")  # another setting
        other = await h.onboard(bea, user_id=2005, name="Olu", child="Zoe")
        for user in (pat, amara, ben, tess, bea, other):
            user.read_all()

        said = await plan_event(pat, "Sunflower Nursery", "Fri 10am", "the community room")
        assert "Friday 27 November, 10:00" in said and "the community room" in said
        assert "invite the 2 parents" in said and "on its way to 2 parents" in said
        [upcoming] = await h.repo.upcoming_events(pat_setting, h.clock.now())
        event = upcoming.event
        assert event.group_id != tuesday.id
        assert event.starts_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

        await h.tick()
        for parent in (amara, ben):
            [invitation] = parent.read_all()
            assert "Coffee morning at Sunflower Nursery" in invitation.plain_text
            assert "Friday 27 November, 10:00" in invitation.plain_text
            assert "the community room" in invitation.plain_text
            assert invitation.button_labels == ["I'll come", "Can't make it"]
        assert tess.read_all() == [] and other.read_all() == []  # other group, other setting

        amara.press("I'll come")
        await h.settle()
        assert "see you there" in (amara.answers[-1].text or "")
        assert await h.repo.rsvp_of(event.id, amara.id) == "yes"
        assert amara.last.button_labels == ["✓ I'll come", "Can't make it"]
        amara.press("Can't make it")  # changed her mind
        await h.settle()
        assert await h.repo.rsvp_of(event.id, amara.id) == "no"
        assert amara.last.button_labels == ["I'll come", "✓ Can't make it"]
        ben.press("I'll come")
        await h.settle()

        # Forged presses from a parent of another group and of another setting.
        for stranger in (tess, other):
            stranger.press_data(f"rsvp:yes:{event.id}", stranger.last.message_id)
            await h.settle()
            assert "isn't one I can answer" in (stranger.answers[-1].text or "")
            assert await h.repo.rsvp_of(event.id, stranger.id) is None
            assert stranger.read_all() == []
        # A parent who is not a practitioner cannot plan or list events.
        ben.send("/events")
        [refused] = await ben.wait_messages(1)
        assert "only for practitioners" in refused.plain_text

        pat.send("/events")
        [listing] = await pat.wait_messages(1)
        assert "Coffee morning" in listing.plain_text
        assert "✅ 1 coming · ❌ 1 can't make it · 0 not answered yet" in listing.plain_text
        bea.send("/events")
        [empty] = await bea.wait_messages(1)
        assert "No upcoming events" in empty.plain_text

        # The day before, 10:00 London: the reminder reaches Ben once; Amara said no.
        await h.run_until(datetime(2026, 11, 26, 9, 45, tzinfo=UTC), step=timedelta(hours=1))
        assert ben.read_all() == []
        await h.run_until(datetime(2026, 11, 27, 12, 0, tzinfo=UTC), step=timedelta(minutes=15))
        reminders = [t for t in texts(ben) if "A little reminder" in t]
        assert len(reminders) == 1 and "Friday 27 November, 10:00" in reminders[0]
        assert texts(amara) == [] and texts(tess) == [] and texts(other) == []
        rows = {r["kind"]: r["status"] for r in await h.repo.outbox_of(amara.id)}
        assert rows == {"event_invite": "sent", "event_reminder": "skipped"}

        # After the event, a late press changes nothing.
        ben.press("Can't make it")
        await h.settle()
        assert "already taken place" in (ben.answers[-1].text or "")
        assert await h.repo.rsvp_of(event.id, ben.id) == "yes"


async def test_event_conversation_reads_dates_leniently_and_refuses_the_past(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        pat.send("/event")
        await pat.wait_messages(1)
        pat.press("💬 Parent feedback group")
        [ask] = await pat.wait_messages(1)  # one group: straight to the date
        assert "When is it?" in ask.plain_text
        pat.send("sometime soon")
        [unread] = await pat.wait_messages(1)
        assert "couldn't read" in unread.plain_text
        pat.send("2026-11-20 10:30")
        [past] = await pat.wait_messages(1)
        assert "already passed" in past.plain_text
        pat.send("12/12 10:30")
        await pat.wait_messages(1)
        pat.send("/cancel")
        [cancelled] = await pat.wait_messages(1)
        assert "nothing was sent" in cancelled.plain_text
        setting = (await h.repo.get_practitioner(pat.id)).setting_id  # type: ignore[union-attr]
        assert await h.repo.upcoming_events(setting, h.clock.now()) == []

        parent = await h.onboard(pat)
        parent.send("/event")
        [refused] = await parent.wait_messages(1)
        assert "only for practitioners" in refused.plain_text


async def test_aim_follow_up_offers_the_groups_next_event(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent_row = await h.repo.get_parent(parent.id)
        assert parent_row is not None
        group = await h.repo.get_group(parent_row.group_id)
        assert group is not None
        now = h.clock.now()
        # One coffee morning in six weeks (too far), one in two weeks: the nearer is offered.
        await h.repo.create_event(
            group, "coffee_morning", now + timedelta(weeks=6), "Hall", pat.id, now
        )
        soon = await h.repo.create_event(
            group, "coffee_morning", datetime(2026, 12, 4, 10, tzinfo=UTC), "Hall", pat.id, now
        )
        parent.send(JOE_STORY[1])
        await parent.wait_messages(1)
        parent.send(JOE_PICTURE)
        await parent.wait_messages(2)
        parent.press("Let's try it")
        await parent.wait_messages(1)
        parent.press("Not right now")
        await parent.wait_messages(1)
        parent.press("That's right")
        [follow] = await parent.wait_messages(1)
        assert len(follow.button_labels) == 4
        assert follow.button_labels[3] == "At the coffee morning · Friday 4 December"
        parent.press("At the coffee morning · Friday 4 December")
        [summary] = await parent.wait_messages(1)
        assert "Friday, 4 December 2026" in summary.plain_text
        child = await h.repo.child_of(parent.id)
        assert child is not None
        aim = await h.repo.active_aim(child.id)
        assert aim is not None and aim.follow_up_on == date(2026, 12, 4)

        # Only an event within five weeks, of the parent's own group, is offered.
        other_group = await add_group(h, group.setting_id, "Tuesday Sunflowers")
        moved = type(parent_row)(**{**parent_row.__dict__, "group_id": other_group.id})
        await h.repo.create_event(
            other_group, "feedback_group", now + timedelta(weeks=5, hours=1), "Hall", pat.id, now
        )
        assert await catch_up_choice(h.repo, moved, now) is None
        await h.repo.create_event(
            other_group, "feedback_group", now + timedelta(weeks=3), "Hall", pat.id, now
        )
        found = await catch_up_choice(h.repo, moved, now)
        assert found is not None and found[0].startswith("At the parent feedback group")
        assert (await catch_up_choice(h.repo, parent_row, now)) == (
            "At the coffee morning · Friday 4 December",
            f"e{soon.id}",
            date(2026, 12, 4),
        )


async def test_a_parent_who_joins_later_is_invited_after_settling_in(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        said = await plan_event(pat, None, "12/12 10:30", "Hall")
        assert "on its way to 0 parents" in said
        newcomer = await h.onboard(pat, user_id=2009, name="Nia")
        newcomer.read_all()
        await h.run_until(h.clock.now() + timedelta(hours=1, minutes=45))
        assert newcomer.read_all() == []  # not in the middle of the first conversation
        await h.run_until(h.clock.now() + timedelta(minutes=30))
        [invitation] = newcomer.read_all()
        assert "Saturday 12 December, 10:30" in invitation.plain_text
        assert invitation.button_labels == ["I'll come", "Can't make it"]
        kinds = sorted(r["kind"] for r in await h.repo.outbox_of(newcomer.id))
        assert kinds == ["event_invite", "event_reminder"]


async def test_a_forged_catch_up_event_is_not_accepted(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent, _activity = await h.to_activity()
        bea = await h.practitioner(user_id=1003, name="Bea")
        bea_setting = await h.repo.get_practitioner(bea.id)
        assert bea_setting is not None
        [bea_group] = await h.repo.groups_of_setting(bea_setting.setting_id)
        now = h.clock.now()
        theirs = await h.repo.create_event(
            bea_group, "coffee_morning", now + timedelta(weeks=2), "Hall", bea.id, now
        )
        parent.press("Let's try it")
        await parent.wait_messages(1)
        parent.press("Not right now")
        await parent.wait_messages(1)
        parent.press("That's right")
        [follow] = await parent.wait_messages(1)
        assert len(follow.button_labels) == 3  # another setting's event is not offered
        flow = (follow.buttons[0][0].callback_data or "").split(":")[2]
        parent.press_data(f"aim:fu:{flow}:e{theirs.id}", follow.message_id)
        [refused] = await parent.wait_messages(1)
        assert "no longer planned" in refused.plain_text
        child = await h.repo.child_of(parent.id)
        assert child is not None and await h.repo.active_aim(child.id) is None
        parent.press(follow.button_labels[1])  # the flow carries on
        [summary] = await parent.wait_messages(1)
        assert "Saturday, 12 December 2026" in summary.plain_text
