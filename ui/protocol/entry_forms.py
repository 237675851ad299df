"""Form parts for the tile's review entries: an outcome scale's answers, the screening answers
a reviewer clears, and the choice of an open adverse event to resolve.

Nothing here is pre-filled: an answer, a scale or an event the clinician did not choose stays
empty, and the core refuses the entry with what is missing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from groupkap.errors import BadInputError
from groupkap.protocol.config import NEEDS_REVIEW
from groupkap.protocol.group import Protocol
from groupkap.protocol.scales import SCALES
from ui import theme

ITEMS_PER_COLUMN = 10  # PCL-5's 20 items in two columns keep the dialog on a laptop screen


class ScaleAnswers(QWidget):
    """Choose PHQ-9, GAD-7 or PCL-5, then one answer per item (item numbers only: the
    wording is licensed). Every answer starts unanswered.

    Attributes:
        scale: the scale choice (starts empty).
        items: by scale name, one combo per item, item 1 first ("" = unanswered).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scale = QComboBox()
        self.scale.addItems(["", *SCALES])
        self.scale.setToolTip("PHQ-9 (depression), GAD-7 (anxiety) or PCL-5 (PTSD)")
        self.hint = QLabel("Choose the scale, then answer every item.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scale)
        layout.addWidget(self.hint)
        self.items: dict[str, list[QComboBox]] = {}
        self._pages: dict[str, QWidget] = {}
        for name, scale in SCALES.items():
            page, grid = QWidget(), QGridLayout()
            page.setLayout(grid)
            grid.setContentsMargins(0, 0, 0, 0)
            self.items[name] = []
            for n in range(1, scale.items + 1):
                combo = QComboBox()
                combo.addItems([""] + [str(v) for v in range(scale.item_min, scale.item_max + 1)])
                # An unanswered item is an empty box, still easy to hit.
                combo.setMinimumWidth(theme.px(72))
                column, row = divmod(n - 1, ITEMS_PER_COLUMN)
                grid.addWidget(QLabel(f"Item {n}"), row, 2 * column)
                grid.addWidget(combo, row, 2 * column + 1)
                self.items[name].append(combo)
            grid.setColumnStretch(4, 1)  # answers sit beside their item numbers
            page.hide()
            layout.addWidget(page)
            self._pages[name] = page
        self.scale.currentTextChanged.connect(self._on_scale_changed)

    def _on_scale_changed(self, name: str) -> None:
        for page_name, page in self._pages.items():
            page.setVisible(page_name == name)
        scale = SCALES.get(name)
        self.hint.setText(
            f"{scale.items} items, each {scale.item_min}–{scale.item_max}; answer every item."
            if scale
            else "Choose the scale, then answer every item."
        )
        self.window().adjustSize()  # PCL-5's 20 items make the dialog taller; PHQ-9's shorter

    def answers(self) -> tuple[str, dict[int, int]]:
        """The chosen scale and the answered items (item number → answer); refuses no scale."""
        name = self.scale.currentText()
        if not name:
            raise BadInputError(f"choose the scale: {', '.join(SCALES)}")
        return name, {
            n: int(combo.currentText())
            for n, combo in enumerate(self.items[name], start=1)
            if combo.currentText()
        }


def needs_review_label(protocol: Protocol, pid: str, alias: str) -> QLabel:
    """The screening answers that made it `needs review`, for the approving clinician."""
    screening = protocol.of(pid).screening
    if not screening or screening["outcome"] != NEEDS_REVIEW:
        state = screening["outcome"] if screening else "not screened"
        raise BadInputError(
            f"{alias}: only a screening that needs review can be approved (this one: {state})"
        )
    questions = {rule.id: rule.question for rule in protocol.config.screening}
    label = QLabel("\n".join(f"{questions.get(rid, rid)} yes" for rid in screening["positive"]))
    label.setWordWrap(True)
    return label


def open_events_combo(protocol: Protocol, pid: str, alias: str, now: float) -> QComboBox:
    """The participant's open adverse events, none chosen; the item data is the event_id."""
    events = protocol.of(pid).adverse_events
    if not events:
        raise BadInputError(f"{alias} has no open adverse event to resolve")
    combo = QComboBox()
    combo.addItem("", None)
    for event_id, event in events.items():
        ago = round((now - event["t_occurred"]) / 60)
        combo.addItem(f"{event['severity']}: {event['description']} · {ago} min ago", event_id)
    return combo


def chosen_event(combo: QComboBox) -> str:
    if combo.currentData() is None:
        raise BadInputError("choose the adverse event to resolve")
    return combo.currentData()
