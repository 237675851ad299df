"""Where `groupkap export` may write, decided before any work (an existing --out is refused
unless --replace; a suffix that says another format is refused), its progress steps shown as
they happen in a log, and `--db` shown in the help of every command that takes it."""

from __future__ import annotations

import argparse
import io

import pytest

from groupkap.cli import build_parser
from groupkap.errors import BadInputError
from groupkap.review.export_target import check_target, suffix_conflict
from groupkap.review.progress import ProgressLine


@pytest.mark.parametrize(
    ("fmt", "name", "refused"),
    [
        ("json", "a.pdf", True),
        ("pdf", "a.json", True),
        ("pdf", "a.html", True),
        ("csv", "tables.csv", True),
        ("csv", "a.pdf", True),
        ("pdf", "a.PDF", False),
        ("json", "a.json", False),
        ("pdf", "report", False),
        ("csv", "tables", False),
        ("json", "session.2025", False),  # not a format's suffix: nothing contradicted
    ],
)
def test_a_suffix_that_says_another_format_is_refused(tmp_path, fmt, name, refused):
    assert (suffix_conflict(fmt, tmp_path / name) is not None) is refused
    if refused:
        with pytest.raises(BadInputError, match="give --out"):
            check_target(fmt, tmp_path / name)
    else:
        assert check_target(fmt, tmp_path / name) == tmp_path / name


def test_an_existing_file_is_refused_unless_replace_is_asked(tmp_path):
    kept = tmp_path / "report.pdf"
    kept.write_bytes(b"yesterday's report")
    with pytest.raises(BadInputError) as refused:
        check_target("pdf", kept)
    assert str(refused.value) == (
        f"{kept} already exists; add --replace to overwrite it, or choose another --out"
    )
    assert "\n" not in str(refused.value)
    assert check_target("pdf", kept, replace=True) == kept
    assert kept.read_bytes() == b"yesterday's report"  # the check itself writes nothing


def test_a_csv_folder_may_be_new_or_empty_an_earlier_export_needs_replace(tmp_path):
    assert check_target("csv", tmp_path / "new") == tmp_path / "new"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_target("csv", empty) == empty
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "vitals.csv").write_text("t_utc\n")
    with pytest.raises(BadInputError, match="holds an earlier export; add --replace"):
        check_target("csv", earlier)
    assert check_target("csv", earlier, replace=True) == earlier


def test_a_folder_for_a_file_and_a_missing_folder_are_refused(tmp_path):
    with pytest.raises(BadInputError, match="is a folder; give --out a file name"):
        check_target("pdf", tmp_path, replace=True)
    with pytest.raises(BadInputError, match="does not exist; create it"):
        check_target("json", tmp_path / "missing" / "s.json")


def test_a_log_shows_each_new_step_at_once_and_counters_every_10_percent():
    stream = io.StringIO()
    line = ProgressLine(stream)
    line(0.0, "reading the log")
    for n in range(4):  # four seats inside the first 10 %: each is a step of its own
        line(0.02 * n, f"reading seat {n + 1} · P{n}")
    for n in range(1, 21):  # twenty pages from 50 to 100 %: one step, a line every 10 %
        line(0.5 + 0.5 * n / 20, f"page {n} of 20")
    line(1.0, "done")
    lines = stream.getvalue().splitlines()
    assert lines[:5] == [
        "exporting reading the log 0 %",
        "exporting reading seat 1 · P0 0 %",
        "exporting reading seat 2 · P1 2 %",
        "exporting reading seat 3 · P2 4 %",
        "exporting reading seat 4 · P3 6 %",
    ]
    pages = [x for x in lines if "page" in x]
    assert (
        pages[0] == "exporting page 1 of 20 52 %" and pages[-1] == "exporting page 20 of 20 100 %"
    )
    assert len(pages) == 6  # 52, 60, 70, 80, 90, 100
    assert lines[-1] == "exporting page 20 of 20 100 %"  # nothing after 100 %


def _commands(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from _commands(sub, f"{prefix}{name} ")


def test_every_command_that_takes_db_shows_it_in_its_help():
    checked = []
    for name, sub in _commands(build_parser()):
        options = {o for a in sub._actions for o in a.option_strings}
        for option in ("--db", "--config"):
            if option in options:
                assert f"{option} FILE" in sub.format_help(), f"{name}: {option} hidden"
                checked.append(name)
    assert {"record", "export", "review", "verify", "user add"} <= set(checked)


def test_db_before_or_after_the_command_name_is_the_same():
    parser = build_parser()
    before = parser.parse_args(["--db", "/x.db", "export", "S", "--format", "json", "--out", "o"])
    after = parser.parse_args(["export", "S", "--format", "json", "--out", "o", "--db", "/x.db"])
    assert str(before.db) == str(after.db) == "/x.db"
    assert before.replace is False
