"""The PDF report, read back as a lead would see it: poppler counts its pages, extracts its
text and renders its pages to pixels (pdfinfo, pdftotext, pdftoppm from poppler-utils)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_values import (
    ALIASES,
    HEAD_SEQ,
    SID,
    page_count,
    page_image,
    page_text,
    series_for,
    share_like,
    summary,
)

from groupkap.errors import BadInputError
from groupkap.review.times import clock
from ui.review.pdf_plot import CURVE_COLOURS
from ui.review.pdf_report import ReportResult, render_report, write_report


@pytest.fixture(autouse=True)
def _app(qapp):
    """A QApplication first, as in the window: the writer uses it rather than making its own."""
    return qapp


def rendered(tmp_path: Path, name: str = "report.pdf", **kw) -> tuple[Path, int]:
    s = summary(**{k: v for k, v in kw.items() if k != "empty"})
    out = tmp_path / name
    pages = render_report(s, series_for(s, kw.get("empty", frozenset())), out)
    return out, pages


def test_the_report_has_a_summary_a_page_per_participant_and_the_alarms_page(tmp_path):
    out, pages = rendered(tmp_path)
    assert pages == page_count(out) == 1 + len(ALIASES) + 1  # the circle shares the alarms page
    assert page_text(out, 2).startswith("Seat 1 · M.K.")
    assert "All alarms" in page_text(out, pages) and "Sharing circle: fairness" in page_text(
        out, pages
    )


def test_page_one_names_everyone_by_alias_and_carries_the_chain_head(tmp_path):
    out, _ = rendered(tmp_path)
    text = " ".join(page_text(out, 1).split())
    for alias in ALIASES:
        assert alias in text
    assert f"head seq {HEAD_SEQ}, hash ab12cd34ef56ab12…" in text
    assert "check with `groupkap verify`" in text
    assert "GroupKAP is an adjunct display, not a medical device." in text
    assert "CONFIDENTIAL" in text and "Interrupted" not in text


def test_an_interrupted_session_says_where_its_record_ends(tmp_path):
    out, _ = rendered(tmp_path, status="interrupted")
    s = summary(status="interrupted")
    text = " ".join(page_text(out, 1).split())
    assert f"Interrupted: the record ends at {clock(s.ended_at)}." in text


def test_every_page_is_marked_confidential_with_its_number_and_the_session(tmp_path):
    out, pages = rendered(tmp_path)
    for n in range(1, pages + 1):
        text = page_text(out, n)
        assert "CONFIDENTIAL" in text
        assert f"page {n} of {pages}" in text
        assert SID in text


def plot_area(page):
    """The band of a participant page where the plot is, right of the parameter names."""
    h, w = page.shape[:2]
    return page[h // 5 : h * 3 // 5, w * 18 // 100 : w * 97 // 100]


def test_a_participant_page_draws_the_curves(tmp_path):
    out, _ = rendered(tmp_path)
    page = page_image(out, 2)
    assert (page.min(axis=2) < 200).mean() > 0.04  # far from blank: plots, lanes, tables
    for param in ("HR", "SpO2", "SBP", "RR"):
        assert share_like(plot_area(page), CURVE_COLOURS[param]) > 0.002, param


def test_a_participant_without_vitals_gets_empty_plots_not_invented_ones(tmp_path):
    out, _ = rendered(tmp_path, empty=frozenset({"p1"}))
    without, with_ = plot_area(page_image(out, 2)), plot_area(page_image(out, 3))
    for param in ("HR", "SpO2", "RR"):
        assert share_like(with_, CURVE_COLOURS[param]) > 0.002, param
        assert share_like(without, CURVE_COLOURS[param]) < 0.0005, param


def test_a_long_alarm_table_goes_on_over_the_next_page_with_its_header(tmp_path):
    out, pages = rendered(tmp_path, alarms_for_p1=80)
    assert pages == page_count(out) > 1 + len(ALIASES) + 1
    texts = [page_text(out, n) for n in range(1, pages + 1)]
    going_on = [t for t in texts if "Seat 1 · M.K.: alarms (continued)" in t]
    assert going_on and all("Raised" in t and "Acknowledged" in t for t in going_on)
    assert any("All alarms (continued)" in t for t in texts)


def test_unanswered_alarms_are_marked_in_words(tmp_path):
    out, pages = rendered(tmp_path)
    alarms_page = page_text(out, pages)
    assert alarms_page.count("✗ unanswered") == 1  # seat 2's BP alarm
    assert "2 · Sunflower" in alarms_page


def test_progress_is_reported_for_every_page_and_ends_at_one(tmp_path):
    s = summary()
    calls: list[tuple[float, str]] = []
    pages = render_report(s, series_for(s), tmp_path / "r.pdf", lambda f, w: calls.append((f, w)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [w for _, w in calls if w.startswith("page")] == [
        f"page {n} of {pages}" for n in range(1, pages + 1)
    ]


def test_a_missing_folder_is_refused_before_any_work_naming_the_path(tmp_path):
    s = summary()
    asked: list[str] = []

    def series(pid, param):
        asked.append(pid)
        return series_for(s)(pid, param)

    out = tmp_path / "no such folder" / "report.pdf"
    with pytest.raises(BadInputError, match="no such folder"):
        render_report(s, series, out)
    assert asked == [] and not out.parent.exists()


def test_an_unwritable_place_leaves_no_file_and_names_the_path(tmp_path):
    out = Path("/proc/groupkap-report.pdf")  # a folder nobody, not even root, can create in
    with pytest.raises(BadInputError, match="cannot write /proc/groupkap-report.pdf"):
        render_report(summary(), series_for(summary()), out)
    assert not out.exists()


def test_a_failure_half_way_leaves_the_old_file_and_no_temporary_one(tmp_path):
    out = tmp_path / "report.pdf"
    out.write_bytes(b"yesterday's report")
    s = summary()

    def broken(pid, param):
        if pid == "p3":
            raise OSError("disk read error")
        return series_for(s)(pid, param)

    with pytest.raises(OSError, match="disk read error"):
        render_report(s, broken, out)
    assert out.read_bytes() == b"yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_the_report_file_is_readable_by_its_owner_only(tmp_path):
    out, _ = rendered(tmp_path)
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_headless_export_needs_no_window_and_no_display(tmp_path):
    """As `groupkap export --format pdf` runs on a server: no QApplication, no DISPLAY, no
    QT_QPA_PLATFORM; the writer makes its own offscreen application for the fonts."""
    out = tmp_path / "headless.pdf"
    script = (
        "import sys; sys.path.insert(0, 'tests/ui'); from pathlib import Path\n"
        "from pdf_values import summary, series_for\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "from ui.review.pdf_report import render_report\n"
        "assert QGuiApplication.instance() is None\n"
        "s = summary()\n"
        f"print(render_report(s, series_for(s), Path({str(out)!r})))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.pop("WAYLAND_DISPLAY", None)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == page_count(out) == 1 + len(ALIASES) + 1


# -- from a recorded session --------------------------------------------------------------
def test_write_report_reads_a_recorded_session(review_db, tmp_path):
    from groupkap.review.summary import load_summary

    db, sid = review_db
    real = load_summary(db, sid)
    out = tmp_path / "session.pdf"
    result = write_report(db, sid, out)
    assert result == ReportResult(out, result.pages, real.chain.head_seq, real.chain.head_hash)
    assert result.pages == page_count(out)
    assert result.pages in (1 + len(real.participants) + 1, 1 + len(real.participants) + 2)
    first = " ".join(page_text(out, 1).split())
    for p in real.participants:
        assert p.alias in first
    assert f"head seq {real.chain.head_seq}," in first
    page = page_image(out, 2)
    assert share_like(page, CURVE_COLOURS["SpO2"]) > 0.001  # the stored SpO2 drawn


def test_an_unknown_session_is_refused_and_writes_nothing(review_db, tmp_path):
    db, _ = review_db
    out = tmp_path / "session.pdf"
    with pytest.raises(BadInputError, match="no session nope"):
        write_report(db, "nope", out)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_poppler_is_installed():
    """The report's own tests need it; scripts/setup.sh installs poppler-utils."""
    assert shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdfinfo")
