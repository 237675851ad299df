"""The PDF report's flow layout on a real QPdfWriter (measured, not drawn), and its print
palette's contrast on white paper."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from ui.review.pdf_file import PdfInMemory
from ui.review.pdf_layout import (
    ALERT,
    HEADER_FILL,
    INK,
    MUTED,
    ZEBRA,
    Column,
    Context,
    PageBreak,
    Paragraph,
    Row,
    Spacer,
    Table,
    heading,
    paginate,
)
from ui.review.pdf_plot import BAND_COLOURS, CURVE_COLOURS, MARK_COLOURS
from ui.theme import BOUNDARY_CONTRAST, TEXT_CONTRAST, contrast_ratio

WHITE = "#ffffff"


@pytest.fixture
def ctx(qapp) -> Context:
    pdf = PdfInMemory("layout test")
    yield Context(pdf.writer)


def table(rows: int, continued: str = "") -> Table:
    return Table(
        [Column("Time", 1), Column("What", 3)],
        [Row([f"09:{n:02d}", f"row {n}"]) for n in range(rows)],
        continued=continued,
    )


def body(ctx: Context, points: float) -> QRectF:
    return QRectF(0, 0, ctx.pt(500), ctx.pt(points))


def test_blocks_fill_a_page_then_go_on_to_the_next(ctx):
    blocks = [Spacer(300), Spacer(300), Spacer(300)]
    pages = paginate(blocks, ctx, body(ctx, 700))
    assert [len(p) for p in pages] == [2, 1]


def test_a_heading_never_ends_a_page_alone(ctx):
    blocks = [Spacer(680), heading("Alarms"), table(3)]
    pages = paginate(blocks, ctx, body(ctx, 700))
    assert [[type(p.block).__name__ for p in page] for page in pages] == [
        ["Spacer"],
        ["Paragraph", "Table"],
    ]


def test_a_long_table_goes_on_over_pages_with_its_header_and_a_line_saying_whose(ctx):
    long = table(120, continued="Seat 1 · M.K.: alarms")
    pages = paginate([Paragraph("Seat 1 · M.K."), long], ctx, body(ctx, 700))
    parts = [p.block for page in pages for p in page if isinstance(p.block, Table)]
    assert len(pages) == len(parts) >= 3
    assert sum(len(t.rows) for t in parts) == 120
    assert parts[0].lead == "" and all(
        t.lead == "Seat 1 · M.K.: alarms (continued)" for t in parts[1:]
    )
    for page in pages:  # every part fits its page
        assert all(p.rect.bottom() <= ctx.pt(700) + 0.5 for p in page)
        assert all(p.block.height(ctx, p.rect.width()) <= ctx.pt(700) for p in page)


def test_a_page_break_starts_a_page_but_never_an_empty_one(ctx):
    blocks = [PageBreak(), Paragraph("one"), PageBreak(), PageBreak(), Paragraph("two")]
    pages = paginate(blocks, ctx, body(ctx, 700))
    assert [[p.block.text for p in page] for page in pages] == [["one"], ["two"]]


def test_an_empty_table_says_so_in_one_row(ctx):
    empty = Table([Column("Raised"), Column("What")], [], empty="no alarm")
    one = table(1)
    assert empty.height(ctx, ctx.pt(500)) == pytest.approx(one.height(ctx, ctx.pt(500)), rel=0.01)
    assert empty.split(ctx, ctx.pt(500), ctx.pt(5)) is None


def test_a_wrapped_cell_makes_its_row_taller(ctx):
    short = Table([Column("What")], [Row(["SpO2 89 < 90"])])
    long = Table([Column("What")], [Row(["a very long description of the alarm " * 6])])
    assert long.height(ctx, ctx.pt(200)) > short.height(ctx, ctx.pt(200)) * 1.5


def test_print_text_is_readable_on_white_and_on_the_table_stripes():
    for colour in (INK, MUTED, ALERT, *MARK_COLOURS.values(), *CURVE_COLOURS.values()):
        for paper in (WHITE, ZEBRA, HEADER_FILL):
            assert contrast_ratio(colour, paper) >= TEXT_CONTRAST, (colour, paper)


def test_curves_stand_out_from_the_alarm_bands_behind_them():
    for curve in CURVE_COLOURS.values():
        for band in (WHITE, *BAND_COLOURS.values()):
            assert contrast_ratio(curve, band) >= BOUNDARY_CONTRAST, (curve, band)
    for band in BAND_COLOURS.values():  # the priority letter written in a band
        assert contrast_ratio(INK, band) >= TEXT_CONTRAST
