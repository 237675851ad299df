"""Adding a participant picks a known person (typed alias, matched with birth year and last
session) or registers a new one; a duplicate is refused with the existing person offered, and
the chosen person's id is stored with the participant (issue 16)."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from groupkap.course import Feedback, Person
from groupkap.music.arcs import PhaseArc, PhaseSection
from groupkap.music.director import MusicDirector
from groupkap.music.library import Playlist, Track
from groupkap.music.silent_player import SilentPlayer
from tests.ui.course_steps import course_log, logged, past_session, register, room
from ui import theme
from ui.course import seat_person
from ui.course.person_picker import alias_key, matching, person_line

ARC = PhaseArc(
    "test arc",
    (
        PhaseSection(
            "calm", 0, 60, Playlist("calm", [Track(Path("/music/Still.wav"), "Still", "t", 120)])
        ),
    ),
)


def _person(alias: str, year: int, pid: str) -> Person:
    return Person(pid, alias, year, None, 0.0)


def test_an_alias_matches_whatever_its_dots_spaces_and_case_and_the_start_comes_first():
    mk, amk, nb = _person("M.K.", 1980, "a"), _person("A.M.K.", 1975, "b"), _person("NB", 1990, "c")
    assert alias_key(" m. k ") == "mk"
    assert matching([amk, nb, mk], "mk") == [mk, amk]  # M.K. begins with it, A.M.K. holds it
    assert matching([amk, nb, mk], "m k.") == [mk, amk]
    assert matching([amk, nb, mk], "zz") == []
    assert matching([amk, nb, mk], "") == [amk, nb, mk]  # nothing typed: everyone


def test_a_row_says_birth_year_and_last_session():
    mk = _person("M.K.", 1980, "a")
    assert person_line(mk, "Thu 2027-01-14") == "M.K. · born 1980 · last session Thu 2027-01-14"
    assert person_line(mk, None) == "M.K. · born 1980 · no session yet"


@pytest.fixture
def live(qapp, store, clock, settings):
    theme.apply_theme(qapp)
    return room(store, clock, settings)


def _dialog(qtbot, live, seat: int = 2):
    dialog = seat_person.add_dialog(live, seat)
    qtbot.addWidget(dialog)
    return dialog


def _rows(dialog) -> list[str]:
    matches = dialog.picker.matches
    return [matches.item(i).text() for i in range(matches.count())]


def _stored_person(store, pid: str) -> str | None:
    store.flush()
    with closing(store.reader()) as conn:
        row = conn.execute("select person_id from participants where id = ?", (pid,)).fetchone()
    return row[0]


def test_two_people_with_the_same_initials_are_told_apart_and_neither_is_chosen_for_you(
    qtbot, live, store, clock, settings
):
    first_day = datetime.fromtimestamp(clock.now()).strftime("%Y-%m-%d")
    older = register(store, clock, "M.K.", 1980)
    younger = register(store, clock, "m.k.", 1992)
    past_session(store, clock, settings, older, Feedback(liking=6))
    live = room(store, clock, settings)  # a week later
    dialog = _dialog(qtbot, live)
    dialog.alias.setText("mk")
    assert _rows(dialog)[:2] == [
        f"M.K. · born 1980 · last session {first_day}",
        "m.k. · born 1992 · no session yet",
    ]
    assert _rows(dialog)[2] == "New person: mk (register with a birth year)"
    assert dialog.picker.chosen() is None and not dialog.picker.is_new()
    dialog.try_accept()
    assert "choose the person from the list" in dialog.error.text()
    assert live.room.participants == {}  # refused, nothing seated

    dialog.picker.matches.setCurrentRow(1)
    assert dialog.picker.chosen() == younger and not dialog.birth_year.isEnabled()
    dialog.try_accept()
    assert dialog.error.text() == ""
    seated = live.room.on_seat(2)
    assert seated.alias == "m.k." and seated.person_id == younger.id
    added = logged(store, live.id, "participant.added")
    assert added[-1].data["person_id"] == younger.id
    assert _stored_person(store, seated.id) == younger.id
    assert len(course_log(store, "person.registered")) == 2  # nobody registered again


def test_someone_new_is_registered_with_alias_and_birth_year_then_seated(qtbot, live, store):
    dialog = _dialog(qtbot, live, seat=3)
    dialog.alias.setText("N.B.")
    assert dialog.picker.is_new() and dialog.birth_year.isEnabled()  # nobody else matches
    dialog.try_accept()
    assert dialog.error.text() == "type the new person's birth year, e.g. 1980"
    dialog.birth_year.setText("2019")  # a child: the core's range
    dialog.try_accept()
    assert "birth year 2019 is out of range" in dialog.error.text()
    assert course_log(store, "person.registered") == [] and live.room.participants == {}

    dialog.birth_year.setText("1985")
    dialog.full_name.setText("Nora Berg")
    dialog.try_accept()
    assert dialog.error.text() == ""
    (registered,) = course_log(store, "person.registered")
    assert registered.data["alias"] == "N.B." and registered.data["birth_year"] == 1985
    assert registered.data["full_name"] == "Nora Berg"
    seated = live.room.on_seat(3)
    assert seated.person_id == registered.data["person_id"] and seated.full_name == "Nora Berg"
    assert dialog.last_time is None  # nothing from last time for someone new


def test_a_duplicate_is_refused_in_the_core_s_words_and_the_existing_person_can_be_used(
    qtbot, live, store, clock
):
    existing = register(store, clock, "M.K.", 1980)
    dialog = _dialog(qtbot, live)
    dialog.alias.setText("m.k.")  # the same alias to the core, whatever its case
    rows = _rows(dialog)
    dialog.picker.matches.setCurrentRow(len(rows) - 1)  # "New person", by mistake
    dialog.birth_year.setText("1980")
    dialog.try_accept()
    assert existing.id in dialog.error.text() and "use that person" in dialog.error.text()
    assert live.room.participants == {}
    assert len(course_log(store, "person.registered")) == 1
    use = dialog.picker.use_existing
    assert not use.isHidden() and use.text() == "Use the existing person (M.K., born 1980)"
    use.click()
    assert dialog.picker.chosen() == existing and use.isHidden()
    dialog.try_accept()
    assert live.room.on_seat(2).person_id == existing.id
    assert len(course_log(store, "person.registered")) == 1


def test_a_taken_seat_is_refused_before_anyone_is_registered(qtbot, live, store, clock):
    register(store, clock, "A.A.", 1970)
    live.add_participant("A.A.", 2)
    dialog = _dialog(qtbot, live, seat=3)
    dialog.seats.addItem("Seat 2", 2)  # as if another workstation took it meanwhile
    dialog.seats.setCurrentIndex(dialog.seats.count() - 1)
    dialog.alias.setText("Z.Z.")
    dialog.birth_year.setText("1990")
    dialog.try_accept()
    assert dialog.error.text() == "seat 2 is taken; choose a free seat"
    assert len(course_log(store, "person.registered")) == 1


def test_a_known_person_s_last_time_appears_once_they_are_seated(
    qtbot, live, store, clock, settings
):
    person = register(store, clock, "J.D.", 1979)
    past_session(store, clock, settings, person, Feedback(liking=2, music_distracting=True))
    live = room(store, clock, settings)
    dialog = _dialog(qtbot, live, seat=1)
    dialog.alias.setText("J.D.")
    dialog.picker.matches.setCurrentRow(0)
    dialog.try_accept()
    panel = dialog.last_time
    assert panel is not None and panel.isVisible()
    qtbot.addWidget(panel)
    assert panel.heading.text() == "J.D. · born 1979 — last time"
    assert "silence" in panel.proposals


def test_a_proposal_accepted_while_preparing_reaches_the_seat_s_music(
    qtbot, live, store, clock, settings
):
    person = register(store, clock, "J.D.", 1979)
    past_session(store, clock, settings, person, Feedback(liking=2, music_distracting=True))
    live = room(store, clock, settings)
    live.music = MusicDirector(
        clock,
        {"SL": ARC},
        live.record_event,
        lambda seat, on_event: SilentPlayer(seat, clock=clock, on_event=on_event),
        t0_of=lambda pid: None,
        route_group_of=lambda pid: "SL",
    )
    dialog = _dialog(qtbot, live, seat=1)
    dialog.alias.setText("J.D.")
    dialog.picker.matches.setCurrentRow(0)
    dialog.try_accept()
    panel = dialog.last_time
    qtbot.addWidget(panel)
    seat = live.music.seats[live.room.on_seat(1).id]
    assert seat.prefs is None or not seat.prefs.silence
    with qtbot.waitSignal(panel.plan_adjusted):
        panel.proposals["silence"][1].click()
    assert seat.prefs.silence


def test_screenshot(qtbot, live, store, clock, settings):
    """For a person to look at: /tmp/k4_add_participant.png (a duplicate refused)."""
    for alias, year in (("M.K.", 1980), ("m.k.", 1992), ("A.M.K.", 1975)):
        register(store, clock, alias, year)
    dialog = _dialog(qtbot, live)
    dialog.alias.setText("M.K.")
    dialog.picker.matches.setCurrentRow(dialog.picker.matches.count() - 1)
    dialog.birth_year.setText("1980")
    dialog.try_accept()
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.picker.use_existing.isHidden()
    assert dialog.grab().save("/tmp/k4_add_participant.png")
