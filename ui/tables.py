"""Read-only, sortable tables for a desk: a column's words, its sort value, its colour and its
tooltip over rows of frozen values, shown in a view sized to its contents.

Shared by the review window (`ui.review.tables`), the audit view, the co-sign queue and the
course pages (`ui.course`), so every table in GroupKAP sorts and reads the same way. Sorting
goes by the value itself (`SORT_ROLE`), not by its text: 9 s sorts before 1 min 05 s, and a
value never recorded (None) sorts last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui import theme

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class Column:
    """One column of a table: its title, its text, its sort value, its colour, its tooltip."""

    def __init__(
        self,
        title: str,
        text: Callable[[Any], str],
        sort: Callable[[Any], Any] | None = None,
        colour: Callable[[Any], str | None] | None = None,
        tip: Callable[[Any], str] | None = None,
    ) -> None:
        self.title, self.text = title, text
        self.sort = sort or text
        self.colour = colour or (lambda _row: None)
        self.tip = tip or (lambda _row: "")


class RowsModel(QAbstractTableModel):
    """A read-only table of `rows` shown through `columns`.

    Attributes:
        rows: the values, one per row (an AlarmEpisode, a ParticipantSummary …).
        columns: what each column shows of a row.
    """

    def __init__(self, rows: Sequence[Any], columns: Sequence[Column], parent=None) -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.columns = list(columns)

    def rowCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802 (Qt override)
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802 (Qt override)
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            value = column.sort(row)
            return float("inf") if value is None else value
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = column.colour(row)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip(row) or None
        return None


def table_view(
    model: RowsModel, parent=None, stretch: int | None = None, widest: int | None = None
) -> QTableView:
    """A sortable, read-only, whole-row-selecting view of `model`, sized for a desk; the
    column `stretch` (default: the last) takes the width left over."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(theme.px(28))
    header = view.horizontalHeader()
    # Sized to the contents once (`fit_columns`), then the lead's to drag: ResizeToContents
    # would measure every cell again at each layout, seconds on a long alarm list.
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    fit_columns(view)
    header.setStyleSheet(
        f"QHeaderView::section {{ background: {theme.FIELD}; color: {theme.TEXT}; "
        f"padding: {theme.px(4)}px; border: 0; border-right: 1px solid {theme.TILE_BORDER}; }}"
    )
    return view


def fit_columns(view: QTableView, widest: int | None = None) -> None:
    """Size the columns to their contents now (after the rows change), none wider than
    `widest` pixels at scale 1.0 (its text is then cut short with …)."""
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            view.resizeColumnToContents(column)
            if widest is not None and header.sectionSize(column) > theme.px(widest):
                header.resizeSection(column, theme.px(widest))


def source_row(view: QTableView, proxy_row: int) -> int:
    """The model's row behind the view's (sorted) row."""
    proxy = view.model()
    return proxy.mapToSource(proxy.index(proxy_row, 0)).row()
