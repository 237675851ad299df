"""The reads of signatures, the notes awaiting a lead's co-signature and the staff's roles:
plain functions of a reading connection (every SELECT lives in groupkap/store)."""

from __future__ import annotations

import sqlite3

_QUEUE = """
select n.seq, n.session_id, n.participant_id, p.alias, n.actor, n.t, n.data
from events n left join participants p on p.id = n.participant_id
where n.kind = 'note.added' and json_extract(n.data, '$.cosign') = 'needed'
  and not exists (
    select 1 from events s where s.kind = 'signature.applied'
      and json_extract(s.data, '$.meaning') = 'review'
      and json_extract(s.data, '$.subject.seq') = n.seq)
"""


def notes_awaiting_cosign(conn: sqlite3.Connection, session_id: str | None = None) -> list[tuple]:
    """(seq, session_id, participant_id, alias, actor, t, data) of every note that needs a
    lead's review signature and has none yet, oldest first (of one session, or all)."""
    sql, args = _QUEUE, ()
    if session_id is not None:
        sql, args = sql + " and n.session_id = ?", (session_id,)
    return conn.execute(sql + " order by n.seq", args).fetchall()


def event_row(conn: sqlite3.Connection, seq: int) -> tuple | None:
    """(session_id, participant_id, kind, hash, data) of event `seq`, or None."""
    return conn.execute(
        "select session_id, participant_id, kind, hash, data from events where seq = ?", (seq,)
    ).fetchone()


def signatures_naming(conn: sqlite3.Connection, seq: int) -> list[tuple]:
    """(seq, t, data) of every signature that names event `seq`, oldest first."""
    return conn.execute(
        "select seq, t, data from events where kind = 'signature.applied' "
        "and json_extract(data, '$.subject.seq') = ? order by seq",
        (seq,),
    ).fetchall()


def signatures_with_their_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(signature seq, signed seq, signed hash, the signed row's hash now or None) of every
    signature, in log order: what `verify` compares."""
    return conn.execute(
        "select s.seq, json_extract(s.data, '$.subject.seq'), "
        "json_extract(s.data, '$.subject.hash'), e.hash from events s "
        "left join events e on e.seq = json_extract(s.data, '$.subject.seq') "
        "where s.kind = 'signature.applied' order by s.seq"
    ).fetchall()


def staff_roles(conn: sqlite3.Connection) -> dict[str, str]:
    """Account name -> role from the users table ({} for a database from before accounts)."""
    try:
        return dict(conn.execute("select name, role from users").fetchall())
    except sqlite3.OperationalError:
        return {}
