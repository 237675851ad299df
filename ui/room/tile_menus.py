"""The menus a seat tile opens: quick entries (`+`), music moves (the chip), and the tile's own
menu (`⋯` or right-click), which also lists every alarm of the participant and, once they are
dosed, the post-session feedback."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QWidget

from groupkap.alarms.tile_alarms import TileAlarms

MUSIC_MOVES = (
    ("duck", "Duck / restore (talking to them)"),
    ("skip", "Skip"),
    ("hold", "Hold this piece"),
    ("release", "Release hold"),
    ("silence", "Fade to silence"),
    ("resume", "Resume music"),
    ("louder", "Volume up"),
    ("softer", "Volume down"),
)

FEEDBACK = "feedback"
"""The tile's request for the post-session feedback form (issue 16); not a protocol entry."""

ENTRY_ACTIONS = (
    ("cadss", "CADSS total…"),
    ("bp", "Reading by hand (BP, SpO2 …)…"),
    ("correct", "Correct or strike an entry…"),
    ("attest", "Dissociation resolved (attest)…"),
    ("adverse", "Adverse event…"),
    ("resolve", "Resolve adverse event…"),
    ("note", "Note…"),
    (None, None),
    ("screening", "Screening…"),
    ("approve", "Approve screening review…"),
    ("readiness", "Ready checklist…"),
    ("dose", "Dose given…"),
    ("discharge", "Discharge…"),
    (None, None),
    ("scale", "Outcome scale…"),
)


def music_menu(parent: QWidget, emit) -> QMenu:
    """`emit(move)` for each music move."""
    menu = QMenu(parent)
    for move, label in MUSIC_MOVES:
        menu.addAction(label, lambda m=move: emit(m))
    return menu


def entry_menu(parent: QWidget, emit) -> QMenu:
    """Two clicks from the tile: `+`, then the entry (MOAA/S scores are one level in);
    `emit(action, value)` with the MOAA/S score or None when a dialog should ask."""
    menu = QMenu(parent)
    moaas = menu.addMenu("MOAA/S")
    for score in range(5, -1, -1):
        moaas.addAction(str(score), lambda s=score: emit("moaas", s))
    for action, label in ENTRY_ACTIONS:
        if action is None:
            menu.addSeparator()
            continue
        menu.addAction(label, lambda a=action: emit(a, None))
    return menu


def alarm_lines(view: TileAlarms) -> list[str]:
    """Every alarm of the participant, worst first, acknowledged ones saying so."""
    return [a.label + ("  · ACK" if a.acknowledged else "") for a in view.ordered]


def tile_menu(tile) -> QMenu:
    """The tile's menu: its alarms (all of them) and what can be done about them, then the
    participant's limits, name, seat and removal."""
    menu = QMenu(tile)
    pid = tile.participant.id
    lines = alarm_lines(tile.alarms_view)
    if lines:
        menu.addSection(f"Alarms ({len(lines)})")
        for line in lines:
            menu.addAction(line)  # for reading: every alarm is reachable from the tile
        menu.addAction("Acknowledge alarms", lambda: tile.acknowledge_requested.emit(pid))
        menu.addAction("Pause alarm sound", lambda: tile.pause_requested.emit(pid))
        menu.addSeparator()
    readout = tile.protocol_readout
    if readout is not None and readout.dosed:  # feedback is about a session they had
        # The window opens the course's form for it (ui.course.feedback_form).
        menu.addAction("Feedback…", lambda: tile.protocol_requested.emit(pid, FEEDBACK, None))
    menu.addAction("Alarm limits…", lambda: tile.limits_requested.emit(pid))
    menu.addAction("Rename…", lambda: tile.rename_requested.emit(pid))
    menu.addAction("Move to another seat…", lambda: tile.reseat_requested.emit(pid))
    menu.addSeparator()
    menu.addAction("Remove from the room…", lambda: tile.remove_requested.emit(pid))
    return menu
