"""Protocol entries from a tile: quick checks and the step dialogs (screening to discharge).

Each dialog hands its fields to one `Protocol` command; a refusal is shown inside the dialog,
which stays open, and nothing is saved half-done.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit,
                               QSpinBox)

from groupkap.params import PARAMETERS
from groupkap.protocol.config import ROUTES
from groupkap.protocol.participant import MANUAL_DISCHARGE_ITEMS, READINESS_ITEMS
from groupkap.protocol.room import SEVERITIES
from groupkap.session import LiveSession
from ui.protocol.entry_forms import (ScaleAnswers, chosen_event, needs_review_label,
                                    open_events_combo)
from ui.protocol.reading_forms import (correct_entry, empty_number, entries_combo,
                                       hand_value_fields, hand_values, required_score,
                                       spo2_summary, status_label)
from ui.room.participant_dialogs import CommandDialog


def _spin(lo: float, hi: float, value: float, decimals: int = 0):
    box = QDoubleSpinBox() if decimals else QSpinBox()
    if decimals:
        box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setValue(value)
    return box


def _choice(*items: str) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(items))
    return combo


def open_entry(live: LiveSession, pid: str, action: str, value: object, parent=None):
    """Record a one-click entry now (returns None), or build the dialog that asks."""
    protocol, actor = live.protocol, live.actor
    alias = live.room.participants[pid].alias
    if action == "moaas" and value is not None:
        protocol.record_moaas(pid, int(value), actor)
        return None
    fields: dict = {}

    def dialog(title: str, submit) -> CommandDialog:
        d = CommandDialog(f"{title} · {alias}", submit, parent)
        for label, widget in fields.items():
            d.form.addRow(label, widget)
        d.fields = fields
        return d

    if action == "cadss":
        fields["CADSS total (0–92)"] = empty_number("0–92")
        return dialog("CADSS", lambda: protocol.record_cadss(
            pid, required_score(fields["CADSS total (0–92)"], "CADSS total"), actor))
    if action == "bp":
        values = hand_value_fields()
        fields.update({f"{PARAMETERS[k].label} ({PARAMETERS[k].unit})" if PARAMETERS[k].unit
                       else k: w for k, w in values.items()})
        fields["Taken by"] = QLineEdit()
        fields["Measured: minutes ago"] = _spin(0, 240, 0)

        def enter() -> None:
            live.enter_reading(pid, hand_values(values), fields["Taken by"].text(),
                               t=live.clock.now() - fields["Measured: minutes ago"].value() * 60)
        return dialog("Reading by hand", enter)
    if action == "correct":
        entries = entries_combo(live, pid)
        if entries.count() == 0:
            fields["Entries"] = status_label("No hand reading, MOAA/S or CADSS to correct yet.")
        fields.update({"Entry": entries, "Action": _choice("", "strike", "correct"),
                       "Corrected value(s)": QLineEdit(), "Reason": QLineEdit(),
                       "By": QLineEdit()})
        fields["Corrected value(s)"].setPlaceholderText(
            "for a correction: the score, or e.g. SBP=142 DBP=88")
        return dialog("Correct or strike an entry", lambda: correct_entry(
            live, pid, entries.currentData(), fields["Action"].currentText(),
            fields["Corrected value(s)"].text(), fields["Reason"].text(),
            fields["By"].text()))
    if action == "attest":
        fields.update({"Clinician": QLineEdit(), "What was seen": QLineEdit()})
        return dialog("Dissociation resolved", lambda: protocol.attest_dissociation(
            pid, fields["Clinician"].text(), fields["What was seen"].text()))
    if action == "adverse":
        fields.update({"What happened": QLineEdit(), "Severity": _choice("", *SEVERITIES),
                       "Intervention": QLineEdit(), "Outcome": QLineEdit()})
        return dialog("Adverse event", lambda: protocol.record_adverse_event(
            pid, description=fields["What happened"].text(),
            severity=fields["Severity"].currentText(),
            intervention=fields["Intervention"].text(), outcome=fields["Outcome"].text(),
            actor=actor))
    if action == "note":
        fields["Note (care team only)"] = QPlainTextEdit()
        return dialog("Note", lambda: protocol.add_note(
            pid, fields["Note (care team only)"].toPlainText(), actor))
    if action == "approve":
        fields.update({"Needs review": needs_review_label(protocol, pid, alias),
                       "Reviewer": QLineEdit(), "Reason": QLineEdit()})
        return dialog("Approve screening review", lambda: protocol.approve_screening(
            pid, fields["Reviewer"].text(), fields["Reason"].text()))
    if action == "scale":
        fields["Scale"] = ScaleAnswers()
        return dialog("Outcome scale", lambda: protocol.record_scale(
            pid, *fields["Scale"].answers(), actor))
    if action == "resolve":
        fields.update({"Adverse event": open_events_combo(protocol, pid, alias,
                                                          live.clock.now()),
                       "Outcome": QLineEdit(), "Resolved: minutes ago": _spin(0, 24 * 60, 0)})
        return dialog("Resolve adverse event", lambda: protocol.resolve_adverse_event(
            pid, chosen_event(fields["Adverse event"]), outcome=fields["Outcome"].text(),
            t_resolved=live.clock.now() - fields["Resolved: minutes ago"].value() * 60,
            actor=actor))
    if action == "screening":
        for rule in protocol.config.screening:
            fields[rule.question] = _choice("", "no", "yes")
        fields["Reviewer"] = QLineEdit()

        def screen() -> None:
            answers = {r.id: {"yes": True, "no": False}.get(fields[r.question].currentText())
                       for r in protocol.config.screening}
            protocol.complete_screening(pid, answers, fields["Reviewer"].text())
        return dialog("Screening", screen)
    if action == "readiness":
        widgets = {"consent_current": QCheckBox(), "fasting_confirmed": QCheckBox(),
                   "ride_home_name": QLineEdit(), "ride_home_phone": QLineEdit(),
                   "intention": QLineEdit(), "touch_consent": _choice("", "yes", "no"),
                   "music_choice": QLineEdit()}
        widgets["music_choice"].setPlaceholderText("playlist name, or silence")
        fields.update({READINESS_ITEMS[k]: w for k, w in widgets.items()})

        def ready() -> None:
            items = {k: (w.isChecked() if isinstance(w, QCheckBox) else
                         w.currentText() if isinstance(w, QComboBox) else w.text())
                     for k, w in widgets.items()}
            items["touch_consent"] = {"yes": True, "no": False}.get(items["touch_consent"])
            protocol.confirm_readiness(pid, items, actor)
        return dialog("Ready checklist", ready)
    if action == "dose":
        route = _choice(*ROUTES)
        fields.update({"Route": route, "Dose (mg)": _spin(0, 1000, 0, 1),
                       "Weight (kg, 0 = not known)": _spin(0, 300, 0, 1),
                       "Lot number": QLineEdit(), "Given by": QLineEdit(),
                       "T0: minutes ago": _spin(0, 120, 0),
                       "Confirm a dose outside the usual range": QCheckBox(),
                       "Override BP gate: prescriber": QLineEdit(),
                       "Override reason": QLineEdit()})

        def give() -> None:
            prescriber = fields["Override BP gate: prescriber"].text()
            weight = fields["Weight (kg, 0 = not known)"].value() or None
            protocol.give_dose(
                pid, route=route.currentText(), dose_mg=fields["Dose (mg)"].value(),
                weight_kg=weight, lot=fields["Lot number"].text(),
                given_by=fields["Given by"].text() or actor,
                t0=live.clock.now() - fields["T0: minutes ago"].value() * 60,
                confirmed=fields["Confirm a dose outside the usual range"].isChecked(),
                override={"prescriber": prescriber,
                          "reason": fields["Override reason"].text()} if prescriber else None)
        return dialog("Dose given", give)
    if action == "discharge":
        boxes = {k: QCheckBox() for k in MANUAL_DISCHARGE_ITEMS}
        fields.update({MANUAL_DISCHARGE_ITEMS[k]: b for k, b in boxes.items()})
        # The SpO2 is not typed here: it is the newest reading, with its source and age.
        fields["SpO2"] = status_label(spo2_summary(
            live.latest_spo2(pid), live.clock.now(),
            protocol.config.discharge_spo2_max_age_min))
        fields["Signed by"] = QLineEdit()
        return dialog("Discharge", lambda: protocol.sign_discharge(
            pid, fields["Signed by"].text(), {k: b.isChecked() for k, b in boxes.items()},
            live.latest_spo2(pid)))
    raise ValueError(f"unknown protocol entry {action!r}")
