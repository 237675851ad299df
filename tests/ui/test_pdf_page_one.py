"""Page 1's participants table colours only what needs a look (issue 14 audit): a participant
whose protocol is not met keeps their alias, dose and normal values in ink; the "✗ not met"
cell and a value past an alarm limit (with its `**` mark) are red. Read back from the PDF as
poppler renders it: each word's box from `pdftotext -bbox`, its pixels from `pdftoppm`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pdf_values import page_image, poppler, series_for, share_like, summary

from ui.review.pdf_layout import ALERT, INK
from ui.review.pdf_report import render_report

DPI = 100
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@pytest.fixture(scope="module")
def page_one(qapp, tmp_path_factory):
    """(words on page 1 as (text, box in points), page 1's pixels at DPI)."""
    s = summary()
    out = tmp_path_factory.mktemp("page1") / "report.pdf"
    render_report(s, series_for(s), out)
    xml = subprocess.run(
        [poppler("pdftotext"), "-bbox", "-f", "1", "-l", "1", str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = [(m[4], tuple(float(v) for v in m[:4])) for m in WORD.findall(xml)]
    return words, page_image(Path(out), 1, dpi=DPI)


def ink_of(page, box) -> tuple[float, float]:
    """(share of red, share of ink) of the pixels inside a word's box."""
    x0, y0, x1, y1 = (round(v * DPI / 72) for v in box)
    crop = page[y0 : y1 + 1, x0 : x1 + 1]
    return share_like(crop, ALERT), share_like(crop, INK)


def on_line(words, alias: str) -> list[tuple[str, tuple]]:
    """The words of the participants table's row of `alias` (same baseline)."""
    top = next(box[1] for text, box in words if text == alias)
    return [(text, box) for text, box in words if abs(box[1] - top) < 1.0]


def test_a_protocol_not_met_reddens_its_cell_not_the_whole_row(page_one):
    words, page = page_one
    row = dict(on_line(words, "Sunflower"))  # seat 2: BP at 40 min not met
    for normal in ("Sunflower", "IM", "152"):  # the alias, the dose, a normal peak SBP
        red, ink = ink_of(page, row[normal])
        assert red < 0.01 and ink > 0.05, (normal, red, ink)
    for flagged in ("met", "**"):  # "✗ not met"; lowest SpO2 89 % < 92 (medium) "**"
        red, _ = ink_of(page, row[flagged])
        assert red > 0.05, (flagged, red)
    compliant = dict(on_line(words, "M.K."))  # seat 1: every requirement met
    assert ink_of(page, compliant["met"])[0] < 0.01
