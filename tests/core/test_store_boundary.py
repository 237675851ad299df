"""Every read and write of the session database goes through `groupkap/store` (DESIGN.md,
"many rooms"): no module of `groupkap/` or `ui/` outside it holds SQL that writes, or runs SQL.

The check reads the source with `ast`, so only string constants count (a comment or a name such
as `update_limits` never does), and a statement split over adjacent literals is read whole.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "groupkap" / "store"

WRITE_SQL = re.compile(
    r"""\b(?:
        insert\s+(?:or\s+\w+\s+)?into
      | replace\s+into
      | update\s+(?:or\s+\w+\s+)?["\w.]+\s+set
      | delete\s+from
      | create\s+(?:temp(?:orary)?\s+|unique\s+)?(?:table|view|index|trigger)
      | drop\s+(?:table|view|index|trigger)
      | alter\s+table
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
"""SQL that changes the database, as a statement starts; English prose ("update the
limits", "delete the file", "create a folder") does not match."""

EXECUTE = {"execute", "executemany", "executescript"}


def outside_store() -> list[Path]:
    files = [*(ROOT / "groupkap").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    return sorted(f for f in files if STORE not in f.parents)


def string_constants(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def sql_writes(source: str, name: str = "<source>") -> list[str]:
    """`line: statement` for every string constant in `source` that holds SQL that writes."""
    return [
        f"{node.lineno}: {' '.join(node.value.split())[:80]}"
        for node in string_constants(ast.parse(source, name))
        if WRITE_SQL.search(node.value)
    ]


def execute_calls(source: str, name: str = "<source>") -> list[str]:
    """`line: .execute(` for every call of a DB-API execute method in `source`."""
    return [
        f"{node.lineno}: .{node.func.attr}("
        for node in ast.walk(ast.parse(source, name))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in EXECUTE
    ]


def offenders(find) -> dict[str, list[str]]:
    found = {}
    for path in outside_store():
        hits = find(path.read_text(encoding="utf-8"), str(path))
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_the_checks_see_sql_and_ignore_prose():
    """Without this, the two tests below could pass while proving nothing."""
    sample = '''
"""Update the limits, then delete the file and create a folder; insert the tape."""
import sqlite3
WRITES = [
    "insert into participants (id) values (?)",
    "INSERT OR REPLACE INTO sessions values (?)",
    "update participants set seat = ? "
    "where id = ?",
    f"delete from {'events'} where seq = 1",
    "create view v_x as select 1", "drop trigger t", "alter table x add y",
]
conn = sqlite3.connect(":memory:")
conn.execute("select 1")  # update x set y = 1 (a comment is no string)
conn.executemany("select ?", [(1,)])
update_limits = "select * from events"
'''
    assert len(sql_writes(sample)) == 7
    assert execute_calls(sample) == ["13: .execute(", "14: .executemany("]
    assert len(outside_store()) > 20 and not any(STORE in p.parents for p in outside_store())


def test_no_sql_that_writes_outside_the_store():
    assert offenders(sql_writes) == {}


def test_nothing_outside_the_store_runs_sql():
    assert offenders(execute_calls) == {}
