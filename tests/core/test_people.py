"""People across sessions: registering (birth-year limits, a duplicate refused whatever the
alias's case), the explicit merge, planning a course, a session's participant linked to their
person, and `verify` covering the `people` table and `participants.person_id`. A refused act
writes nothing (or only its `action.refused`). Real SQLite, simulated clock (2023-11-14)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import pytest

from groupkap.accounts import Forbidden
from groupkap.course import COURSES_LOG, CourseConfig, DuplicatePerson, People, Person
from groupkap.errors import BadInputError, ConfigError
from groupkap.settings import settings_from_dict
from groupkap.store import people_queries as pq
from groupkap.store.proof import verify
from tests.core.people_helpers import KIM, LEAD, QA, all_events, log_of, run_session

LATEST_YEAR = 2023 - 16  # the clock's year less the youngest age


@pytest.fixture
def people(store, clock):
    return People(store, clock)


def people_rows(db_path) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(
            "select id, alias, birth_year, full_name, created_by, merged_into from people "
            "order by created_at, id"
        ).fetchall()


# -- registering ---------------------------------------------------------------------------
def test_register_writes_one_event_and_one_row_and_reads_back(people, store, db_path, t0):
    ab = people.register(" A.B. ", 1980, "Ann  Bell", by=KIM)
    assert isinstance(ab, Person)
    assert (ab.alias, ab.birth_year, ab.full_name, ab.created_at) == ("A.B.", 1980, "Ann Bell", t0)
    assert ab.id.startswith("per-") and len(ab.id) == 16 and ab.merged_into is None
    [event] = log_of(store, COURSES_LOG)
    assert event.kind == "person.registered" and event.actor == "RN Kim"
    assert event.participant_id is None
    assert event.data == {
        "person_id": ab.id,
        "alias": "A.B.",
        "birth_year": 1980,
        "full_name": "Ann Bell",
    }
    assert people_rows(db_path) == [(ab.id, "A.B.", 1980, "Ann Bell", "RN Kim", None)]
    assert people.get(ab.id) == ab
    assert people.find("a.b.", 1980) == ab and people.find("A.B.", 1981) is None
    assert people.list() == [ab]


def test_without_an_account_the_facilitator_registers(people, store):
    people.register("C.D.", 1990, by=None)
    assert log_of(store, COURSES_LOG)[0].actor == "facilitator"


@pytest.mark.parametrize("year", [1900, LATEST_YEAR, str(LATEST_YEAR)])
def test_birth_years_at_the_limits_are_taken(people, year):
    assert people.register("E.F.", year, by=KIM).birth_year == int(year)


@pytest.mark.parametrize(
    ("year", "says"),
    [
        (1899, "birth year 1899 is out of range; use 1900 to 2007"),
        (LATEST_YEAR + 1, "birth year 2008 is out of range; use 1900 to 2007"),
        ("19x0", "a birth year is a whole year"),
        (1980.0, "a birth year is a whole year"),
        (True, "a birth year is a whole year"),
        (None, "a birth year is a whole year"),
    ],
)
def test_a_birth_year_out_of_range_is_refused_and_writes_nothing(people, store, year, says):
    before = all_events(store)
    with pytest.raises(BadInputError, match=says):
        people.register("E.F.", year, by=KIM)
    assert all_events(store) == before == []


@pytest.mark.parametrize("alias", ["", "   ", "X" * 25, "A\tB\x07"])
def test_a_bad_alias_is_refused(people, store, alias):
    with pytest.raises(BadInputError, match="alias"):
        people.register(alias, 1980, by=KIM)
    assert all_events(store) == []


def test_an_alias_of_24_characters_is_taken(people):
    assert people.register("X" * 24, 1980, by=KIM).alias == "X" * 24


def test_a_duplicate_differing_only_in_case_is_refused_naming_the_existing_id(
    people, store, db_path
):
    ab = people.register("A.B.", 1980, by=KIM)
    before = all_events(store)
    with pytest.raises(DuplicatePerson) as exc:
        people.register("a.b.", 1980, "Someone Else", by=KIM)
    assert exc.value.existing == ab and isinstance(exc.value, BadInputError)
    assert ab.id in str(exc.value) and "use that person, or merge" in str(exc.value)
    assert all_events(store) == before and len(people_rows(db_path)) == 1
    other_year = people.register("a.b.", 1981, by=KIM)  # same initials, another person
    assert other_year.id != ab.id and len(people.list()) == 2


@pytest.mark.parametrize("typed", ["AB", "a b", "A.B", "a-b.", "  A. B.  "])
def test_the_same_initials_typed_with_other_dots_spaces_or_case_are_one_alias(people, store, typed):
    ab = people.register("A.B.", 1980, by=KIM)
    before = all_events(store)
    with pytest.raises(DuplicatePerson) as exc:
        people.register(typed, 1980, by=KIM)
    assert exc.value.existing == ab and all_events(store) == before
    assert people.find(typed, 1980) == ab
    assert people.find("A.C.", 1980) is None  # one letter more is someone else


def test_a_role_that_may_not_register_is_refused_and_only_the_refusal_is_logged(people, store):
    with pytest.raises(Forbidden, match=r"Quinn QA \(QA\) may not register a person"):
        people.register("A.B.", 1980, by=QA)
    [(_, log, pid, kind, actor)] = all_events(store)
    assert (log, pid, kind, actor) == (COURSES_LOG, None, "action.refused", "Quinn QA")
    assert people.list() == []


def test_get_of_an_unknown_id_is_refused(people):
    with pytest.raises(BadInputError, match="no person per-000000000000"):
        people.get("per-000000000000")


# -- merging -------------------------------------------------------------------------------
@pytest.fixture
def twins(people):
    """One person registered twice: with the right and with a mistyped birth year."""
    return people.register("A.B.", 1980, by=KIM), people.register("AB", 1908, by=KIM)


def test_merge_folds_the_duplicate_into_the_kept_person(people, store, db_path, twins):
    kept, dup = twins
    assert people.merge(dup.id, kept.id, "birth year typed as 1908", by=LEAD) == kept
    event = log_of(store, COURSES_LOG)[-1]
    assert event.kind == "person.merged" and event.actor == "Dr Lee"
    assert event.data == {
        "person_id": dup.id,
        "into": kept.id,
        "reason": "birth year typed as 1908",
    }
    assert people.list() == [kept]
    assert people.get(dup.id) == kept  # a merged id resolves to the kept person
    assert people.find("ab", 1908) == kept
    with pytest.raises(DuplicatePerson, match=kept.id):
        people.register("AB", 1908, by=KIM)  # the duplicate is not made again
    assert {row[0]: row[-1] for row in people_rows(db_path)} == {kept.id: None, dup.id: kept.id}


def test_merge_into_a_merged_id_goes_to_the_kept_person(people, twins):
    kept, dup = twins
    third = people.register("A. B.", 1909, by=KIM)  # another mistyped year
    people.merge(dup.id, kept.id, "one person", by=LEAD)
    assert people.merge(third.id, dup.id, "one person again", by=LEAD) == kept
    with closing(people.store.reader()) as conn:
        assert pq.person_ids(conn, kept.id) == sorted([kept.id]) + sorted([dup.id, third.id])


@pytest.mark.parametrize(
    ("which", "reason", "says"),
    [
        ("self", "same", "cannot be merged into themselves"),
        ("self-via-merged", "same", "already merged"),
        ("unknown-dup", "typo", "no person per-0123456789ab"),
        ("unknown-into", "typo", "no person per-0123456789ab"),
        ("ok", "", "a reason is required"),
        ("ok", "   ", "a reason is required"),
    ],
)
def test_a_bad_merge_is_refused_and_writes_nothing(people, store, twins, which, reason, says):
    kept, dup = twins
    if which == "self-via-merged":
        people.merge(dup.id, kept.id, "one person", by=LEAD)
    pairs = {
        "self": (kept.id, kept.id),
        "self-via-merged": (dup.id, kept.id),
        "unknown-dup": ("per-0123456789ab", kept.id),
        "unknown-into": (dup.id, "per-0123456789ab"),
        "ok": (dup.id, kept.id),
    }
    before = all_events(store)
    with pytest.raises(BadInputError, match=says):
        people.merge(*pairs[which], reason, by=LEAD)
    assert all_events(store) == before


def test_merging_a_person_into_themselves_through_a_merged_id_is_refused(people, twins):
    kept, dup = twins
    people.merge(dup.id, kept.id, "one person", by=LEAD)
    with pytest.raises(BadInputError, match="into themselves"):
        people.merge(kept.id, dup.id, "loop", by=LEAD)


def test_a_facilitator_may_not_merge(people, store, twins):
    kept, dup = twins
    before = all_events(store)
    with pytest.raises(Forbidden, match="only clinic lead or admin may"):
        people.merge(dup.id, kept.id, "one person", by=KIM)
    assert [e[3] for e in all_events(store)[len(before) :]] == ["action.refused"]
    assert people.list() == sorted(twins, key=lambda p: p.alias.casefold())


def test_after_a_merge_the_duplicates_sessions_count_for_the_kept_person(
    people, store, clock, twins
):
    kept, dup = twins
    first, _ = run_session(store, clock, [("A.B.", 1, kept.id)])
    second, _ = run_session(store, clock, [("AB", 2, dup.id)])
    with closing(store.reader()) as conn:
        assert [a.session_id for a in pq.attended(conn, pq.person_ids(conn, kept.id))] == [first.id]
    people.merge(dup.id, kept.id, "one person", by=LEAD)
    with closing(store.reader()) as conn:
        sessions = pq.attended(conn, pq.person_ids(conn, kept.id))
    assert [(a.session_id, a.person_id) for a in sessions] == [
        (first.id, kept.id),
        (second.id, dup.id),
    ]


# -- planning the course -------------------------------------------------------------------
@pytest.mark.parametrize("sessions", [1, 6, 20])
def test_plan_course_records_the_plan(people, store, sessions):
    ab = people.register("A.B.", 1980, by=KIM)
    seq = people.plan_course(ab.id, sessions, date(2024, 3, 1), " after 6 ", by=KIM)
    event = log_of(store, COURSES_LOG)[-1]
    assert event.seq == seq and event.kind == "course.planned"
    assert event.data == {
        "person_id": ab.id,
        "sessions_planned": sessions,
        "booster_due": "2024-03-01",
        "note": "after 6",
    }


@pytest.mark.parametrize(
    ("sessions", "booster", "says"),
    [
        (0, None, "sessions planned must be a whole number from 1 to 20, not 0"),
        (21, None, "from 1 to 20, not 21"),
        (-1, None, "from 1 to 20, not -1"),
        (6.0, None, "not 6.0"),
        (6, "2024-3-1", "write it as YYYY-MM-DD"),
        (6, "2024-02-30", "write it as YYYY-MM-DD"),
        (6, "next spring", "write it as YYYY-MM-DD"),
    ],
)
def test_a_bad_course_plan_is_refused_and_writes_nothing(people, store, sessions, booster, says):
    ab = people.register("A.B.", 1980, by=KIM)
    before = all_events(store)
    with pytest.raises(BadInputError, match=says):
        people.plan_course(ab.id, sessions, booster, by=KIM)
    assert all_events(store) == before


def test_a_course_is_planned_for_the_kept_person_and_qa_may_not_plan(people, store, twins):
    kept, dup = twins
    people.merge(dup.id, kept.id, "one person", by=LEAD)
    people.plan_course(dup.id, 4, by=KIM)
    assert log_of(store, COURSES_LOG)[-1].data["person_id"] == kept.id
    with pytest.raises(Forbidden):
        people.plan_course(kept.id, 4, by=QA)
    assert log_of(store, COURSES_LOG)[-1].kind == "action.refused"


# -- a participant linked to their person --------------------------------------------------
def test_a_participant_added_as_a_person_carries_the_person_id(people, store, clock, db_path):
    ab = people.register("A.B.", 1980, by=KIM)
    live, ids = run_session(store, clock, [("A.B.", 1, ab.id), ("Guest", 2, None)], end=False)
    assert live.room.participants[ids["A.B."]].person_id == ab.id
    assert live.room.participants[ids["Guest"]].person_id is None
    added = [e for e in log_of(store, live.id) if e.kind == "participant.added"]
    assert added[0].data["person_id"] == ab.id and "person_id" not in added[1].data
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("select alias, person_id from participants order by seat").fetchall()
    assert rows == [("A.B.", ab.id), ("Guest", None)]


def test_the_same_person_twice_in_one_room_or_a_bad_id_is_refused(people, store, clock):
    ab = people.register("A.B.", 1980, by=KIM)
    live, _ = run_session(store, clock, [("A.B.", 1, ab.id)], end=False)
    before = all_events(store)
    with pytest.raises(BadInputError, match="already in the room as A.B. on seat 1"):
        live.add_participant("A.B. again", 2, person_id=ab.id)
    with pytest.raises(BadInputError, match="not a person id"):
        live.add_participant("X", 2, person_id="per-XYZ")
    assert all_events(store) == before


# -- verify covers people and the links ----------------------------------------------------
@pytest.fixture
def course_db(people, store, clock, db_path, twins):
    kept, dup = twins
    run_session(store, clock, [("A.B.", 1, kept.id), ("Guest", 2, None)])
    people.merge(dup.id, kept.id, "one person", by=LEAD)
    store.close()
    return db_path, kept, dup


def test_verify_passes_with_people_merges_and_linked_participants(course_db):
    db_path, _, _ = course_db
    report = verify(db_path)
    assert report.ok, report.reason


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("update people set birth_year = 1981 where alias = 'A.B.'", "has birth_year 1981"),
        ("update people set alias = 'Z' where alias = 'A.B.'", "has alias 'Z'"),
        ("update people set merged_into = null", "has merged_into None"),
        ("update people set created_by = 'Dr Who'", "has created_by 'Dr Who'"),
        ("delete from people where alias = 'AB'", "in the log but not in the people table"),
        (
            "insert into people (id, alias, birth_year, created_at) "
            "values ('per-aaaaaaaaaaaa', 'Z', 1970, 0)",
            "person per-aaaaaaaaaaaa is in the people table but not in the log",
        ),
        ("update participants set person_id = null where alias = 'A.B.'", "has person_id None"),
        ("update participants set person_id = 'per-bbbbbbbbbbbb' where alias = 'Guest'", "per-b"),
    ],
)
def test_verify_fails_on_a_people_row_or_link_changed_by_hand(course_db, sql, says):
    db_path, _, _ = course_db
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(sql)
    report = verify(db_path)
    assert not report.ok and says in report.reason, report.reason


# -- the [course] settings -----------------------------------------------------------------
def test_course_settings_default_and_read_from_the_file():
    assert settings_from_dict({}).course == CourseConfig(6, 3, 90)
    doc = {"course": {"sessions_planned": 20, "dislike_at_or_below": 0, "booster_after_days": 7}}
    assert settings_from_dict(doc).course == CourseConfig(20, 0, 7)
    doc = {"course": {"sessions_planned": 1, "dislike_at_or_below": 10, "booster_after_days": 365}}
    assert settings_from_dict(doc).course == CourseConfig(1, 10, 365)


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("sessions_planned", 0, "course.sessions_planned = 0 is out of range; use 1 to 20"),
        ("sessions_planned", 21, "use 1 to 20 sessions"),
        ("sessions_planned", 4.5, "must be a whole number of sessions"),
        ("dislike_at_or_below", -1, "use 0 to 10"),
        ("dislike_at_or_below", 11, "use 0 to 10"),
        ("booster_after_days", 6, "use 7 to 365 days"),
        ("booster_after_days", 366, "use 7 to 365 days"),
        ("booster_after_days", True, "must be a number"),
        ("sessions", 6, "unknown setting course.sessions"),
    ],
)
def test_course_settings_out_of_range_are_refused(key, value, says):
    with pytest.raises(ConfigError, match=says):
        settings_from_dict({"course": {key: value}}, "clinic.toml")


def test_person_links_name_the_linked_participants_of_a_session(people, store, clock):
    ab = people.register("A.B.", 1980, by=KIM)
    live, ids = run_session(store, clock, [("A.B.", 1, ab.id), ("Guest", 2, None)])
    run_session(store, clock, [("A.B.", 1, ab.id)])
    with closing(store.reader()) as conn:
        assert pq.person_links(conn, live.id) == {ids["A.B."]: ab.id}
