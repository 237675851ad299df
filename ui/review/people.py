"""The review window's participants list: who the plots show, with their dose and whether
the protocol was followed, so a lead sees at a glance whom to look at first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from groupkap.review.model import ParticipantSummary
from ui import theme
from ui.review.pdf_text import dose, flag

LIST_WIDTH = 240  # "10 · M.K." over "SL 200 mg · ✓ · 3 alarms"


def participant_words(p: ParticipantSummary) -> str:
    """`3 · M.K.` over `IM 40 mg · ✓` (or `✗ 1 gap`, `— not dosed`) for the list."""
    gaps = sum(1 for c in p.compliance if c.met is False)
    state = {True: "✓", False: f"✗ {gaps} gap{'s' if gaps != 1 else ''}", None: "—"}
    treated = dose(p.route, p.dose_mg) if p.route or p.dose_mg else "not dosed"
    alarms = sum(p.alarm_counts.values())
    bell = f" · {alarms} alarm{'s' if alarms != 1 else ''}" if alarms else ""
    return f"{p.seat} · {p.alias}\n{treated} · {state[p.compliant]}{bell}"


def participant_tip(p: ParticipantSummary) -> str:
    lines = [f"Seat {p.seat} · {p.alias}"]
    lines += [f"{flag(c.met)} {c.name}: {c.detail}" for c in p.compliance]
    return "\n".join(lines)


def participant_list(participants: Sequence[ParticipantSummary]) -> QListWidget:
    """One two-line row per participant in seat order (the row's UserRole is their id)."""
    people = QListWidget()
    people.setFixedWidth(theme.px(LIST_WIDTH))
    people.setStyleSheet(f"font-size: {theme.px(16)}px;")
    people.setToolTip("Whose plots are shown (↑ ↓ to switch)")
    people.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    people.setTextElideMode(Qt.TextElideMode.ElideRight)
    people.setSpacing(theme.px(3))
    for p in participants:
        item = QListWidgetItem(participant_words(p))
        item.setData(Qt.ItemDataRole.UserRole, p.id)
        item.setToolTip(participant_tip(p))
        people.addItem(item)
    if not participants:
        empty = QListWidgetItem("Nobody was seated\nin this session")
        empty.setFlags(Qt.ItemFlag.NoItemFlags)
        people.addItem(empty)
    return people
