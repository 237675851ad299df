"""What the app asks before it opens the room, in this order: who is there (sign in, or create
the first administrator), then what to do with an interrupted session (resume it, or close it
and start a new one). Signing in first means the close, too, is recorded under the account.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from groupkap.accounts import Account, Accounts
from groupkap.clock import RealClock
from groupkap.settings import Settings
from groupkap.store import Store
from groupkap.store.store import default_db_path, list_sessions
from ui.accounts.start import sign_in_at_start


def sign_in_first(db: Path | None, settings: Settings) -> Account | None:
    """Who is at the workstation (or the first administrator, on a fresh database), asked
    before anything else so every act after it, the interrupted-session close included, is
    theirs; None when the dialog was closed. Real time for PIN waits."""
    store = Store.open(db, RealClock())
    try:
        return sign_in_at_start(Accounts(store, RealClock(), settings.security))
    finally:
        store.close()


def ask_about_interrupted(db: Path | None, account: Account | None = None) -> str | None:
    """Offer the newest interrupted session; returns its id to resume, or None. Closing it
    is recorded under `account` (the workstation's "facilitator" without one)."""
    path = db or default_db_path()
    if not path.exists():
        return None
    # Opening the store marks sessions whose process died as interrupted.
    store = Store.open(path, RealClock())
    store.close()
    interrupted = [r for r in list_sessions(path) if r["status"] == "interrupted"]
    if not interrupted:
        return None
    newest = interrupted[0]
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Interrupted session",
        f"Session {newest['id']} (started {newest['started']}, "
        f"{newest['participants']} participants) was interrupted.\n\n"
        "Resume it, or close it and start a new session?",
    )
    resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Close it and start new", QMessageBox.ButtonRole.DestructiveRole)
    box.exec()
    if box.clickedButton() is resume:
        return newest["id"]
    store = Store.open(path, RealClock())
    try:
        store.close_interrupted(
            newest["id"], actor=account.name if account is not None else "facilitator"
        )
    finally:
        store.close()
    return None
