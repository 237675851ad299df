"""`groupkap course [PERSON] [--json]`: the people and their course position, or one person's
course page, at the command line (read-only); and the explicit merge step for one person
registered twice: `groupkap course DUPLICATE --merge-into KEPT --by NAME --reason TEXT` (a
clinic lead or an admin; the PIN read from standard input, or asked unseen on a terminal).

PERSON is a person's id (`per-…`) or their alias (any case). An alias that names more than
one person is refused with their birth years and ids, so the right one can be given. Full
names and the care team's free text stay out of this output: it is for leads and QA, and
may end up in a file; the course window shows them to the care team.
Exit codes: 0 ok, 2 bad usage or bad input (one line on stderr, from `cli.main`).
"""

from __future__ import annotations

import argparse
import json
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from groupkap.course.history import Course, CourseSession, load_course
from groupkap.course.plan import CarriedPlan
from groupkap.course.readiness import (
    PersonLine,
    done_words,
    feedback_line,
    next_position,
    people_overview,
)
from groupkap.errors import BadInputError
from groupkap.global_options import add_global_options
from groupkap.log_commands import EXIT_OK, db_path
from groupkap.review.times import local_date
from groupkap.store import people_queries as pq
from groupkap.store.store import open_read_only, reading

WITHHELD_FROM_OUTPUT = ("free_text",)
"""Feedback fields the command never prints (care team only)."""
NONE = "–"
CONTACT_WITHHELD = "a trusted person's contact (shown in the course window)"


def add_parser(sub) -> None:
    cmd = sub.add_parser(
        "course",
        help="the people and their course position, or one person's course (read-only)",
    )
    cmd.add_argument("person", nargs="?", help="a person's id (per-…) or alias")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.add_argument(
        "--merge-into",
        metavar="KEPT",
        help="PERSON was registered twice: fold that record into KEPT (id or alias)",
    )
    cmd.add_argument("--by", metavar="NAME", help="who merges (clinic lead or admin; PIN read)")
    cmd.add_argument("--reason", default="", help="why the two records are one person")
    add_global_options(cmd)


def find_person(path: Path, person: str) -> str:
    """The kept id `person` (an id or an alias, any case) names; BadInputError when it names
    nobody or, as an alias, more than one person (their birth years listed)."""
    conn = open_read_only(path)
    with closing(conn), reading(path):
        if person.startswith("per-"):
            kept = pq.kept_id(conn, person)
            if kept is not None:
                return kept
        wanted = " ".join(person.split()).casefold()
        matches = [p for p in pq.people(conn) if p.alias.casefold() == wanted]
    if not matches:
        raise BadInputError(f"no person {person!r} in {path}; `groupkap course` lists them")
    if len(matches) > 1:
        whom = ", ".join(f"born {p.birth_year} ({p.id})" for p in matches)
        raise BadInputError(
            f"{len(matches)} people have the alias {matches[0].alias}: {whom}; give the id"
        )
    return matches[0].id


def run(args: argparse.Namespace, settings) -> int:
    path = db_path(args)
    if args.merge_into or args.by:
        return _merge(args, path, settings)
    if args.person is None:
        lines = people_overview(path, settings=settings)
        if args.json:
            print(json.dumps(_lines_json(lines), indent=2, ensure_ascii=False))
        else:
            _print_lines(lines, path)
        return EXIT_OK
    course = load_course(path, find_person(path, args.person), settings=settings)
    if args.json:
        print(json.dumps(course_json(course), indent=2, ensure_ascii=False))
    else:
        _print_course(course)
    return EXIT_OK


def _merge(args: argparse.Namespace, path: Path, settings) -> int:
    """Everything is checked before the PIN is asked for; nothing is written on a refusal."""
    if not (args.person and args.merge_into and args.by):
        raise BadInputError(
            "a merge needs all of: groupkap course DUPLICATE --merge-into KEPT --by NAME "
            "--reason TEXT"
        )
    if not args.reason.strip():
        raise BadInputError("say why the two records are one person: --reason TEXT")
    if not path.exists():
        raise BadInputError(f"no database at {path}")
    duplicate, kept = find_person(path, args.person), find_person(path, args.merge_into)
    from groupkap.account_commands import read_pin
    from groupkap.accounts import Accounts
    from groupkap.clock import RealClock
    from groupkap.course import COURSES_LOG, People
    from groupkap.store import Store

    pin = read_pin(f"PIN of {args.by}: ")
    with Store.open(path, RealClock(), must_exist=True) as store:
        accounts = Accounts(store, store.clock, settings.security, session_id=COURSES_LOG)
        account = accounts.sign_in(args.by, pin, purpose="person merge")
        person = People(store, store.clock).merge(duplicate, kept, args.reason, by=account)
    print(f"{duplicate} merged into {person.alias} ({person.id}): its sessions count for them")
    return EXIT_OK


# -- JSON ---------------------------------------------------------------------------------
def _person_json(person) -> dict:
    return {"id": person.id, "alias": person.alias, "birth_year": person.birth_year}


def _lines_json(lines: list[PersonLine]) -> dict:
    return {
        "people": [
            {
                **_person_json(line.person),
                "sessions_done": line.sessions_done,
                "sessions_planned": line.sessions_planned,
                "last_session": line.last_session,
                "flags": list(line.flags),
            }
            for line in lines
        ]
    }


def _feedback_json(fb) -> dict | None:
    if fb is None:
        return None
    return {k: v for k, v in fb.as_data().items() if k not in WITHHELD_FROM_OUTPUT}


def _session_json(s: CourseSession) -> dict:
    data = asdict(s)
    data["date"] = local_date(s.started_at)
    data["feedback"] = _feedback_json(s.feedback)
    return data


def _adjustment_text(a) -> str:
    """An adjustment's words; a trusted person's name and phone stay in the course window
    (contact numbers are for the roles that need them, not for a file)."""
    return CONTACT_WITHHELD if a.kind == "trusted_contact" else a.text


def _adjustment_json(a) -> dict:
    return {**a.as_data(), "text": _adjustment_text(a)}


def _plan_json(plan: CarriedPlan) -> dict:
    return {
        "last_session_id": plan.last_session_id,
        "last_feedback": _feedback_json(plan.last_feedback),
        "adjustments": [_adjustment_json(a) for a in plan.adjustments],
        "proposals": [_adjustment_json(a) for a in plan.proposals],
        "music": {"silence": plan.music.silence, "avoid": sorted(plan.music.avoid)},
    }


def course_json(course: Course) -> dict:
    """The course as `groupkap course PERSON --json` prints it: the same keys every time,
    lists in course order (sets sorted), times as UTC epoch seconds."""
    return {
        "person": _person_json(course.person),
        "sessions_planned": course.sessions_planned,
        "sessions_done": course.sessions_done,
        "next_session": next_position(course.sessions_done, course.sessions_planned),
        "next_due": course.next_due,
        "open_flags": list(course.open_flags),
        "sessions": [_session_json(s) for s in course.sessions],
        "outcomes": {
            scale: [asdict(p) for p in points] for scale, points in course.outcomes.items()
        },
        "plan": _plan_json(course.plan),
    }


# -- text ---------------------------------------------------------------------------------
def _print_lines(lines: list[PersonLine], path: Path) -> None:
    if not lines:
        print(f"no people registered in {path}; register them when adding a participant")
        return
    print(f"{'person':<17} {'alias':<12} {'born':>4}  {'course':<22} {'last session':<12}  flags")
    for line in lines:
        p = line.person
        print(
            f"{p.id:<17} {p.alias:<12} {p.birth_year:>4}  {line.position:<22} "
            f"{line.last_session or NONE:<12}  {'; '.join(line.flags) or NONE}"
        )
    print(f"{len(lines)} {'person' if len(lines) == 1 else 'people'}")


def _count(n: int | None, word: str) -> str:
    """`1 turn`, `2 passes`."""
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{n} {word if n == 1 else plural}"


def _num(value, unit: str = "") -> str:
    return NONE if value is None else f"{value:g}{unit}"


def session_words(s: CourseSession) -> str:
    """One session as a line of the course page."""
    dose = f"{s.route} {s.dose_mg:g} mg" if s.route and s.dose_mg is not None else "not dosed"
    bp = f"{_num(s.peak_sbp)}/{_num(s.peak_dbp)}"
    circle = (
        "no circle"
        if s.circle_turns is None
        else f"circle {_count(s.circle_turns, 'turn')}, {_count(s.circle_passes, 'pass')}"
    )
    discharge = NONE if s.discharge_minute is None else f"T0 +{s.discharge_minute:g} min"
    return (
        f"{local_date(s.started_at)}  {s.alias}  {dose}  peak BP {bp}  "
        f"lowest SpO2 {_num(s.lowest_spo2, '%')}  alarms {s.alarms} ({s.high_alarms} high)  "
        f"MOAA/S {_num(s.lowest_moaas)}  CADSS {_num(s.highest_cadss)}  "
        f"adverse events {', '.join(s.adverse_events) or NONE}  {circle}  discharge {discharge}"
    )


def _print_course(course: Course) -> None:
    p = course.person
    print(f"{p.alias}, born {p.birth_year} ({p.id})")
    due = f" · next booster due {course.next_due}" if course.next_due else ""
    next_one = next_position(course.sessions_done, course.sessions_planned)
    print(f"{done_words(course.sessions_done, course.sessions_planned)}{due} · next: {next_one}")
    print(f"flags: {'; '.join(course.open_flags) or 'none open'}")
    print(f"\nsessions ({len(course.sessions)}):")
    for s in course.sessions:
        print(f"  {session_words(s)}")
        if s.pieces:
            print(f"      music: {', '.join(s.pieces)}")
        if s.feedback is not None:
            print(f"      feedback: {feedback_line(s.feedback)}")
    print("\noutcomes:")
    for scale, points in course.outcomes.items():
        trend = ", ".join(f"{local_date(q.t)} {q.total} ({q.band})" for q in points)
        print(f"  {scale}: {trend}")
    if not course.outcomes:
        print("  none scored")
    plan = course.plan
    print("\nfor the next session:")
    for a in plan.adjustments:
        print(f"  decided: {_adjustment_text(a)}")
    for a in plan.proposals:
        print(f"  proposed: {_adjustment_text(a)}")
    if not plan.adjustments and not plan.proposals:
        print("  nothing carried")
