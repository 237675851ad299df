"""The esketamine monitoring record as a PDF: its printable HTML laid out by Qt's rich-text
engine on A4 and written by Qt's own PDF writer, whole or not at all.

The HTML (`groupkap.protocol.esketamine_html.to_html`) stays the one source of the record's
wording; this only prints it, paging it ourselves so every page carries CONFIDENTIAL and
`page n of N` and the count is known to the caller.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QTextDocument

from ui.review.pdf_file import PdfInMemory, checked_out, draw_footer
from ui.review.pdf_layout import Context

MARGIN_MM = 18.0  # the record's own `@page { margin: 18mm }`


def printable(html: str) -> str:
    """The record's HTML with what Qt's rich text needs to print it as a browser would: tables
    the full width (Qt reads the attribute, not the CSS) and signature boxes tall enough to
    sign in. Only presentation changes; every word stays the record's."""
    html = html.replace("<table>", '<table width="100%">')
    html = html.replace('<table class="sign">', '<table class="sign" width="100%">')
    return html.replace("<td></td>", "<td>&nbsp;<br>&nbsp;<br>&nbsp;</td>")


def write_esketamine_pdf(html: str, out: Path) -> int:
    """Print the record's `html` to the PDF `out`; returns the number of pages.

    Raises BadInputError naming `out` when it cannot be written (no file is left behind).
    """
    out = checked_out(out)
    pdf = PdfInMemory("Esketamine monitoring record", MARGIN_MM)
    ctx = Context(pdf.writer)
    body = pdf.body(ctx)
    doc = QTextDocument()
    # Laid out on the writer itself, so 11 pt in the record's CSS is 11 pt on paper.
    doc.documentLayout().setPaintDevice(pdf.writer)
    doc.setHtml(printable(html))
    title = doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle)
    pdf.writer.setTitle(title or "Esketamine monitoring record")
    doc.setPageSize(body.size())
    pages = doc.pageCount()
    painter = QPainter(pdf.writer)
    try:
        for n in range(pages):
            if n:
                pdf.writer.newPage()
            painter.save()
            painter.translate(0, -n * body.height())
            doc.drawContents(painter, QRectF(0, n * body.height(), body.width(), body.height()))
            painter.restore()
            draw_footer(ctx, painter, pdf.page, title, n + 1, pages)
    finally:
        painter.end()
    pdf.save(out)
    return pages
