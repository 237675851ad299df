"""Starting a circle from the main window, and the staff-only fairness figures afterwards."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox

from groupkap.circle.circle import CLOCKWISE, SHUFFLED, Circle
from groupkap.session import LiveSession
from ui.dialogs import CommandDialog, choice, form_dialog, spin_box

MIN = 60


def circle_dialog(live: LiveSession, on_started, parent=None) -> CommandDialog:
    """Ask for the circle's shape; on OK build it from the room in seat order and start it."""
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    fields = {
        "Total (min)": spin_box(5, 240, 45),
        "Opening (min)": spin_box(0, 30, 3),
        "Closing (min)": spin_box(0, 30, 3),
        "Rounds": spin_box(1, 5, 1),
        "Prompts (comma-separated, one per round)": QLineEdit("check-in"),
        "Order": choice(CLOCKWISE, SHUFFLED),
        "Start at seat": QComboBox(),
    }
    for _pid, alias, seat in people:
        fields["Start at seat"].addItem(f"{seat} · {alias}", seat)

    def start() -> None:
        prompts = [
            p.strip() or None
            for p in fields["Prompts (comma-separated, one per round)"].text().split(",")
        ]
        circle = Circle(
            live.clock,
            people,
            total_s=fields["Total (min)"].value() * MIN,
            opening_s=fields["Opening (min)"].value() * MIN,
            closing_s=fields["Closing (min)"].value() * MIN,
            rounds=fields["Rounds"].value(),
            prompts=prompts,
            order=fields["Order"].currentText(),
            start_seat=(
                fields["Start at seat"].currentData()
                if fields["Order"].currentText() == CLOCKWISE
                else None
            ),
            record=live.record_event,
            actor=live.actor,
        )
        circle.start()
        on_started(circle)

    return form_dialog("Sharing circle", start, fields, parent)


def fairness_text(circle: Circle, live: LiveSession) -> str:
    """The staff-only summary: spoken time, share, passes, overtime per person, and Gini."""
    stats = circle.stats
    if stats is None:
        return "The circle has not ended yet."
    lines = [f"Gini (0 = perfectly even): {stats.gini:.2f}", ""]
    for pid, person in stats.people.items():
        who = live.room.participants.get(pid)
        alias = who.alias if who else pid
        lines.append(
            f"{alias}: {person.spoken_s / 60:.1f} min ({person.share:.0%}), "
            f"passes {person.passes}, overtime {person.overtime_s:.0f} s"
        )
    return "\n".join(lines)


def show_fairness(circle: Circle | None, live: LiveSession, parent=None) -> None:
    QMessageBox.information(
        parent,
        "Circle figures (staff only)",
        fairness_text(circle, live) if circle else "No circle yet.",
    )
