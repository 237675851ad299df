"""The esketamine monitoring record printed to PDF: the record's own HTML laid out by Qt and
read back with poppler (pdfinfo, pdftotext, pdftoppm)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from pdf_values import page_count, page_image, page_text

from groupkap.clock import SimulatedClock
from groupkap.errors import BadInputError
from groupkap.protocol.esketamine import (
    Answer,
    Clinic,
    EsketamineRecord,
    Finding,
    monitoring_record,
)
from groupkap.protocol.esketamine_html import to_html
from groupkap.store.store import open_read_only
from ui.review.esketamine_pdf import printable, write_esketamine_pdf

HEADINGS = (
    "Esketamine monitoring record",
    "Patient",
    "Treatment session (administration and monitoring)",
    "Blood pressure",
    "Did the patient experience",
    "Signatures",
)


@pytest.fixture(autouse=True)
def _app(qapp):
    return qapp


def record(alias: str = "R.S.", readings: int = 5) -> EsketamineRecord:
    """A whole record as the log would give it; `readings` BPs make it longer."""
    return EsketamineRecord(
        session_id="2023-11-15-abc123", participant_id="p1", alias=alias, seat=1,
        clinic=Clinic("Harbour Clinic", "1 Quay St, Bristol", "Dr Ana Reyes", "+44 117 496 0000"),
        concomitant_medications=(("Benzodiazepines", "Yes"), ("Opioids", "No")),
        treatment_date="2023-11-15", route="IN", dose_mg=84, lot="SPR-7", given_by="nurse Kim",
        t0="2023-11-15T09:05:00.000Z",
        vitals_before_dosing=Answer("Yes", "pre-dose BP 126/82 within the 140/90 gate"),
        vitals_before_completion=Answer("Yes", "discharge signed by Dr Reyes"),
        bp_pre_dose="126/82 at 08:56 UTC (T0 -9:00), hand, by nurse Kim",
        bp_40_min="146/92 at 09:48 UTC (T0 +43:00), monitor",
        bp_before_completion="124/80 at 11:00 UTC (T0 +115:00), monitor",
        bp_readings=tuple(f"{120 + n}/80 at T0 +{5 * n}:00, monitor" for n in range(readings)),
        sedation=Finding("Yes", "09:20 UTC (T0 +15:00)", "09:50 UTC (T0 +45:00)",
                         ("09:20 UTC (T0 +15:00): MOAA/S 4",), "MOAA/S below 5"),
        dissociation=Finding("No", rule="CADSS rise under 5"),
        respiratory_depression=Finding("No", rule="no SpO2 or RR alarm"),
        monitoring_ended="11:10 UTC (T0 +125:00), discharge signed", total_monitoring_minutes=125,
        ready_to_leave_minute=115, discharged_by="Dr Reyes", adverse_events=(),
    )  # fmt: skip


def html_of(rec: EsketamineRecord) -> str:
    return to_html(rec, SimulatedClock(start=1_700_050_000, speed=0))


def test_the_pdf_holds_the_alias_and_every_heading_of_the_record(tmp_path):
    out = tmp_path / "record.pdf"
    pages = write_esketamine_pdf(html_of(record()), out)
    assert pages == page_count(out) >= 1
    text = " ".join(" ".join(page_text(out, n) for n in range(1, pages + 1)).split())
    assert "R.S., seat 1, session 2023-11-15-abc123" in text
    for title in HEADINGS:
        assert title in text, title
    assert "GroupKAP is an adjunct display, not a medical device." in text


def test_a_long_record_goes_on_over_pages_each_marked_confidential(tmp_path):
    out = tmp_path / "record.pdf"
    short = write_esketamine_pdf(html_of(record()), tmp_path / "short.pdf")
    pages = write_esketamine_pdf(html_of(record(readings=60)), out)
    assert pages == page_count(out) > short
    for n in range(1, pages + 1):
        text = page_text(out, n)
        assert "CONFIDENTIAL" in text and f"page {n} of {pages}" in text
        assert "Esketamine monitoring record: R.S." in text
    assert "179/80 at T0 +295:00" in page_text(out, pages - 1) + page_text(out, pages)


def test_the_alias_is_printed_as_typed_never_as_markup(tmp_path):
    out = tmp_path / "record.pdf"
    pages = write_esketamine_pdf(html_of(record(alias="<b>Z&Co</b>")), out)
    text = "".join(page_text(out, n) for n in range(1, pages + 1))
    assert "<b>Z&Co</b>" in text


def test_the_first_page_is_drawn(tmp_path):
    out = tmp_path / "record.pdf"
    write_esketamine_pdf(html_of(record()), out)
    page = page_image(out, 1)
    assert (page.min(axis=2) < 128).mean() > 0.02  # text and table rules in black


def test_signature_boxes_are_tall_enough_to_sign_in():
    page = html_of(record())
    assert "<td></td>" in page and "<td></td>" not in printable(page)
    assert printable(page).count('width="100%"') == page.count("<table")


def test_a_missing_folder_or_an_unwritable_place_writes_nothing(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        write_esketamine_pdf(html_of(record()), tmp_path / "gone" / "record.pdf")
    out = Path("/proc/groupkap-record.pdf")
    with pytest.raises(BadInputError, match="cannot write /proc/groupkap-record.pdf"):
        write_esketamine_pdf(html_of(record()), out)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_record_of_a_recorded_esketamine_dose_prints(review_db, tmp_path):
    db, sid = review_db
    with closing(open_read_only(db)) as conn:
        rec = monitoring_record(conn, sid, "S.T.")  # seat 4: IN 84 mg in the fixture
    out = tmp_path / "S.T.pdf"
    pages = write_esketamine_pdf(html_of(rec), out)
    text = " ".join(" ".join(page_text(out, n) for n in range(1, pages + 1)).split())
    assert f"S.T., seat 4, session {sid}" in text
    assert "84 mg intranasal esketamine" in text
    assert out.stat().st_mode & 0o777 == 0o600
