"""End to end: the practitioners' weekly digest on the injected clock, across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.sandbox.fakeapi import FakeUser
from tests.support.harness import JOE_PICTURE, JOE_STORY, Harness, running_bot


async def agree_aim(h: Harness, pat: FakeUser, user_id: int, name: str, child: str) -> FakeUser:
    """A parent of the practitioner's setting agrees an aim."""
    parent = await h.onboard(pat, user_id=user_id, name=name, child=child)
    parent.send(JOE_STORY[1])
    await parent.wait_messages(1)
    parent.send(JOE_PICTURE)
    await parent.wait_messages(2)
    await h.agree_from_activity(parent)
    return parent


def digests(user: FakeUser) -> list[str]:
    return [m.plain_text for m in user.read_all() if "Your week at" in m.plain_text]


async def test_weekly_digest_at_the_chosen_time_once_a_week_across_a_restart(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        amara = await agree_aim(h, pat, 2002, "Amara", "Max")
        bea = await h.practitioner(user_id=1003, name="Bea")  # another setting
        await agree_aim(h, bea, 2005, "Olu", "Zoe")
        now = h.clock.now()
        await h.repo.record_tip(9001, amara.id, "saucepan_drum", 0, now)
        await h.repo.save_tip_note(9001, "He passed the drum to his sister", now)

        pat.read_all()
        pat.send("/digest")
        [menu] = await pat.wait_messages(1)
        assert "Monday at 08:00" in menu.plain_text  # the default
        pat.press("Wed")
        await h.settle()
        pat.press("18:00")
        await h.settle()
        assert "Wednesday at 18:00" in pat.last.plain_text
        assert "Wednesday 25 November, 18:00" in pat.last.plain_text
        # A parent pressing digest buttons changes nothing.
        amara.press_data("dg:t:3:0730", amara.last.message_id)
        await h.settle()
        assert "no longer active" in (amara.answers[-1].text or "")
        assert await h.repo.get_digest(amara.id) is None
        pat.read_all()
        bea.read_all()

        # Bea kept the default: Monday 08:00 London (UTC in winter), her own setting only.
        await h.run_until(datetime(2026, 11, 23, 7, 30, tzinfo=UTC), step=timedelta(hours=1))
        assert digests(bea) == [] and digests(pat) == []
        await h.run_until(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
        [bea_digest] = digests(bea)
        assert "Zoe (Olu)" in bea_digest and "1 new aim" in bea_digest
        assert "Max" not in bea_digest and "Amara" not in bea_digest

        await h.run_until(datetime(2026, 11, 25, 17, 30, tzinfo=UTC), step=timedelta(hours=1))
        assert digests(pat) == []
        await h.run_until(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), step=timedelta(minutes=30))
        [first] = digests(pat)
        assert "Your week at Sunflower Nursery" in first
        assert "1 new aim" in first and "Max (Amara)" in first and "Max will" in first
        assert "1 sign noticed at home" in first and "passed the drum" in first
        assert "Zoe" not in first and "Olu" not in first
        assert "Not heard from" not in first

        # The bot is down over the next due time; it sends the digest once when it is back.
        h.clock.set(datetime(2026, 12, 2, 19, 30, tzinfo=UTC))
        await h.restart()
        await h.tick()
        await h.tick()
        [second] = digests(pat)
        assert "A quiet week" in second and "Max will" not in second
        await h.run_until(datetime(2026, 12, 9, 17, 30, tzinfo=UTC), step=timedelta(hours=1))
        assert digests(pat) == []
        await h.run_until(datetime(2026, 12, 9, 18, 0, tzinfo=UTC), step=timedelta(minutes=30))
        [third] = digests(pat)
        assert "Amara" not in third  # heard from 18 days ago: not yet "not heard from"
        await h.run_until(datetime(2026, 12, 16, 18, 0, tzinfo=UTC), step=timedelta(hours=1))
        [fourth] = digests(pat)
        assert "Not heard from for three weeks or more: Amara" in fourth
        assert "Olu" not in fourth

        # Turned off: nothing more.
        pat.send("/digest")
        await pat.wait_messages(1)
        pat.press("Turn the digest off")
        await h.settle()
        assert "digest is off" in pat.last.plain_text
        pat.read_all()
        await h.run_until(datetime(2026, 12, 31, 0, 0, tzinfo=UTC), step=timedelta(hours=2))
        assert digests(pat) == []
        assert len(digests(bea)) == 5  # 30 Nov, 7, 14, 21 and 28 Dec (and 23 Nov, read)
