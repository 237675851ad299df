"""`groupkap demo` continues courses (issue 16, item 6), end to end in subprocesses: a demo on a
fresh database registers its people and records everyone's feedback; a second demo on the
same database brings the same people back for session 2 of their course, registers no one,
records feedback again, and its music honours the plan carried from the first."""

from __future__ import annotations

import json
import sqlite3

from test_demo_cli import _run

from groupkap.store.proof import verify

DEMO = ("demo", "--seats", "3", "--offscreen", "--minutes", "6", "--speed", "600")


def _demo(db, png):
    result = _run(*DEMO, "--db", str(db), "--screenshot", str(png), timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("course: ")]


def _rows(conn, sql, *args):
    return conn.execute(sql, args).fetchall()


def test_a_second_demo_brings_the_same_people_back_and_plays_as_their_plan_says(tmp_path):
    db = tmp_path / "courses.sqlite3"
    first_lines = _demo(db, tmp_path / "one.png")
    assert first_lines == [
        "course: M.K. (born 1984) on seat 1 (registered now) — session 1 of 6",
        "course: A.R. (born 1971) on seat 2 (registered now) — session 1 of 6",
        "course: J.L. (born 1990) on seat 3 (registered now) — session 1 of 6",
    ]
    second_lines = _demo(db, tmp_path / "two.png")
    assert [line.split(" — ")[1][:14] for line in second_lines] == ["session 2 of 6"] * 3
    assert any("carried: silence" in line for line in second_lines), second_lines

    conn = sqlite3.connect(db)
    first, second = [s for (s,) in _rows(conn, "select id from sessions order by started_at")]
    people = _rows(conn, "select id, alias, birth_year from people order by alias")
    assert [(a, y) for _, a, y in people] == [("A.R.", 1971), ("J.L.", 1990), ("M.K.", 1984)]
    assert len(_rows(conn, "select * from events where kind = 'person.registered'")) == 3
    seated = {
        s: _rows(conn, "select person_id from participants where session_id = ? order by seat", s)
        for s in (first, second)
    }
    assert seated[first] == seated[second] and {p for (p,) in seated[first]} == {
        p for p, _, _ in people
    }
    for session in (first, second):
        feedback = _rows(
            conn,
            "select participant_id from events where session_id = ? and kind = 'feedback.recorded'",
            session,
        )
        assert len(feedback) == 3 and len(set(feedback)) == 3

    # The plan the first session's feedback led to, and the second session's music.
    plan = {}
    for (data,) in _rows(conn, "select data from events where kind = 'plan.adjusted' order by seq"):
        d = json.loads(data)
        assert d["source"] == "proposal"
        if d["after_session"] == first:
            plan[d["person_id"]] = {a["kind"]: a for a in d["adjustments"]}
    participant = dict(
        _rows(conn, "select person_id, id from participants where session_id = ?", second)
    )
    music = {}
    for pid, kind, data in _rows(
        conn,
        "select participant_id, kind, data from events "
        "where session_id = ? and kind like 'music.%'",
        second,
    ):
        music.setdefault(pid, []).append((kind, json.loads(data)))
    silent = [person for person, kinds in plan.items() if "silence" in kinds]
    assert silent  # someone in every demo group finds the music distracting
    for person in silent:
        events = music.get(participant[person], [])
        assert [k for k, _ in events if k == "music.track_started"] == []
        assert ("music.silenced", "their plan") in [(k, d.get("reason")) for k, d in events]
    for person, kinds in plan.items():
        avoid = {t.casefold() for t in kinds.get("avoid_pieces", {}).get("pieces", [])}
        played = {
            d["piece"].casefold()
            for k, d in music.get(participant[person], [])
            if k == "music.track_started"
        }
        assert not avoid & played
    assert verify(db).ok
