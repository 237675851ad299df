"""Hand-built review values and PDF readers shared by the PDF tests (tests/ui is on the path).

The session: four participants dosed IM at 08:15–08:18 (local time of the test machine),
four hours long, each with a medium SpO2 alarm (acknowledged after 42 s) and a BP alarm
(seat 2's never acknowledged), checks every 10 min, music pieces and a closing circle.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from groupkap.review.model import (
    CHECK,
    CIRCLE,
    DOSE,
    MUSIC,
    AlarmEpisode,
    ChainStatus,
    CircleStats,
    ComplianceItem,
    Marker,
    ParticipantSummary,
    Series,
    SessionSummary,
    SpeakerStats,
)

START = 1_800_000_000.0
HOURS = 4
ALIASES = ("M.K.", "Sunflower", "J.R.", "Owl")
HEAD_SEQ = 1295
HEAD_HASH = "ab12cd34ef56" * 5 + "9876"
SID = "2027-01-15-c0ffee"


def participant(i: int, t0: float | None) -> ParticipantSummary:
    compliance = (
        ComplianceItem("pre-dose BP", True, "138/86 at T0 −4 min by RN Bea"),
        ComplianceItem("BP at 40 min", i != 2, "no BP between T0 +35 and +45 min"),
    )
    return ParticipantSummary(
        f"p{i}", ALIASES[i - 1], i, START, t0=t0, route="IM", dose_mg=40.0 + 10 * i,
        discharged_at=None if t0 is None else t0 + 8100, discharged_by="Dr Ann",
        peak_sbp=152.0, lowest_spo2=89.0, peak_hr=104.0,
        alarm_counts={"medium": 1, "high": 1}, compliance=compliance, vitals_rows=14000,
    )  # fmt: skip


def summary(status: str = "ended", alarms_for_p1: int = 0, circle: bool = True) -> SessionSummary:
    """The session above; `alarms_for_p1` more low HR alarms for seat 1 (a long table)."""
    people, alarms, marks = [], [], []
    for i in range(1, len(ALIASES) + 1):
        t0 = START + 900 + 60 * i
        p = participant(i, t0)
        people.append(p)
        marks.append(Marker(t0, p.id, DOSE, "dose.given", f"IM {p.dose_mg:g} mg", i))
        marks += [
            Marker(t0 + k * 600, p.id, CHECK, "check.recorded", f"BP {130 + k}/80", 100 + k)
            for k in range(1, 14)
        ]
        marks += [
            Marker(START + 600 + k * 900, p.id, MUSIC, "music.track_started", f"♪ Piece {k}", k)
            for k in range(12)
        ]
        raised = t0 + 1500
        alarms.append(
            AlarmEpisode(
                f"{p.id}:SpO2", p.id, i, "SpO2", "medium", False, "SpO2 89 < 90", raised,
                raised + 42, "RN Bea", raised + 200,
            )
        )  # fmt: skip
        answered = i != 2
        alarms.append(
            AlarmEpisode(
                f"{p.id}:SBP", p.id, i, "SBP", "high", False, "SBP 182 > 180", t0 + 2500,
                t0 + 2520 if answered else None, "Dr Ann" if answered else None, t0 + 2900,
            )
        )  # fmt: skip
    for k in range(alarms_for_p1):
        t = START + 3000 + 60 * k
        alarms.append(
            AlarmEpisode(f"p1:HR{k}", "p1", 1, "HR", "low", False, "HR 125 > 120", t, t + 20,
                         "RN Bea", t + 40)
        )  # fmt: skip
    marks.append(Marker(START + 3 * 3600, None, CIRCLE, "circle.started", "circle opened", 900))
    speakers = tuple(
        SpeakerStats(p.id, p.alias, 300.0 + 40 * n, 0.25, 1, n % 2, max(0.0, 40.0 * n - 60))
        for n, p in enumerate(people)
    )
    end = START + HOURS * 3600 if status == "ended" else START + 2 * 3600 + 1234
    held = CircleStats(START + 3 * 3600, START + 3.5 * 3600, 360.0, 0.14, speakers)
    return SessionSummary(
        SID, "Thursday morning group", 10, "simulator", status, START, end, ("RN Bea", "Dr Ann"),
        tuple(people), tuple(sorted(alarms, key=lambda a: a.raised_at)),
        tuple(sorted(marks, key=lambda m: m.t)),
        held if circle else None,
        ChainStatus(True, f"intact, {HEAD_SEQ} events", None, HEAD_SEQ, HEAD_HASH), HEAD_SEQ,
    )  # fmt: skip


def series_for(s: SessionSummary, empty: frozenset = frozenset()):
    """Vitals for every participant but those in `empty` (they have none at all)."""

    def series(pid: str, param: str) -> Series:
        if pid in empty or param == "PR":
            return Series(pid, param, np.array([]), np.array([]), 0, False)
        step = 300.0 if param in ("SBP", "DBP") else 7.0
        t = np.arange(s.started_at + 60, s.ended_at, step)
        base, amp = {"HR": (78, 10), "SpO2": (95, 3), "RR": (14, 3), "SBP": (135, 12)}.get(
            param, (82, 8)
        )
        value = base + amp * np.sin((t - t[0]) / 1800)
        return Series(pid, param, t, value, len(t), False)

    return series


# -- reading a PDF back ---------------------------------------------------------------------
def poppler(tool: str) -> str:
    found = shutil.which(tool)
    assert found, f"{tool} is missing: run scripts/setup.sh (poppler-utils)"
    return found


def page_count(pdf: Path) -> int:
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        [poppler("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
    )
    return out.stdout


def page_image(pdf: Path, page: int, dpi: int = 50) -> np.ndarray:
    """Page `page` rendered by poppler, as an (h, w, 3) array of RGB."""
    stem = pdf.with_name(f"{pdf.stem}-page")
    subprocess.run(
        [poppler("pdftoppm"), "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l",
         str(page), str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    image = QImage(str(stem.with_suffix(".png"))).convertToFormat(QImage.Format.Format_RGB888)
    w, h, line = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=line * h).reshape(h, line)
    return data[:, : w * 3].reshape(h, w, 3).copy()


def share_like(rgb: np.ndarray, colour: str, least: float = 0.35, off: float = 0.1) -> float:
    """The share of pixels inked in `colour` (#rrggbb). A pixel of an anti-aliased line is the
    colour blended with the white paper, so it lies on the line from white to the colour: at
    least `least` of the way, and off it by at most `off` of its own ink (a grey or another
    hue lies farther)."""
    ink = 255.0 - rgb.astype(float)
    want = 255.0 - np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    amount = ink @ want / (want @ want)
    residual = np.linalg.norm(ink - amount[..., None] * want, axis=-1)
    near = residual <= off * amount * np.linalg.norm(want)
    return float(((amount >= least) & near).mean())
