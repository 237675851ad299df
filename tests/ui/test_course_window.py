"""The course page (issue 16): one person's sessions in words, the outcome trend on its bands
with the flag said in words, where the course stands, a clear empty state, "not recorded" for
what was never recorded, and full names only for the roles that see them.

The recorded course (`tests/course_fixture.py`, the `course_db` fixture) is read once per
run; the expectations are written out from the Course values here, not through the words
the window uses, so a wording slip fails."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from groupkap.accounts import Account
from groupkap.course import CarriedPlan, Feedback, MusicPrefs, People, Person
from groupkap.course.history import Course, CourseSession, load_course
from groupkap.course.outcomes import OutcomePoint
from groupkap.store import Store
from ui import theme
from ui.course import course_words as words
from ui.course.course_window import NO_OPEN_FLAGS, CourseWindow
from ui.course.outcome_plot import band_spans

FACILITATOR = Account("u-1", "RN Kim", "facilitator")
MEDICAL = Account("u-2", "Dr Ode", "medical")
QA = Account("u-3", "QA Ray", "qa")


def _cells(model) -> list[dict[str, str]]:
    """Each row of a table model as {one-line column title: its text}."""
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [
        {title.replace("\n", " "): model.data(model.index(r, c)) for c, title in enumerate(titles)}
        for r in range(model.rowCount())
    ]


def _open(qtbot, path: Path, person_id: str, **kwargs) -> CourseWindow:
    window = CourseWindow(path, person_id, **kwargs)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.show()
    return window


@pytest.fixture(scope="module")
def course(course_db) -> Course:
    return load_course(course_db.path, course_db.person_id)


@pytest.fixture
def page(qtbot, qapp, course_db) -> CourseWindow:
    theme.apply_theme(qapp)
    window = _open(qtbot, course_db.path, course_db.person_id)
    window.resize(1366, 768)
    return window


def test_the_sessions_table_says_each_session_s_figures_in_words(page, course):
    rows = _cells(page.sessions_model)
    assert len(rows) == len(course.sessions) == 3
    assert page.tabs.tabText(0) == "Sessions (3)"
    for n, (row, s) in enumerate(zip(rows, course.sessions, strict=True), start=1):
        day = datetime.fromtimestamp(s.started_at).strftime("%Y-%m-%d")
        assert row["Session"].startswith(f"{n} · ") and row["Session"].endswith(day)
        assert row["Dose"] == f"{s.route} {s.dose_mg:g} mg"
        assert row["Peak BP"] == f"{s.peak_sbp:.0f}/{s.peak_dbp:.0f}"
        assert row["Lowest SpO2"] == f"{s.lowest_spo2:.0f} %"
        high = f" ({s.high_alarms} high)" if s.high_alarms else ""
        assert row["Alarms"] == (f"{s.alarms}{high}" if s.alarms else "none")
        assert row["MOAA/S lowest"] == str(s.lowest_moaas)
        assert row["CADSS highest"] == str(s.highest_cadss)
        assert row["Discharge at"] == f"T0+{s.discharge_minute:.0f} min"
        turns = f"{s.circle_turns} turn{'s' if s.circle_turns != 1 else ''}"
        passes = f"{s.circle_passes} pass{'es' if s.circle_passes != 1 else ''}"
        assert row["Circle"] == f"{turns}, {passes}"
        assert row["Adverse events"] == (", ".join(s.adverse_events) or "none recorded")
        assert row["Music"] == f"{len(s.pieces)} pieces: {', '.join(s.pieces)}"
    assert rows[0]["Adverse events"] == "nausea (mild)"  # the fixture's session 1


def test_the_course_position_and_the_outcome_plot(page, course):
    assert page.position.text() == f"session 3 of {course.sessions_planned} planned"
    points = sum(len(p) for p in course.outcomes.values())
    assert points == 3 and page.plot.point_count() == points
    assert list(page.plot.lanes) == ["PHQ-9"]  # only the scale actually scored
    rings = page.plot.flag_marks["PHQ-9"]
    assert len(rings.data) == 1 and rings.data[0]["y"] == 18  # session 1's item 9
    labels = [label.toPlainText() for label in page.plot.labels["PHQ-9"]]
    assert labels == ["18 \u2691", "10", "5"]
    said = page.plot.flags_label.text()
    assert page.plot.flags_label.isVisible() and "PHQ-9 item 9 positive" in said
    assert words.date(course.outcomes["PHQ-9"][0].t) in said
    # The latest PHQ-9 closed the item-9 flag: the header says so in words.
    assert course.open_flags == () and page.flags.text() == NO_OPEN_FLAGS


def test_the_feedback_and_the_carried_plan(page, course):
    rows = _cells(page.history.model)
    assert [r["Liking, resonance, openness"] for r in rows] == [
        "2, 3, 5 of 10",
        "4, 4, 6 of 10",
        "no feedback recorded",
    ]
    assert rows[0]["They said"] == ("music distracting · avoid Open Sky · anxiety: peak · nausea")
    assert "spoke about her brother" in rows[0]["Free text (care team)"]  # no account: all
    assert page.history.plan_label.text().startswith("The team has not adjusted the plan")


def test_the_free_text_and_full_names_follow_the_role(qtbot, course_db, tmp_path, clock):
    qa = _open(qtbot, course_db.path, course_db.person_id, account=QA)
    titles = [t.replace("\n", " ") for t in (c.title for c in qa.history.model.columns)]
    assert "Free text (care team)" not in titles
    assert not any("brother" in v for row in _cells(qa.history.model) for v in row.values())
    store = Store.open(tmp_path / "named.sqlite3", clock)
    person = People(store, clock).register("J.D.", 1970, "Jane Doe", by=None)
    store.close()
    seen = {
        who: _open(qtbot, tmp_path / "named.sqlite3", person.id, account=who).who.text()
        for who in (FACILITATOR, MEDICAL, None)
    }
    assert seen[FACILITATOR] == "J.D. · born 1970"
    assert seen[MEDICAL] == seen[None] == "Jane Doe · J.D. · born 1970"


def test_a_person_without_sessions_shows_a_clear_empty_state(qtbot, tmp_path, clock):
    store = Store.open(tmp_path / "new.sqlite3", clock)
    person = People(store, clock).register("A.B.", 1975, by=None)
    store.close()
    window = _open(qtbot, tmp_path / "new.sqlite3", person.id)
    assert window.pages.currentWidget() is window.message
    assert window.message.text().startswith("No sessions yet for A.B.")
    assert window.position.text() == "no sessions yet · 6 planned"
    assert window.problem is None


def test_an_unknown_person_is_said_not_shown_empty(qtbot, course_db):
    window = _open(qtbot, course_db.path, "per-000000000000")
    assert window.course is None and "no person per-000000000000" in window.problem
    assert window.pages.currentWidget() is window.message


def _made_course(session: CourseSession, outcomes: dict) -> Course:
    person = Person("per-0123456789ab", "M.K.", 1980, None, 0.0)
    plan = CarriedPlan(person.id, session.session_id, session.feedback, (), (), MusicPrefs())
    flags = ("PHQ-9 item 9 positive on 2027-01-14",)
    return Course(person, (session,), outcomes, 6, 1, "2027-02-01", plan, flags)


def test_what_was_never_recorded_says_not_recorded(qtbot):
    bare = CourseSession("s-1", 1_800_000_000.0, "p-1", "M.K.", route="IM", dose_mg=40.0)
    course = _made_course(bare, {})
    window = _open(qtbot, Path("unused"), "per-0123456789ab", read=lambda *_: course)
    row = _cells(window.sessions_model)[0]
    for title in ("Peak BP", "Lowest SpO2", "MOAA/S lowest", "CADSS highest", "Circle"):
        assert row[title] == "not recorded", title
    assert row["Discharge at"] == "not recorded"
    assert all(text and text != "0" for text in row.values())  # never blank, never a 0
    dim = window.sessions_model.data(
        window.sessions_model.index(0, 2), Qt.ItemDataRole.ForegroundRole
    )
    assert dim == QColor(theme.TEXT_DIM)
    assert window.position.text() == "session 1 of 6 planned · next booster due 2027-02-01"
    assert window.flags.text() == "\u2691 Open flag: PHQ-9 item 9 positive on 2027-01-14"
    assert window.plot.empty_label.isVisibleTo(window) and window.plot.point_count() == 0


def test_each_scale_scored_gets_its_lane_on_its_bands(qtbot):
    fb = Feedback(liking=5)
    session = CourseSession("s-1", 1_800_000_000.0, "p-1", "M.K.", feedback=fb)
    points = {
        "GAD-7": [OutcomePoint(1_800_000_000.0, "s-1", "GAD-7", 9, "mild")],
        "PHQ-9": [
            OutcomePoint(1_800_000_000.0, "s-1", "PHQ-9", 20, "severe", ("PHQ-9 item 9 x",)),
            OutcomePoint(1_800_600_000.0, "s-2", "PHQ-9", 4, "minimal"),
        ],
    }
    window = _open(
        qtbot, Path("unused"), "per-0123456789ab", read=lambda *_: _made_course(session, points)
    )
    assert list(window.plot.lanes) == ["PHQ-9", "GAD-7"] and window.plot.point_count() == 3
    right = window.plot.lanes["PHQ-9"].getAxis("right")
    named = [label for _, label in right._tickLevels[0]]
    assert named == ["minimal", "mild", "moderate", "moderately severe", "severe"]


def test_band_spans_put_each_cut_off_inside_its_band():
    from groupkap.protocol.scales import PHQ9

    spans = band_spans(PHQ9)
    assert spans[0] == (-0.5, 4.5, "minimal")
    assert spans[1] == (4.5, 9.5, "mild")  # a total of 5 is mild, 4 minimal
    assert spans[-1] == (19.5, 27.5, "severe")


@pytest.mark.parametrize(
    ("done", "planned", "due", "said"),
    [
        (4, 6, "2027-02-01", "session 4 of 6 planned · next booster due 2027-02-01"),
        (0, 6, None, "no sessions yet · 6 planned"),
        (6, 6, None, "session 6 of 6 planned"),
        (7, 6, None, "session 7 · 6 were planned"),
    ],
)
def test_the_course_position_in_words(done, planned, due, said):
    assert words.position(done, planned, due) == said


def _near(image, x: int, y: int, colour: str, reach: int) -> bool:
    """Whether a pixel within `reach` of (x, y) is `colour`, give or take antialiasing."""
    want = QColor(colour)
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            got = image.pixelColor(x + dx, y + dy)
            if max(abs(got.red() - want.red()), abs(got.green() - want.green()),
                   abs(got.blue() - want.blue())) < 40:  # fmt: skip
                return True
    return False


def test_a_screenshot_of_three_sessions(page, course, tmp_path):
    """The picture a person looks at (saved beside the test), and the flagged point's ring
    drawn in the high-alarm colour where the PHQ-9 of 18 is."""
    image = page.grab().toImage()
    assert image.save(str(tmp_path / "course.png"))
    first = course.outcomes["PHQ-9"][0]
    plot, graphics = page.plot.lanes["PHQ-9"], page.plot.graphics
    at = graphics.mapTo(page, graphics.mapFromScene(plot.vb.mapViewToScene(QPointF(first.t, 18))))
    ring = theme.px(20) // 2
    assert _near(image, at.x() + ring, at.y(), theme.ALARM_COLOURS["high"], 3)
    later = course.outcomes["PHQ-9"][1]
    at = graphics.mapTo(page, graphics.mapFromScene(plot.vb.mapViewToScene(QPointF(later.t, 10))))
    assert not _near(image, at.x() + ring, at.y(), theme.ALARM_COLOURS["high"], 3)
