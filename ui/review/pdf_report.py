"""The session report as a PDF, drawn with Qt's own PDF writer (no other dependency).

`write_report` reads a past session read-only and writes the report whole or not at all
(`pdf_file`); with `deidentify` it is the de-identified copy (`groupkap.review.deidentify`:
aliases only, dates shifted by one random offset, staff by role, marked DE-IDENTIFIED, no
date of writing). `render_report` is the drawing alone, fed plain values, so it is tested without a
database; `pdf_pages` says what each page holds, `pdf_layout` where it goes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtGui import QPainter

from groupkap.alarms.limits import LimitSet
from groupkap.review.deidentify import MARKING
from groupkap.review.model import SessionSummary
from groupkap.store.anchor import Head
from ui.review import pdf_pages
from ui.review.pdf_file import CONFIDENTIAL, PdfInMemory, checked_out, draw_footer
from ui.review.pdf_layout import Context, paginate

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ReportResult:
    """What was written.

    Attributes:
        out: the PDF file.
        pages: how many pages it has.
        head_seq, head_hash: the log's chain head the report was made from (page 1 shows
            them), so the file can be checked against the database later.
    """

    out: Path
    pages: int
    head_seq: int | None
    head_hash: str | None


def write_report(
    path: Path,
    session_id: str,
    out: Path,
    progress: Progress | None = None,
    *,
    deidentify: bool = False,
) -> ReportResult:
    """Write the report of session `session_id` in the database at `path` to `out`
    (de-identified with `deidentify`: no chain head is carried then).

    Raises BadInputError for an unknown session or an output that cannot be written (nothing
    is left behind), StorageError for a damaged or missing database.
    """
    from groupkap.review.export_data import deidentifier
    from groupkap.review.export_target import check_session
    from groupkap.review.extremes import limits_at_end
    from groupkap.review.series import load_series
    from groupkap.review.summary import load_summary
    from groupkap.store import queries
    from groupkap.store.store import open_read_only, reading

    out = checked_out(out)
    check_session(Path(path), session_id)  # refused before the first progress line
    if progress is not None:
        progress(0.0, "reading the log")
    summary = load_summary(Path(path), session_id)
    deid = deidentifier(Path(path), summary) if deidentify else None
    original = {new: old for old, new in deid.participants.items()} if deid else {}
    if deid is not None:
        summary = deid.summary(summary)
    conn = open_read_only(Path(path))
    try:
        with reading(Path(path)):
            kinds = ("limits.applied", "limits.changed")
            limits = limits_at_end(queries.events(conn, session_id, kinds=kinds))

            def series_for(pid: str, param: str):
                if deid is None:
                    return load_series(conn, session_id, pid, param)
                series = load_series(conn, session_id, original[pid], param)
                return replace(series, participant_id=pid, t=series.t + deid.offset_s)

            pages = render_report(
                summary,
                series_for,
                out,
                progress,
                deidentified=deid is not None,
                limits_for=lambda pid: limits(original.get(pid, pid)),
            )
    finally:
        conn.close()
    return ReportResult(out, pages, summary.chain.head_seq, summary.chain.head_hash)


def render_report(
    summary: SessionSummary,
    series_for: pdf_pages.SeriesFor,
    out: Path,
    progress: Progress | None = None,
    generated_at: float | None = None,
    deidentified: bool = False,
    limits_for: Callable[[str], LimitSet] | None = None,
) -> int:
    """Draw the report of `summary` to `out` (whole or not at all); returns its page count.

    `series_for(participant_id, param)` gives a Series to plot. `progress(fraction, what)` is
    called as each participant is read and as each page is drawn. `deidentified`: `summary`
    is a de-identified copy; every page says DE-IDENTIFIED and the file carries no date of
    writing. `limits_for(participant_id)`: the alarm limits in force for them at the end, which
    page 1 judges the extremes by (the built-in defaults without it).
    """
    out = checked_out(out)
    report = progress or (lambda fraction, what: None)
    chain = summary.chain
    head = Head(chain.head_seq, chain.head_hash) if chain.head_seq and chain.head_hash else None
    pdf = PdfInMemory(f"GroupKAP session report {summary.id}", head=head, undated=deidentified)
    marking = MARKING if deidentified else CONFIDENTIAL
    painter = QPainter(pdf.writer)
    try:
        ctx = Context(pdf.writer)
        blocks = pdf_pages.summary_blocks(
            summary, None if deidentified else generated_at or time.time(), limits_for
        )
        count = max(len(summary.participants), 1)
        for n, p in enumerate(summary.participants):
            report(0.5 * n / count, f"reading seat {p.seat} · {p.alias}")
            series = pdf_pages.load_plot_series(series_for, p.id)
            blocks += pdf_pages.participant_blocks(summary, p, series)
        blocks += pdf_pages.session_alarm_blocks(summary)
        blocks += pdf_pages.circle_blocks(summary.circle)
        pages = paginate(blocks, ctx, pdf.body(ctx))
        for n, placed in enumerate(pages):
            if n:
                pdf.writer.newPage()
            for item in placed:
                item.block.draw(ctx, painter, item.rect)
            footer = f"GroupKAP session report · session {summary.id}"
            draw_footer(ctx, painter, pdf.page, footer, n + 1, len(pages), marking)
            report(0.5 + 0.5 * (n + 1) / len(pages), f"page {n + 1} of {len(pages)}")
    finally:
        painter.end()
    pdf.save(out)
    return len(pages)
