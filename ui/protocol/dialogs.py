"""Protocol entries from a tile: quick checks and the step dialogs (screening to discharge).

Each entry is a small builder in `ENTRIES`, keyed by the action the tile's `+` menu emits.
A builder hands its fields to one `Protocol` command; a refusal is shown inside the dialog,
which stays open, and nothing is saved half-done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from groupkap.errors import BadInputError
from groupkap.params import PARAMETERS
from groupkap.protocol.config import ROUTES
from groupkap.protocol.group import SEVERITIES, Protocol
from groupkap.protocol.participant import MANUAL_DISCHARGE_ITEMS, READINESS_ITEMS
from groupkap.session import LiveSession
from ui.dialogs import CommandDialog, choice, form_dialog, spin_box
from ui.protocol.entry_forms import (
    ScaleAnswers,
    chosen_event,
    needs_review_label,
    open_events_combo,
)
from ui.protocol.field_tips import FIELD_TIPS
from ui.protocol.reading_forms import (
    correct_entry,
    empty_number,
    entries_combo,
    hand_value_fields,
    hand_values,
    required_score,
    spo2_summary,
    status_label,
)
from ui.protocol.signing_fields import clearing_pin, pin_of, signature_rows


@dataclass(frozen=True)
class Entry:
    """One entry being opened from a tile: what every builder needs.

    Attributes:
        live: the running session.
        pid: the participant the entry is for.
        alias: their alias, for the dialog's title.
        value: the value the tile sent (the MOAA/S score), None when a dialog should ask.
        protocol: the session's protocol.
        actor: who is at the workstation when the entry opens; it is recorded in their name.
        parent: the window the dialog belongs to.
    """

    live: LiveSession
    pid: str
    alias: str
    value: object
    protocol: Protocol
    actor: str
    parent: QWidget | None

    def dialog(
        self, title: str, fields: dict[str, QWidget], submit: Callable[[], None]
    ) -> CommandDialog:
        return form_dialog(f"{title} · {self.alias}", submit, fields, self.parent, FIELD_TIPS)

    def minutes_ago(self, box) -> float:
        """The session time `box` minutes before now, read when OK is pressed."""
        return self.live.clock.now() - box.value() * 60


# -- quick checks ---------------------------------------------------------------------
def _moaas(e: Entry) -> CommandDialog | None:
    # One click from the tile's menu (the score comes with it); from the keyboard (M) a
    # small dialog asks for the score.
    if e.value is not None:
        e.protocol.record_moaas(e.pid, int(e.value), e.actor)
        return None
    score = choice("", *(str(s) for s in range(5, -1, -1)))

    def record() -> None:
        if not score.currentText():
            raise BadInputError("choose the MOAA/S score (0–5)")
        e.protocol.record_moaas(e.pid, int(score.currentText()), e.actor)

    return e.dialog("MOAA/S", {"MOAA/S score (5 = responds readily, 0 = none)": score}, record)


def _cadss(e: Entry) -> CommandDialog:
    total = empty_number("0–92")
    return e.dialog(
        "CADSS",
        {"CADSS total (0–92)": total},
        lambda: e.protocol.record_cadss(e.pid, required_score(total, "CADSS total"), e.actor),
    )


def _bp(e: Entry) -> CommandDialog:
    values = hand_value_fields()
    fields: dict[str, QWidget] = {
        f"{PARAMETERS[k].label} ({PARAMETERS[k].unit})" if PARAMETERS[k].unit else k: w
        for k, w in values.items()
    }
    fields["Taken by"] = QLineEdit()
    fields["Measured: minutes ago"] = spin_box(0, 240, 0)

    def enter() -> None:
        e.live.enter_reading(
            e.pid,
            hand_values(values),
            fields["Taken by"].text(),
            t=e.minutes_ago(fields["Measured: minutes ago"]),
        )

    return e.dialog("Reading by hand", fields, enter)


def _correct(e: Entry) -> CommandDialog:
    entries = entries_combo(e.live, e.pid)
    fields: dict[str, QWidget] = {}
    if entries.count() == 0:
        fields["Entries"] = status_label("No hand reading, MOAA/S or CADSS to correct yet.")
    fields.update(
        {
            "Entry": entries,
            "Action": choice("", "strike", "correct"),
            "Corrected value(s)": QLineEdit(),
            "Reason": QLineEdit(),
            "By": QLineEdit(),
        }
    )
    fields["Corrected value(s)"].setPlaceholderText(
        "for a correction: the score, or e.g. SBP=142 DBP=88"
    )
    return e.dialog(
        "Correct or strike an entry",
        fields,
        lambda: correct_entry(
            e.live,
            e.pid,
            entries.currentData(),
            fields["Action"].currentText(),
            fields["Corrected value(s)"].text(),
            fields["Reason"].text(),
            fields["By"].text(),
        ),
    )


def _attest(e: Entry) -> CommandDialog:
    fields = {"Clinician": QLineEdit(), "What was seen": QLineEdit()}
    return e.dialog(
        "Dissociation resolved",
        fields,
        lambda: e.protocol.attest_dissociation(
            e.pid, fields["Clinician"].text(), fields["What was seen"].text()
        ),
    )


def _adverse(e: Entry) -> CommandDialog:
    fields = {
        "What happened": QLineEdit(),
        "Severity": choice("", *SEVERITIES),
        "Intervention": QLineEdit(),
        "Outcome": QLineEdit(),
    }
    return e.dialog(
        "Adverse event",
        fields,
        lambda: e.protocol.record_adverse_event(
            e.pid,
            description=fields["What happened"].text(),
            severity=fields["Severity"].currentText(),
            intervention=fields["Intervention"].text(),
            outcome=fields["Outcome"].text(),
            actor=e.actor,
        ),
    )


def _resolve(e: Entry) -> CommandDialog:
    fields = {
        "Adverse event": open_events_combo(e.protocol, e.pid, e.alias, e.live.clock.now()),
        "Outcome": QLineEdit(),
        "Resolved: minutes ago": spin_box(0, 24 * 60, 0),
    }
    return e.dialog(
        "Resolve adverse event",
        fields,
        lambda: e.protocol.resolve_adverse_event(
            e.pid,
            chosen_event(fields["Adverse event"]),
            outcome=fields["Outcome"].text(),
            t_resolved=e.minutes_ago(fields["Resolved: minutes ago"]),
            actor=e.actor,
        ),
    )


def _note(e: Entry) -> CommandDialog:
    note = QPlainTextEdit()
    fields: dict[str, QWidget] = {"Note (care team only)": note}
    account = e.live.account
    if account is not None:  # signed as its author; a lead co-signs the notes of others
        lead_signs = "" if account.role == "lead" or account.is_demo else "a clinic lead co-signs"
        fields |= signature_rows(account, "author", lead_signs)
    return e.dialog(
        "Note",
        fields,
        clearing_pin(
            fields,
            lambda: e.protocol.add_note(e.pid, note.toPlainText(), e.actor, pin=pin_of(fields)),
        ),
    )


# -- protocol steps -------------------------------------------------------------------
def _screening(e: Entry) -> CommandDialog:
    rules = e.protocol.config.screening
    fields: dict[str, QWidget] = {rule.question: choice("", "no", "yes") for rule in rules}
    fields["Reviewer"] = QLineEdit()

    def screen() -> None:
        answers = {
            r.id: {"yes": True, "no": False}.get(fields[r.question].currentText()) for r in rules
        }
        e.protocol.complete_screening(e.pid, answers, fields["Reviewer"].text())

    return e.dialog("Screening", fields, screen)


def _approve(e: Entry) -> CommandDialog:
    fields = {
        "Needs review": needs_review_label(e.protocol, e.pid, e.alias),
        "Reviewer": QLineEdit(),
        "Reason": QLineEdit(),
    }
    return e.dialog(
        "Approve screening review",
        fields,
        lambda: e.protocol.approve_screening(
            e.pid, fields["Reviewer"].text(), fields["Reason"].text()
        ),
    )


def _readiness(e: Entry) -> CommandDialog:
    widgets = {
        "consent_current": QCheckBox(),
        "fasting_confirmed": QCheckBox(),
        "ride_home_name": QLineEdit(),
        "ride_home_phone": QLineEdit(),
        "intention": QLineEdit(),
        "touch_consent": choice("", "yes", "no"),
        "music_choice": QLineEdit(),
    }
    widgets["music_choice"].setPlaceholderText("playlist name, or silence")

    def ready() -> None:
        items = {
            k: (
                w.isChecked()
                if isinstance(w, QCheckBox)
                else w.currentText()
                if isinstance(w, QComboBox)
                else w.text()
            )
            for k, w in widgets.items()
        }
        items["touch_consent"] = {"yes": True, "no": False}.get(items["touch_consent"])
        e.protocol.confirm_readiness(e.pid, items, e.actor)

    return e.dialog("Ready checklist", {READINESS_ITEMS[k]: w for k, w in widgets.items()}, ready)


def _dose(e: Entry) -> CommandDialog:
    fields = {
        "Route": choice(*ROUTES),
        "Dose (mg)": spin_box(0, 1000, 0, 1),
        "Weight (kg, 0 = not known)": spin_box(0, 300, 0, 1),
        "Lot number": QLineEdit(),
        "Given by": QLineEdit(),
        "T0: minutes ago": spin_box(0, 120, 0),
        "Confirm a dose outside the usual range": QCheckBox(),
        "Override BP gate: prescriber": QLineEdit(),
        "Override reason": QLineEdit(),
    }

    def give() -> None:
        prescriber = fields["Override BP gate: prescriber"].text()
        e.protocol.give_dose(
            e.pid,
            route=fields["Route"].currentText(),
            dose_mg=fields["Dose (mg)"].value(),
            weight_kg=fields["Weight (kg, 0 = not known)"].value() or None,
            lot=fields["Lot number"].text(),
            given_by=fields["Given by"].text() or e.actor,
            t0=e.minutes_ago(fields["T0: minutes ago"]),
            confirmed=fields["Confirm a dose outside the usual range"].isChecked(),
            override={"prescriber": prescriber, "reason": fields["Override reason"].text()}
            if prescriber
            else None,
        )

    return e.dialog("Dose given", fields, give)


def _discharge(e: Entry) -> CommandDialog:
    boxes = {k: QCheckBox() for k in MANUAL_DISCHARGE_ITEMS}
    fields: dict[str, QWidget] = {MANUAL_DISCHARGE_ITEMS[k]: b for k, b in boxes.items()}
    # The SpO2 is not typed here: it is the newest reading, with its source and age.
    fields["SpO2"] = status_label(
        spo2_summary(
            e.live.latest_spo2(e.pid),
            e.live.clock.now(),
            e.protocol.config.discharge_spo2_max_age_min,
        )
    )
    account = e.live.account
    if account is None:  # no accounts: the signer's name is typed, as before accounts
        fields["Signed by"] = QLineEdit()
    else:  # the signed-in account signs (approval), re-entering its PIN
        fields |= signature_rows(account, "approval")
    return e.dialog(
        "Discharge",
        fields,
        clearing_pin(
            fields,
            lambda: e.protocol.sign_discharge(
                e.pid,
                fields["Signed by"].text() if account is None else account.name,
                {k: b.isChecked() for k, b in boxes.items()},
                e.live.latest_spo2(e.pid),
                pin=pin_of(fields),
            ),
        ),
    )


# -- outcomes -------------------------------------------------------------------------
def _scale(e: Entry) -> CommandDialog:
    answers = ScaleAnswers()
    return e.dialog(
        "Outcome scale",
        {"Scale": answers},
        lambda: e.protocol.record_scale(e.pid, *answers.answers(), e.actor),
    )


# The tile's protocol actions (`SeatTile.protocol_requested`), each with its builder.
ENTRIES: dict[str, Callable[[Entry], CommandDialog | None]] = {
    "moaas": _moaas,
    "cadss": _cadss,
    "bp": _bp,
    "correct": _correct,
    "attest": _attest,
    "adverse": _adverse,
    "resolve": _resolve,
    "note": _note,
    "screening": _screening,
    "approve": _approve,
    "readiness": _readiness,
    "dose": _dose,
    "discharge": _discharge,
    "scale": _scale,
}


def open_entry(
    live: LiveSession, pid: str, action: str, value: object, parent=None
) -> CommandDialog | None:
    """Record a one-click entry now (returns None), or build the dialog that asks.

    An action the tile does not offer is a programming error: ValueError.
    """
    build = ENTRIES.get(action)
    if build is None:
        raise ValueError(f"unknown protocol entry {action!r}")
    return build(
        Entry(
            live, pid, live.room.participants[pid].alias, value, live.protocol, live.actor, parent
        )
    )
