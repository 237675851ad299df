"""A small flow layout for the PDF report: paragraphs, tables and drawings laid onto pages.

Qt's own PDF writer draws; this decides where. Blocks are measured on the writer itself (its
fonts at its resolution), so what is measured is what is drawn; a table too long for the page
goes on over the next with its header repeated, and a heading never ends a page alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPagedPaintDevice, QPainter, QPen

# -- the print palette: dark on white, every text colour ≥ 4.5:1 on white and on ZEBRA ------
INK = "#111111"
MUTED = "#4a4a4a"  # secondary text (units, captions)
RULE = "#8a8a8a"  # lines between rows and around the plots
ZEBRA = "#f0f0f0"  # every other table row, so a long row is followed by eye
HEADER_FILL = "#dedede"
ALERT = "#b00020"  # an interrupted session, a broken chain, an unanswered alarm
FONT_FAMILY = "DejaVu Sans"  # has ✓ ✗ ♪ −, and ships on every Linux the clinic runs
BODY_PT = 9.0  # readable at 100 % zoom and printed; nothing a lead reads is smaller


class Context:
    """What a block needs to measure and draw: the paint device and its units.

    Attributes:
        device: the QPdfWriter (or any paged device) the report is drawn on.
        dpi: its resolution; `pt(x)` turns typographic points into its units.
    """

    def __init__(self, device: QPagedPaintDevice) -> None:
        self.device = device
        self.dpi = device.logicalDpiY()

    def pt(self, points: float) -> float:
        """`points` (1/72 inch) in the device's units."""
        return points * self.dpi / 72.0

    def font(self, size_pt: float = BODY_PT, bold: bool = False) -> QFont:
        font = QFont(FONT_FAMILY)
        font.setPointSizeF(size_pt)
        font.setBold(bold)
        # No ligatures: an alias or a session id copied out of the PDF (or searched for)
        # must come back as typed, "ff" and not "ﬀ".
        for tag in ("liga", "clig", "dlig"):
            font.setFeature(QFont.Tag(tag), 0)
        return font

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def text_height(self, text: str, font: QFont, width: float) -> float:
        """Height of `text` wrapped at `width`."""
        flags = int(Qt.TextFlag.TextWordWrap)
        return self.metrics(font).boundingRect(QRectF(0, 0, width, 1e7), flags, text).height()


class Block(Protocol):
    """Anything laid onto a page. `split` (optional) cuts it to fit `available` height."""

    keep_with_next: bool

    def height(self, ctx: Context, width: float) -> float: ...

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None: ...


@dataclass
class Paragraph:
    """Wrapped text in one font and colour, with space after it (in points)."""

    text: str
    size: float = BODY_PT
    bold: bool = False
    colour: str = INK
    space_after: float = 4.0
    keep_with_next: bool = False

    def _font(self, ctx: Context) -> QFont:
        return ctx.font(self.size, self.bold)

    def height(self, ctx: Context, width: float) -> float:
        return ctx.text_height(self.text, self._font(ctx), width) + ctx.pt(self.space_after)

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None:
        painter.setFont(self._font(ctx))
        painter.setPen(QColor(self.colour))
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        painter.drawText(rect, flags, self.text)


def heading(text: str, size: float = 12.0) -> Paragraph:
    """A section title that stays on the page of what follows it."""
    return Paragraph(text, size=size, bold=True, space_after=3.0, keep_with_next=True)


@dataclass
class Spacer:
    """Vertical room, in points."""

    points: float
    keep_with_next: bool = False

    def height(self, ctx: Context, width: float) -> float:
        return ctx.pt(self.points)

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None:
        pass


@dataclass
class PageBreak:
    """Start a new page (ignored at the top of an empty page)."""

    keep_with_next: bool = False

    def height(self, ctx: Context, width: float) -> float:
        return 0.0

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None:
        pass


@dataclass(frozen=True)
class Column:
    """A table column: its header, its share of the width, and how its cells align."""

    header: str
    weight: float = 1.0
    align: str = "left"  # or "right", "center"


@dataclass(frozen=True)
class Row:
    """One table row; `colour` is its text colour (ALERT marks what needs a look), `bold` too.
    `cell_colours`, when given, colours each cell on its own (None: the row's colour), so
    only the value that needs a look turns red, not its whole row."""

    cells: Sequence[str]
    colour: str = INK
    bold: bool = False
    span: bool = False  # one text across the whole row (an empty table's "none")
    cell_colours: Sequence[str | None] = ()

    def colour_of(self, i: int) -> str:
        """The text colour of cell `i`."""
        own = self.cell_colours[i] if i < len(self.cell_colours) else None
        return own or self.colour


_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft,
    "right": Qt.AlignmentFlag.AlignRight,
    "center": Qt.AlignmentFlag.AlignHCenter,
}


@dataclass
class Table:
    """Rows under a header, cells wrapped to their column; goes on over pages by whole rows,
    the header repeated on each."""

    columns: Sequence[Column]
    rows: Sequence[Row]
    size: float = BODY_PT
    space_after: float = 8.0
    empty: str = "none"
    continued: str = ""  # said above the rows that go on over the next page
    lead: str = ""  # what this part says above its header (set on a continued part)
    keep_with_next: bool = False
    _heights: dict = field(default_factory=dict, repr=False)

    PAD_PT = 2.5

    def _widths(self, width: float) -> list[float]:
        total = sum(c.weight for c in self.columns)
        return [width * c.weight / total for c in self.columns]

    def _cells(self, row: Row, width: float) -> list[tuple[str, float, Column]]:
        """(text, width, column) of each cell; a spanning row is one cell the table wide."""
        if row.span:
            return [(row.cells[0], width, Column(""))]
        return list(zip(row.cells, self._widths(width), self.columns))

    def _row_height(self, ctx: Context, row: Row, width: float) -> float:
        font = ctx.font(self.size, row.bold)
        pad = ctx.pt(self.PAD_PT)
        cells = self._cells(row, width)
        tallest = max(ctx.text_height(text or " ", font, w - 2 * pad) for text, w, _ in cells)
        return tallest + 2 * pad

    def _measure(self, ctx: Context, width: float) -> tuple[float, list[float]]:
        if width not in self._heights:
            head = self._row_height(ctx, self._header(), width)
            body = [self._row_height(ctx, r, width) for r in self._body()]
            self._heights[width] = (head, body)
        return self._heights[width]

    def _body(self) -> Sequence[Row]:
        if self.rows:
            return self.rows
        return [Row([self.empty], colour=MUTED, span=True)]

    def _header(self) -> Row:
        return Row([c.header for c in self.columns], bold=True)

    def _lead_height(self, ctx: Context, width: float) -> float:
        return Paragraph(self.lead, bold=True).height(ctx, width) if self.lead else 0.0

    def height(self, ctx: Context, width: float) -> float:
        head, body = self._measure(ctx, width)
        return self._lead_height(ctx, width) + head + sum(body) + ctx.pt(self.space_after)

    def min_height(self, ctx: Context, width: float) -> float:
        """The header and the first rows: less than this is not worth starting a page with."""
        head, body = self._measure(ctx, width)
        return self._lead_height(ctx, width) + head + sum(body[:2])

    def split(self, ctx: Context, width: float, available: float) -> tuple[Table, Table] | None:
        """The rows that fit in `available` and the rest, or None if not even one fits."""
        if not self.rows:
            return None
        head, body = self._measure(ctx, width)
        used, count = self._lead_height(ctx, width) + head, 0
        for h in body:
            if used + h > available:
                break
            used, count = used + h, count + 1
        if count == 0 or count == len(self.rows):
            return None
        first = Table(self.columns, self.rows[:count], self.size, 0.0, lead=self.lead)
        rest = Table(
            self.columns,
            self.rows[count:],
            self.size,
            self.space_after,
            continued=self.continued,
            lead=f"{self.continued} (continued)" if self.continued else "",
        )
        return first, rest

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None:
        if self.lead:
            lead_h = self._lead_height(ctx, rect.width())
            Paragraph(self.lead, bold=True, colour=MUTED).draw(ctx, painter, rect)
            rect = rect.adjusted(0, lead_h, 0, 0)
        head, body = self._measure(ctx, rect.width())
        pad = ctx.pt(self.PAD_PT)
        rows = [(self._header(), head), *zip(self._body(), body)]
        tops = [rect.top() + sum(h for _, h in rows[:i]) for i in range(len(rows))]
        # Fills first, then the rules and the text over them, so no stripe hides a rule.
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), head), QColor(HEADER_FILL))
        for i, ((_, h), y) in enumerate(zip(rows, tops)):
            if i > 0 and i % 2 == 0:
                painter.fillRect(QRectF(rect.left(), y, rect.width(), h), QColor(ZEBRA))
        painter.setPen(QPen(QColor(RULE), ctx.pt(0.4)))
        for (_, h), y in zip(rows, tops):
            painter.drawLine(QPointF(rect.left(), y + h), QPointF(rect.right(), y + h))
        for (row, h), y in zip(rows, tops):
            painter.setFont(ctx.font(self.size, row.bold))
            x = rect.left()
            for i, (text, w, col) in enumerate(self._cells(row, rect.width())):
                painter.setPen(QColor(row.colour_of(i)))
                flags = int(Qt.TextFlag.TextWordWrap) | int(_ALIGN[col.align])
                painter.drawText(QRectF(x + pad, y + pad, w - 2 * pad, h - 2 * pad), flags, text)
                x += w


@dataclass(frozen=True)
class Placed:
    """A block and the rectangle it was given on its page."""

    block: Block
    rect: QRectF


def paginate(blocks: Sequence[Block], ctx: Context, body: QRectF) -> list[list[Placed]]:
    """Lay `blocks` top to bottom into `body`, page after page; at least one page."""
    pages: list[list[Placed]] = [[]]
    y = body.top()
    queue = list(blocks)
    width = body.width()

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = body.top()

    while queue:
        block = queue.pop(0)
        if isinstance(block, PageBreak):
            if pages[-1]:
                new_page()
            continue
        h = block.height(ctx, width)
        room = body.bottom() - y
        need = h
        if block.keep_with_next and queue:
            after = queue[0]
            least = getattr(after, "min_height", after.height)
            need = h + least(ctx, width)
        if need <= room or not pages[-1]:
            if h > room and hasattr(block, "split"):
                parts = block.split(ctx, width, room)
                if parts is not None:
                    block, rest = parts
                    queue.insert(0, rest)
                    h = block.height(ctx, width)
            pages[-1].append(Placed(block, QRectF(body.left(), y, width, min(h, room))))
            y += h
            continue
        parts = block.split(ctx, width, room) if hasattr(block, "split") else None
        if parts is not None and block.min_height(ctx, width) <= room:
            first, rest = parts
            pages[-1].append(Placed(first, QRectF(body.left(), y, width, room)))
            queue.insert(0, rest)
            new_page()
            continue
        queue.insert(0, block)
        new_page()
    return pages
