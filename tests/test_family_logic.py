"""Unit tests: the pure texts and rules of notes, songs from home and carer links."""

from __future__ import annotations

from conversations.common.text import TELEGRAM_LIMIT, pack, utf16_len
from conversations.family import logic


def test_starters_begin_like_the_booklet() -> None:
    starters = logic.note_starters("Joe")
    assert starters[0] == "I really liked how you…"
    assert "It was lovely to see Joe…" in starters


def test_note_prompt_escapes_names_and_offers_the_starters() -> None:
    prompt = logic.note_prompt("<Amara>", "Jo & Max")
    assert "&lt;Amara&gt;" in prompt and "<Amara>" not in prompt
    assert "It was lovely to see Jo &amp; Max…" in prompt
    assert "/cancel" in prompt
    # Without a known child the starters still read well.
    assert "It was lovely to see your child…" in logic.note_prompt("Amara", None)


def test_note_to_parent_names_the_practitioner_and_setting_and_escapes_the_words() -> None:
    header, *body = logic.note_to_parent("Pat", "Sun & Moon", "I liked <that> & this")
    assert header == "💌 A note from <b>Pat</b> at Sun &amp; Moon:"
    assert body == ["<i>“I liked &lt;that&gt; &amp; this”</i>"]


def test_a_very_long_note_splits_into_messages_that_fit() -> None:
    words = ("I really liked how you sang with him at bath time. " * 300).strip()
    messages = pack(logic.note_to_parent("Pat", "Sunflower", words))
    assert len(messages) >= 4
    assert all(utf16_len(m) <= TELEGRAM_LIMIT for m in messages)
    assert messages[0].startswith("💌")


def test_answer_to_practitioner_says_who_answered() -> None:
    header, quote = logic.reply_to_practitioner("Tom", "dad", "Max", "Thanks <3")
    assert header == "💬 <b>Tom</b> (dad of Max) answered your note:"
    assert quote == "<i>“Thanks &lt;3”</i>"


def test_song_names_the_carer_and_escapes_the_song() -> None:
    header, quote = logic.song_to_practitioners("Sunflower", "Max", "Amara", "mum", "Row <row>")
    assert header.startswith("🎶 <b>A song from home</b> · Sunflower")
    assert "Child: Max · Carer: Amara (mum)" in header
    assert quote == "<i>“Row &lt;row&gt;”</i>"


def test_button_labels_stay_short() -> None:
    label = logic.note_button_label("Bartholomew-Alexander Featherstonehaugh")
    assert label.startswith("💬 Send a note to Bartholomew")
    assert label.endswith("…")
    assert logic.reply_button_label("Pat") == "↩️ Reply to Pat"


def test_callback_ids_reject_anything_but_a_positive_number() -> None:
    assert logic.callback_id("fam:note:2002", logic.NOTE_PREFIX) == 2002
    assert logic.callback_id("fam:note:", logic.NOTE_PREFIX) is None
    assert logic.callback_id("fam:note:-5", logic.NOTE_PREFIX) is None
    assert logic.callback_id("fam:note:12x", logic.NOTE_PREFIX) is None
    assert logic.callback_id("fam:reply:7", logic.NOTE_PREFIX) is None


def test_carer_link_text_counts_days_and_escapes_the_link() -> None:
    one = logic.carer_link_text("Max", "https://t.me/bot?start=c_a&b", 1)
    assert "It works once, for 1 day." in one
    assert "https://t.me/bot?start=c_a&amp;b" in one
    assert "It works once, for 7 days." in logic.carer_link_text("Max", "x", 7)


def test_carer_intro_and_welcome_escape_names() -> None:
    assert logic.carer_intro("<Amara>", "Max") == (
        "👋 <b>&lt;Amara&gt;</b> has invited you to join them as one of Max's carers."
    )
    joined = logic.carer_joined("Max & Co", "Sunflower")
    assert "Max &amp; Co" in joined and "/newaim" in joined and "/song" in joined
