"""What only the API could do, done from the tile: approve a screening that needs review, enter
an outcome scale, and resolve an adverse event. Real widgets on a real session and store."""

from __future__ import annotations

import json
from contextlib import closing

from PySide6.QtWidgets import QDialog
from ui_test_forms import fill_ready_checklist

from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.scales import PHQ9
from ui.dialogs import CommandDialog
from ui.protocol import dialogs

MIN = 60.0


def _from_menu(window, seat, label) -> CommandDialog | None:
    """Click the tile's `+`, then `label`; returns the dialog the window opened (or None)."""
    before = {d for d in window.findChildren(CommandDialog) if d.isVisible()}
    menu = window.grid.tiles[seat].entry_button.menu()
    next(a for a in menu.actions() if a.text() == label).trigger()
    opened = [d for d in window.findChildren(CommandDialog) if d.isVisible() and d not in before]
    return opened[0] if opened else None


def _events(store, *kinds):
    store.flush()
    marks = ",".join("?" * len(kinds))
    with closing(store.reader()) as conn:
        return [
            (k, json.loads(d))
            for k, d in conn.execute(
                f"select kind, data from v_events where kind in ({marks}) order by rowid", kinds
            )
        ]


def _ready_and_pre_dose_bp(live, window, pid) -> CommandDialog:
    ready = dialogs.open_entry(live, pid, "readiness", None, window)
    fill_ready_checklist(ready)
    ready.try_accept()
    if ready.error.text():
        return ready
    # The pre-dose BP by hand through the session (the reading dialog has its own tests).
    live.enter_reading(pid, {"SBP": 132, "DBP": 84}, "RN Kim")
    return ready


def test_a_needs_review_participant_is_approved_from_the_tile_then_dosed(room, store):
    live, window = room
    pid = live.room.on_seat(1).id
    screen = dialogs.open_entry(live, pid, "screening", None, window)
    for rule in DEFAULT_SCREENING:
        screen.fields[rule.question].setCurrentText("yes" if rule.id == "hypertension" else "no")
    screen.fields["Reviewer"].setText("RN Kim")
    screen.try_accept()
    assert live.protocol.of(pid).screening["outcome"] == "needs review"
    refused = _ready_and_pre_dose_bp(live, window, pid)
    assert "eligible screening first (needs review)" in refused.error.text()

    approve = _from_menu(window, 1, "Approve screening review…")
    assert approve.windowTitle().startswith("Approve screening review")
    assert approve.fields["Needs review"].text() == "Uncontrolled hypertension (above 140/90)? yes"
    approve.fields["Reviewer"].setText("Dr Chen")
    approve.try_accept()  # no reason yet: refused, stays open
    assert "reviewer's name and a reason" in approve.error.text() and approve.isVisible()
    assert len(_events(store, "screening.completed")) == 1
    approve.fields["Reason"].setText("controlled on amlodipine, BP 132/84 today")
    approve.try_accept()
    assert approve.error.text() == "" and not approve.isVisible()
    [_, (_, approval)] = _events(store, "screening.completed")
    assert (approval["outcome"], approval["approved_by"], approval["approval_reason"]) == (
        "eligible",
        "Dr Chen",
        "controlled on amlodipine, BP 132/84 today",
    )

    assert _ready_and_pre_dose_bp(live, window, pid).error.text() == ""
    dose = dialogs.open_entry(live, pid, "dose", None, window)
    dose.fields["Route"].setCurrentText("IM")
    dose.fields["Dose (mg)"].setValue(40)
    dose.fields["Weight (kg, 0 = not known)"].setValue(70)
    dose.fields["Lot number"].setText("L-77")
    dose.fields["Given by"].setText("RN Kim")
    dose.try_accept()
    assert dose.error.text() == ""
    [(_, given)] = _events(store, "dose.given")
    assert (given["route"], given["dose_mg"], given["pre_dose_bp"]) == ("IM", 40, [132, 84])
    window.grid.draw_frame()
    assert window.grid.tiles[1].phase.text() == "IM +0 min · dosed"


def test_approval_is_not_offered_for_an_eligible_screening(room, store):
    live, window = room
    assert _from_menu(window, 2, "Approve screening review…") is None
    assert (
        "only a screening that needs review can be approved (this one: not screened)"
        in window.statusBar().currentMessage()
    )


def test_every_scale_item_starts_unanswered_with_its_own_range(room):
    live, window = room
    form = dialogs.open_entry(live, live.room.on_seat(2).id, "scale", None, window).fields["Scale"]
    assert form.scale.currentText() == ""
    ranges = {
        name: {tuple(c.itemText(i) for i in range(c.count())) for c in combos}
        for name, combos in form.items.items()
    }
    assert ranges == {
        "PHQ-9": {("", "0", "1", "2", "3")},
        "GAD-7": {("", "0", "1", "2", "3")},
        "PCL-5": {("", "0", "1", "2", "3", "4")},
    }
    assert [len(c) for c in form.items.values()] == [9, 7, 20]
    assert all(c.currentText() == "" for combos in form.items.values() for c in combos)


def test_a_phq9_with_item_9_positive_is_scored_and_flags_the_tile(room, store):
    live, window = room
    entry = _from_menu(window, 4, "Outcome scale…")
    form = entry.fields["Scale"]
    form.scale.setCurrentText("PHQ-9")
    assert form.items["PHQ-9"][0].isVisibleTo(entry) and not form.items["GAD-7"][0].isVisibleTo(
        entry
    )
    for combo, answer in zip(form.items["PHQ-9"], [1, 0, 2, 0, 1, 0, 0, 0, 1]):
        combo.setCurrentText(str(answer))
    entry.try_accept()
    assert entry.error.text() == "" and entry.result() == QDialog.DialogCode.Accepted
    [(_, scored)] = _events(store, "scale.scored")
    assert (scored["scale"], scored["answers"], scored["total"], scored["band"]) == (
        "PHQ-9",
        [1, 0, 2, 0, 1, 0, 0, 0, 1],
        5,
        "mild",
    )
    assert scored["flags"] == [PHQ9.flags[0].message]
    window.grid.draw_frame()
    assert window.grid.tiles[4].next_due.text().startswith("⚑ PHQ-9 item 9 positive")


def test_a_scale_with_an_unanswered_item_is_refused_and_writes_nothing(room, store):
    live, window = room
    pid = live.room.on_seat(3).id
    entry = dialogs.open_entry(live, pid, "scale", None, window)
    entry.try_accept()
    assert entry.error.text() == "choose the scale: PHQ-9, GAD-7, PCL-5"
    form = entry.fields["Scale"]
    form.scale.setCurrentText("PHQ-9")
    for combo in form.items["PHQ-9"][:8]:  # item 9, the self-harm item, left unanswered
        combo.setCurrentText("0")
    entry.try_accept()
    assert entry.error.text() == "PHQ-9 needs 9 answers, got 8: item 9 is missing"
    assert entry.result() != QDialog.DialogCode.Accepted
    assert _events(store, "scale.scored") == [] and live.protocol.of(pid).flags == []


def test_an_adverse_event_is_recorded_and_resolved_from_the_tile(room, store, clock):
    live, window = room
    event = _from_menu(window, 2, "Adverse event…")
    assert event.fields["Severity"].currentText() == ""
    event.fields["What happened"].setText("nausea, vomited once")
    event.fields["Intervention"].setText("ondansetron 4 mg")
    event.fields["Outcome"].setText("ongoing")
    event.try_accept()  # no severity chosen: refused, nothing written
    assert "severity is mild, moderate, severe" in event.error.text() and event.isVisible()
    assert _events(store, "adverse_event.recorded") == []
    event.fields["Severity"].setCurrentText("moderate")
    event.try_accept()
    [(_, recorded)] = _events(store, "adverse_event.recorded")
    onset = clock.now()

    clock.advance(20 * MIN)
    resolve = _from_menu(window, 2, "Resolve adverse event…")
    chosen = resolve.fields["Adverse event"]
    assert [chosen.itemText(i) for i in range(chosen.count())] == [
        "",
        "moderate: nausea, vomited once · 20 min ago",
    ]
    resolve.fields["Outcome"].setText("settled after ondansetron")
    resolve.try_accept()
    assert resolve.error.text() == "choose the adverse event to resolve"
    chosen.setCurrentIndex(1)
    resolve.fields["Resolved: minutes ago"].setValue(21)
    resolve.try_accept()
    assert "before the adverse event occurred" in resolve.error.text() and resolve.isVisible()
    assert _events(store, "adverse_event.resolved") == []
    resolve.fields["Resolved: minutes ago"].setValue(20)  # the minute it began: allowed
    resolve.try_accept()
    assert resolve.error.text() == "" and not resolve.isVisible()
    [(_, resolved)] = _events(store, "adverse_event.resolved")
    assert resolved == {
        "event_id": recorded["event_id"],
        "outcome": "settled after ondansetron",
        "t_resolved": onset,
        "description": "nausea, vomited once",
    }

    assert _from_menu(window, 2, "Resolve adverse event…") is None  # nothing left open
    assert "has no open adverse event to resolve" in window.statusBar().currentMessage()
