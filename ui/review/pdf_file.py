"""What every GroupKAP PDF shares: Qt's writer on A4, the CONFIDENTIAL footer, and a file
written whole or not at all.

The pages are drawn into memory and then written through a temporary file beside the target
and renamed (`groupkap.files.atomic_write`), so a failure half-way leaves no partial PDF, and
an output that cannot be written is refused before any work, naming the path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from groupkap.errors import BadInputError
from groupkap.files import atomic_write
from groupkap.store.anchor import Head, export_line
from ui.review.pdf_layout import MUTED, RULE, Context

DPI = 300
FOOTER_PT = 30.0  # room kept under the body for the footer's rule and two lines
EXPORT_MODE = 0o600  # a report holds health data: owner-only, like the other exports
CONFIDENTIAL = "CONFIDENTIAL · health information for the care team"
# Qt stamps the file with the moment it was written; an undated copy (de-identified) keeps
# the same length, so the file's cross-reference offsets stay right.
PDF_DATES = re.compile(rb"/(?:CreationDate|ModDate) \(D:([0-9]{14})")
XMP_DATES = re.compile(
    rb'xmp:(?:Create|Modify|Metadata)Date="([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8})'
)
UNDATED = {14: b"19700101000000", 19: b"1970-01-01T00:00:00"}


def _undated(data: bytes) -> bytes:
    """The file with Qt's dates of writing set to 1970, each the same length as before."""

    def blank(m: re.Match) -> bytes:
        start, end = m.span(1)
        whole = m.group(0)
        return whole[: start - m.start()] + UNDATED[end - start] + whole[end - m.start() :]

    return XMP_DATES.sub(blank, PDF_DATES.sub(blank, data))


def ensure_gui() -> QGuiApplication:
    """The running Qt application, or an offscreen one for a headless export: the PDF writer
    needs Qt's fonts, never a display."""
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication(["groupkap", "-platform", "offscreen"])
        ensure_gui.app = app  # kept alive for the process: Qt allows one application
    return app


def checked_out(out: Path) -> Path:
    """`out` if a file can be written there; BadInputError naming it otherwise (asked before
    the work, so a lead is not kept waiting for a file that cannot be saved)."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise BadInputError(f"{out} is a folder; give --out a file name such as {out}/report.pdf")
    if not out.parent.is_dir():
        raise BadInputError(
            f"the output folder {out.parent} does not exist; create it or choose another --out"
        )
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise BadInputError(f"cannot write {out}: permission denied; choose another --out")
    return out


class PdfInMemory:
    """A QPdfWriter on A4 portrait drawing into memory; `save(out)` writes the finished file.

    Attributes:
        writer: the QPdfWriter (its painter coordinates start inside the margins).
        page: the printable area in device units.
    """

    def __init__(
        self,
        title: str,
        margin_mm: float = 15.0,
        head: Head | None = None,
        *,
        undated: bool = False,
    ) -> None:
        ensure_gui()
        self.undated = undated  # no date of writing in the file (a de-identified copy)
        self._buffer = QBuffer()
        self._buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.writer = QPdfWriter(self._buffer)
        self.writer.setResolution(DPI)
        margins = QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm)
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                margins,
                QPageLayout.Unit.Millimeter,
            )
        )
        self.writer.setTitle(title)
        self.writer.setCreator("GroupKAP")
        if head is not None:  # `groupkap verify --anchor FILE.pdf` reads it from here
            self.writer.setDocumentXmpMetadata(QByteArray(_xmp(head).encode("utf-8")))
        self.page = QRectF(0, 0, self.writer.width(), self.writer.height())

    def body(self, ctx: Context) -> QRectF:
        """The printable area above the footer."""
        return self.page.adjusted(0, 0, 0, -ctx.pt(FOOTER_PT))

    def save(self, out: Path) -> None:
        """Write the finished PDF to `out` whole (call after the painter has ended)."""
        self._buffer.close()
        data = bytes(self._buffer.data())
        if self.undated:
            data = _undated(data)
        try:
            atomic_write(out, data, mode=EXPORT_MODE)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise BadInputError(f"cannot write {out}: {reason}; choose another --out") from exc


def _xmp(head: Head) -> str:
    """The document's XMP metadata, holding the chain head the document was made from as the
    export line `verify --anchor` looks for (PDF writers keep XMP uncompressed)."""
    line = escape(export_line(head))  # JSON's quotes may stand in XML text; <, > and & not
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:description>{line}</dc:description>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def draw_footer(
    ctx: Context,
    painter: QPainter,
    page: QRectF,
    what: str,
    n: int,
    total: int,
    marking: str = CONFIDENTIAL,
) -> None:
    """The marking (CONFIDENTIAL, or DE-IDENTIFIED for a de-identified copy) and `page n of
    N` on every page, and what the document is beneath."""
    top = page.bottom() - ctx.pt(FOOTER_PT - 4)
    painter.setPen(QPen(QColor(RULE), ctx.pt(0.4)))
    painter.drawLine(QPointF(page.left(), top), QPointF(page.right(), top))
    first = QRectF(page.left(), top + ctx.pt(2), page.width(), ctx.pt(11))
    second = first.translated(0, ctx.pt(11))
    left = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignVCenter)
    right = int(Qt.AlignmentFlag.AlignRight) | int(Qt.AlignmentFlag.AlignVCenter)
    painter.setPen(QColor(MUTED))
    painter.setFont(ctx.font(9.0, bold=True))
    painter.drawText(first, left, marking)
    painter.drawText(first, right, f"page {n} of {total}")
    painter.setFont(ctx.font(9.0))
    painter.drawText(
        second,
        left,
        ctx.metrics(ctx.font(9.0)).elidedText(what, Qt.TextElideMode.ElideMiddle, page.width()),
    )
