"""The lead's co-sign queue in the room window (issue 15 item 4): a clinic lead sees the notes
others wrote (session date, participant alias, author and role, time, the note), reads one
whole, re-enters their PIN and co-signs it (meaning review); the row leaves the queue. A wrong
PIN writes only the failure and the window says so. Only `record.review` (the lead) sees the
account menu's entry, which counts the notes waiting.

pytest-qt, offscreen, the staffed room (tests/ui/staffed_room.py) with a lead added; the notes
are written by RN Kim (facilitator) through the protocol, signed with her PIN.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace

import pytest

from groupkap.accounts.cosign import PendingNote
from groupkap.accounts.cosign_queue import QueuedNote, cosign_queue, waiting_count
from groupkap.clock import utc_iso
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, logged
from ui import theme
from ui.accounts import cosign_words as words
from ui.accounts.cosign_queue import CosignQueue

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)

LEAD, LEAD_PIN = "Lee Lead", "leadpin1"
LONG_NOTE = (
    "Asked for a blanket and the lights lower at 10:40; said the music felt too loud.\n"
    "Settled after the volume was turned down; no nausea, breathing even."
)


@pytest.fixture
def noted(staffed, clock):
    """The staffed room with a clinic lead, and two notes by RN Kim waiting for a co-sign
    (seat 1's long one first, then seat 2's), plus one by the lead that needs none."""
    accounts, live = staffed.accounts, staffed.live
    accounts.add(LEAD, "lead", LEAD_PIN, by=accounts.get("Admin Lee"))
    first, second = live.room.on_seat(1), live.room.on_seat(2)
    live.protocol.add_note(first.id, LONG_NOTE, "x", pin=PINS["RN Kim"])
    clock.advance(60)
    live.protocol.add_note(second.id, "dozed off", "x", pin=PINS["RN Kim"])
    staffed.aliases, staffed.clock = (first.alias, second.alias), clock
    return staffed


def switch_to(window, name: str, pin: str) -> None:
    dialog = window.access.open_switch()
    dialog.name_field.setText(name)
    dialog.pin.setText(pin)
    dialog.try_accept()
    assert window.live.actor == name, dialog.error.text()


def queue_texts(queue: CosignQueue) -> list[list[str]]:
    proxy = queue.view.model()
    return [
        [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


def kinds_since(store, session_id, before: int) -> list[str]:
    return [e.kind for e in logged(store, session_id)[before:]]


def open_queue(qtbot, window) -> CosignQueue:
    switch_to(window, LEAD, LEAD_PIN)
    queue = window.access.open_cosign_queue()
    assert isinstance(queue, CosignQueue)
    qtbot.waitExposed(queue)
    return queue


def test_the_queue_rows_say_session_date_alias_author_role_and_time(noted):
    noted.store.flush()
    with closing(noted.store.reader()) as conn:
        rows = cosign_queue(conn)
        assert waiting_count(conn) == 2
    assert [(q.note.alias, q.note.author, q.author_role) for q in rows] == [
        (noted.aliases[0], "RN Kim", "facilitator"),
        (noted.aliases[1], "RN Kim", "facilitator"),
    ]
    day = utc_iso(staffed_room_start(noted))[:10]
    assert {words.session_day(q) for q in rows} == {day}
    assert words.author(rows[0]) == "RN Kim · facilitator"
    assert words.written(rows[1]) == utc_iso(noted.clock.now())[:16].replace("T", " ") + " UTC"
    assert words.written_time(rows[1]) == utc_iso(noted.clock.now())[11:16]


def staffed_room_start(staffed) -> float:
    with closing(staffed.store.reader()) as conn:
        return conn.execute(
            "select started_at from sessions where id = ?", (staffed.live.id,)
        ).fetchone()[0]


def test_a_note_past_midnight_says_its_date_and_the_heading_its_session():
    started = 1_800_000_000.0  # 2027-01-15 08:00 UTC
    note = PendingNote(9, "night-1", None, None, "RN Kim", "2027-01-16T00:10:00.000Z", "x")
    item = QueuedNote(note, started, None)
    assert words.written_time(item) == "2027-01-16 00:10"
    assert words.author(item) == "RN Kim"  # no role known: the name alone
    assert words.alias(item) == words.NO_ALIAS
    assert words.heading(item) == (
        "Whole session · written 2027-01-16 00:10 UTC by RN Kim · session night-1 of 2027-01-15"
    )
    same_day = QueuedNote(replace(note, t="2027-01-15T23:59:00.000Z"), started, "lead")
    assert words.written_time(same_day) == "23:59"
    assert words.author(same_day) == "RN Kim · clinic lead"


def test_the_words_cut_and_count_at_their_edges():
    assert words.preview("x" * words.PREVIEW_CHARS) == "x" * words.PREVIEW_CHARS
    cut = words.preview("x" * (words.PREVIEW_CHARS + 1))
    assert len(cut) == words.PREVIEW_CHARS and cut.endswith("…")
    assert words.preview("two\nlines") == "two lines"
    assert words.menu_entry(0) == "Co-sign notes (none waiting)…"
    assert words.menu_entry(1) == "Co-sign notes (1 waiting)…"
    assert words.count_words(1).startswith("1 note awaits your co-signature")
    assert words.count_words(2).startswith("2 notes await your co-signature")
    assert words.count_words(0) == words.NOTHING_WAITING


def test_only_a_lead_sees_the_entry_with_the_count_and_others_are_refused(qtbot, noted):
    window, access = noted.window, noted.window.access
    assert not access.cosign_action.isVisible()  # RN Kim, a facilitator
    before = len(logged(noted.store, noted.live.id))
    assert access.open_cosign_queue() is None  # forced: refused, said, logged
    assert "may not co-sign a note" in window.statusBar().currentMessage()
    [refusal] = [
        e for e in logged(noted.store, noted.live.id)[before:] if e.kind == "action.refused"
    ]
    assert (refusal.actor, refusal.data["action"]) == ("RN Kim", "record.review")
    switch_to(window, "QA Ray", PINS["QA Ray"])
    assert not access.cosign_action.isVisible()
    switch_to(window, LEAD, LEAD_PIN)
    assert access.cosign_action.isVisible()
    assert access.cosign_action.text() == "Co-sign notes (2 waiting)…"
    access.word.menu().aboutToShow.emit()  # counted again when the menu opens
    assert access.cosign_action.text() == "Co-sign notes (2 waiting)…"


def test_the_lead_reads_a_note_whole_and_co_signs_it_with_the_pin(qtbot, noted):
    window, store, sid = noted.window, noted.store, noted.live.id
    queue = open_queue(qtbot, window)
    texts = queue_texts(queue)
    assert [row[1:3] for row in texts] == [
        [noted.aliases[0], "RN Kim · facilitator"],
        [noted.aliases[1], "RN Kim · facilitator"],
    ]
    assert texts[0][4] == words.preview(LONG_NOTE) and texts[0][4].endswith("…")
    assert queue.summary.text().startswith("2 notes await your co-signature")
    # The first note is selected and read whole, both its lines.
    assert queue.selected().note.text == LONG_NOTE
    assert LONG_NOTE in queue.reader.toPlainText()
    assert "by RN Kim · facilitator" in queue.reader.toPlainText()
    assert queue.signature_fields["Signed by"].text() == "Lee Lead (clinic lead)"
    assert queue.signature_fields["Meaning"].text() == "review: I reviewed this"
    first_seq = queue.selected().note.seq
    with qtbot.waitSignal(queue.cosigned) as signal:
        before = len(logged(store, sid))
        queue.pin.setText(LEAD_PIN)
        signature = queue.cosign_selected()
    assert signal.args == [first_seq]
    assert (signature.meaning, signature.subject.seq, signature.name) == (
        "review",
        first_seq,
        LEAD,
    )
    assert kinds_since(store, sid, before) == ["user.signed_in", "signature.applied"]
    # The row left; the next note is selected; the count in the menu follows.
    assert [row[1] for row in queue_texts(queue)] == [noted.aliases[1]]
    assert queue.selected().note.text == "dozed off"
    assert queue.message.text().startswith(f"Co-signed the note of {noted.aliases[0]} by RN Kim")
    assert queue.summary.text() == words.count_words(1)
    assert queue.pin.text() == ""
    assert window.access.cosign_action.text() == "Co-sign notes (1 waiting)…"


def test_a_wrong_pin_writes_only_the_failure_and_says_so(qtbot, noted):
    window, store, sid = noted.window, noted.store, noted.live.id
    queue = open_queue(qtbot, window)
    before = len(logged(store, sid))
    queue.pin.setText("wrong-pin")
    assert queue.cosign_selected() is None
    assert kinds_since(store, sid, before) == ["user.sign_in_failed"]
    text = queue.message.text()
    assert text.startswith("Not co-signed: wrong PIN for Lee Lead")
    assert theme.WARNING_TEXT in queue.message.styleSheet()
    assert len(queue_texts(queue)) == 2 and queue.pin.text() == ""
    queue.pin.setText("")
    assert queue.cosign_selected() is None  # an empty PIN: refused, nothing written
    assert "enter your PIN" in queue.message.text()
    assert kinds_since(store, sid, before) == ["user.sign_in_failed"]


def test_the_last_note_co_signed_leaves_an_empty_queue(qtbot, noted):
    queue = open_queue(qtbot, noted.window)
    for _ in range(2):
        queue.pin.setText(LEAD_PIN)
        assert queue.cosign_selected() is not None
    assert queue_texts(queue) == [] and queue.selected() is None
    assert not queue.cosign_button.isEnabled() and not queue.pin.isEnabled()
    assert queue.reader.toPlainText() == ""
    assert queue.summary.text() == words.NOTHING_WAITING
    assert noted.window.access.cosign_action.text() == "Co-sign notes (none waiting)…"


def test_a_lock_closes_the_queue(qtbot, noted):
    window = noted.window
    queue = open_queue(qtbot, window)
    queue.pin.setText(LEAD_PIN)  # typed, not yet signed
    window.access.lock("idle")
    assert not queue.isVisible()
    with closing(noted.store.reader()) as conn:
        assert waiting_count(conn) == 2  # nothing was signed


def test_the_queue_reads_at_18_px_or_more(qtbot, noted):
    queue = open_queue(qtbot, noted.window)
    for widget in (queue.view, queue.reader, queue.summary, queue.message, queue.pin):
        assert widget.fontInfo().pixelSize() >= theme.MIN_READABLE_PX, widget
