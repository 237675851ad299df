"""The banner over a reviewed session: what it was, whether it ended, whether its log holds.

`banner_words` decides the words and how loud they are (pure, tested without a widget); the
banner draws them. A log that fails its check turns the whole banner red and says which row
broke first, because every figure under it is read from that log.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from groupkap.review.model import SessionSummary
from ui import theme
from ui.review.pdf_text import clock, day

QUIET, CAUTION, BROKEN = "quiet", "caution", "broken"
LIVE_ELSEWHERE = "live in another window: read-only here"


@dataclass(frozen=True)
class BannerWords:
    """What the banner says.

    Attributes:
        title: the session, its date and times, seats and facilitators.
        status: `ended`, `interrupted: …` or `live in another window: read-only here`.
        status_level: QUIET, or CAUTION for an interrupted or live session (amber words).
        chain: whether the log proves itself, in one line.
        chain_level: QUIET when intact, BROKEN when it fails its check (a red banner).
    """

    title: str
    status: str
    status_level: str
    chain: str
    chain_level: str


def tampered_words(broken_seq: int | None, reason: str) -> str:
    """`The log fails its check at event 1234: <reason>. Figures below may not be true.`"""
    reason = reason.strip().rstrip(".")
    if broken_seq is not None:  # the summary's detail may already say where
        reason = reason.removeprefix(f"broken at seq {broken_seq}: ")
    where = f" at event {broken_seq}" if broken_seq is not None else ""
    return f"The log fails its check{where}: {reason}. Figures below may not be true."


def banner_words(summary: SessionSummary, checking: bool = False) -> BannerWords:
    """The banner's words; `checking` while the log is still being verified."""
    start, end = summary.started_at, summary.ended_at
    people = ", ".join(summary.facilitators) or "nobody logged"
    count = len(summary.participants)
    title = (
        f"{summary.title or 'untitled'} · {day(start)} {clock(start)}–{clock(end)} · "
        f"{count} participant{'' if count == 1 else 's'} in {summary.seats} seats · "
        f"facilitators: {people}"
    )
    if summary.status == "running":
        status, level = LIVE_ELSEWHERE, CAUTION
    elif summary.status == "interrupted":
        status = f"interrupted: its process stopped; the record ends at {clock(end)}"
        level = CAUTION
    else:
        status, level = summary.status, QUIET
    chain = summary.chain
    if checking:
        words, chain_level = "Checking the log…", QUIET
    elif chain.intact:
        words, chain_level = f"✓ log checks out ({chain.detail})", QUIET
    else:
        words, chain_level = tampered_words(chain.broken_seq, chain.detail), BROKEN
    return BannerWords(title, status, level, words, chain_level)


class ReviewBanner(QFrame):
    """Two or three lines at the top of the review window.

    Attributes:
        words: what it last showed (BannerWords).
        title_label, status_label, chain_label: its lines.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewBanner")
        self.words: BannerWords | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.px(10), theme.px(6), theme.px(10), theme.px(6))
        layout.setSpacing(theme.px(2))
        self.title_label = QLabel()
        self.status_label = QLabel()
        self.chain_label = QLabel()
        for label in (self.title_label, self.status_label, self.chain_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # a title is never markup
            layout.addWidget(label)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)  # amber words, escaped

    def show_summary(self, summary: SessionSummary, checking: bool = False) -> None:
        words = self.words = banner_words(summary, checking)
        broken = words.chain_level == BROKEN
        background = theme.ALARM_COLOURS["high"] if broken else theme.TILE
        text = theme.ALARM_INVERSE_TEXT if broken else theme.TEXT
        self.setStyleSheet(
            f"QFrame#ReviewBanner {{ background: {background}; border-radius: 4px; }}"
            f"QFrame#ReviewBanner QLabel {{ color: {text}; font-size: {theme.px(16)}px; }}"
        )
        self.title_label.setText(words.title)
        self.title_label.setStyleSheet(f"font-size: {theme.px(18)}px; font-weight: bold;")
        # Quiet news shares a line; a broken log gets a line of its own, in large type.
        caution = words.status_level == CAUTION and not broken
        status = escape(words.status)
        if caution:
            status = f'<b style="color:{theme.WARNING_TEXT}">{status}</b>'
        quiet_chain = "" if broken else f"&nbsp;&nbsp;·&nbsp;&nbsp;{escape(words.chain)}"
        self.status_label.setText(f"Status: {status}{quiet_chain}")
        self.chain_label.setVisible(broken)
        self.chain_label.setText(words.chain)
        self.chain_label.setStyleSheet(f"font-size: {theme.px(18)}px; font-weight: bold;")
