"""Who acts at the room window: the toolbar's word, Lock and Switch user, the lock after
idle, unlocking with a PIN, emergency access, Change my PIN…, the lead's Co-sign notes…
(with how many wait) and the admin's Accounts….

The signed-in account is `live.account` (so `live.actor`, whom every act is recorded as);
the rules (who may do what, the PIN waits, what is logged) are the core's
(`groupkap.accounts`); this module only shows them and forwards what people type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QToolButton

from groupkap.accounts import Account, Accounts, SignInRefused, allowed, change_own_pin
from groupkap.accounts.cosign import cosign
from groupkap.accounts.cosign_queue import QueuedNote, cosign_queue, waiting_count
from groupkap.errors import GroupKapError
from ui import shortcuts, theme
from ui.accounts.cosign_queue import CosignQueue
from ui.accounts.cosign_words import menu_entry
from ui.accounts.dialogs import (
    change_pin_dialog,
    emergency_dialog,
    new_account_dialog,
    sign_in_dialog,
)
from ui.accounts.idle import IdleWatch, InputWatcher
from ui.accounts.lock_panel import LockPanel
from ui.accounts.lockdown import Lockdown
from ui.accounts.words import account_words, locked_words, wait_words

CHECK_MS = 1000  # how often idle is looked at: the lock comes within a second of its time


def _word_style(emergency: bool) -> str:
    """Who acts: plain text (the demo), or a button with a menu (room for its arrow); after
    an emergency unlock, black on the high-alarm red (about 6:1), as the fault banners."""
    size = theme.px(theme.MIN_READABLE_PX)
    colours = (
        f"background: {theme.ALARM_COLOURS['high']}; color: #000000; font-weight: bold;"
        if emergency
        else f"color: {theme.TEXT};"
    )
    return (
        f"QLabel#AccountWord {{ {colours} font-size: {size}px; padding: 2px 2px; }}"
        f"QToolButton#AccountWord {{ {colours} font-size: {size}px; "
        f"padding: 2px {theme.px(22)}px 2px {theme.px(8)}px; }}"
    )


class WindowAccess(QObject):
    """The room window's accounts: who acts, and the lock.

    Without `accounts` (the demo, an offscreen run) there is no lock and no switching; the
    toolbar still says who acts ("Demo user — demo mode").

    Attributes:
        live: the session (`live.account` is who acts).
        accounts: the workstation's accounts, or None.
        watch: the idle rule (`[security] lock_after_min`).
        lockdown: what a lock turns off.
        panel: the lock panel, in the toolbar commands' place while locked (None without
            accounts).
        word: the toolbar's word on who acts.
        lock_action, switch_action, accounts_action, audit_action, pin_action,
        cosign_action: the account menu's commands (None without accounts); each shows
            only for whom it is (Co-sign notes… for `record.review`, with the count waiting).
        dialog: the account dialog opened last (tests fill it in).

    Signals:
        locked_changed(bool): the window locked (True) or unlocked (False).
    """

    locked_changed = Signal(bool)

    def __init__(
        self,
        window,
        accounts: Accounts | None,
        *,
        lock_after_s: float,
        idle_clock: Callable[[], float] = time.monotonic,
        check_ms: int = CHECK_MS,
    ) -> None:
        super().__init__(window)
        self._window, self.live, self.accounts = window, window.live, accounts
        self.watch = IdleWatch(lock_after_s, idle_clock)
        self.lockdown = Lockdown(window)
        self.dialog: QDialog | None = None
        self._waiting: str | None = None  # the account whose PIN tries wait, while it waits
        bar = window.toolbar
        self.panel: LockPanel | None = None
        # Who acts, first in the toolbar (a full toolbar drops its last entries out of
        # sight, never this one); with accounts, a button whose menu holds Switch user…,
        # Lock and (for the admin) Accounts…: one entry, so the toolbar fits at 1920 px.
        self.word: QLabel | QToolButton = QLabel("") if accounts is None else QToolButton()
        self.word.setObjectName("AccountWord")
        self.word.setToolTip("Who is signed in: every act is recorded under this name")
        first = bar.actions()[0] if bar.actions() else None
        self._word_action = bar.insertWidget(first, self.word)  # shown by its action
        self.lock_action = self.switch_action = self.accounts_action = None
        self.audit_action = self.pin_action = self.cosign_action = None
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        if accounts is not None:
            self.panel = LockPanel()
            self._panel_action = bar.insertWidget(self._word_action, self.panel)
            self._panel_action.setVisible(False)
            # As tall as the panel from the start, so a lock never moves the grid.
            margins = bar.layout().contentsMargins()
            bar.setMinimumHeight(self.panel.sizeHint().height() + margins.top() + margins.bottom())
            self._add_actions(self.word)
            self.panel.unlock_requested.connect(self.unlock)
            self.panel.switch_requested.connect(self.open_switch)
            self.panel.emergency_requested.connect(self.open_emergency)
            shortcuts.bind_window_keys(window, [(shortcuts.LOCK, self._on_lock_key)])
            InputWatcher(window, self.watch)
            self.timer.start()
        self.show_account()

    def _add_actions(self, button: QToolButton) -> None:
        self.switch_action = QAction("Switch user…", self)
        self.switch_action.setToolTip("Someone else signs in; their acts carry their name")
        self.switch_action.triggered.connect(self.open_switch)
        self.lock_action = QAction(shortcuts.with_key("Lock now", shortcuts.LOCK), self)
        self.lock_action.setToolTip(
            shortcuts.with_key(
                "Lock the screen now; the room and its alarms stay in sight", shortcuts.LOCK
            )  # fmt: skip
        )
        self.lock_action.triggered.connect(lambda: self.lock("by hand"))
        self.accounts_action = QAction("Accounts…", self)
        self.accounts_action.setToolTip("Admin: add a staff account")
        self.accounts_action.triggered.connect(self.open_new_account)
        self.audit_action = QAction("Audit trail…", self)
        self.audit_action.setToolTip("Lead, QA, admin: who did what, when and why, from the log")
        self.audit_action.triggered.connect(lambda: self._window.open_audit())
        self.pin_action = QAction("Change my PIN…", self)
        self.pin_action.setToolTip("Your PIN now, then the new one twice")
        self.pin_action.triggered.connect(self.open_change_pin)
        self.cosign_action = QAction(menu_entry(0), self)
        self.cosign_action.setToolTip(
            "Clinic lead: read the notes others wrote and co-sign them (review) with your PIN"
        )
        self.cosign_action.triggered.connect(self.open_cosign_queue)
        menu = QMenu(button)
        menu.setToolTipsVisible(True)
        actions = (
            self.switch_action,
            self.lock_action,
            self.pin_action,
            self.cosign_action,
            self.accounts_action,
            self.audit_action,
        )
        for action in actions:
            menu.addAction(action)
        menu.aboutToShow.connect(self.count_waiting_notes)  # counted when it opens
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolTip("Who is signed in (every act is recorded under this name): "
                          "switch user, lock the screen")  # fmt: skip

    # -- who acts ----------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.lockdown.engaged

    @property
    def account(self) -> Account | None:
        return self.live.account

    def show_account(self) -> None:
        account = self.account
        emergency = account is not None and account.emergency
        self.word.setText(account_words(account))
        self.word.setStyleSheet(_word_style(emergency))
        if emergency:
            self.word.setToolTip(
                "Opened by emergency access, logged and flagged for the clinic lead; "
                "it ends when someone signs in (Switch user…)"
            )
        self._word_action.setVisible(account is not None and not self.locked)
        if self.accounts_action is not None:
            self.accounts_action.setVisible(account is not None and account.role == "admin")
        if self.audit_action is not None:
            self.audit_action.setVisible(
                account is not None and allowed(account.role, "audit.read")
            )
        if self.pin_action is not None:
            real = account is not None and not account.is_demo and not account.emergency
            self.pin_action.setVisible(real)
            self.cosign_action.setVisible(real and allowed(account.role, "record.review"))
            self.count_waiting_notes()

    def _signed_in(self, account: Account) -> None:
        """`account` acts from now on; a lock, if any, lifts."""
        self.live.account = account
        self._waiting = None
        self.show_account()
        if self.locked:
            self._release()

    # -- the lock ----------------------------------------------------------------------
    def check(self) -> None:
        """Lock once idle long enough; while locked, count a PIN wait down."""
        if not self.locked:
            if self.watch.due():
                self.lock("idle")
            return
        if self._waiting is not None:
            left = self.accounts.wait_s(self._waiting)
            if left <= 0:
                self._waiting = None
                self.panel.wait_over()
            else:
                self.panel.show_refusal(
                    f"Too many wrong PINs: try again in {wait_words(left)}", waiting=True
                )

    def lock(self, reason: str = "by hand") -> None:
        """Lock now: only the alarm bar's Acknowledge (and A) and the lock panel work; the
        grid, the alarms and their sound go on as before."""
        if self.locked or self.accounts is None:
            return
        self.accounts.lock(self.account, reason)
        self.lockdown.engage()
        account = self.account
        pin_unlocks = account is not None and not account.emergency
        self.panel.show_locked(
            locked_words(account), pin_unlocks, account.name if pin_unlocks else ""
        )
        self._panel_action.setVisible(True)
        self._word_action.setVisible(False)  # the panel names whose PIN unlocks
        # A acknowledges at once; Ctrl+L or a click goes to the PIN.
        if self._window.alarm_bar is not None:
            self._window.alarm_bar.alarm_list.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.panel.focus_pin()
        self.locked_changed.emit(True)

    def _release(self) -> None:
        self._panel_action.setVisible(False)
        self._word_action.setVisible(self.account is not None)
        self.lockdown.release()
        self.watch.touch()
        self.locked_changed.emit(False)

    def unlock(self, pin: str) -> bool:
        """The signed-in account's PIN lifts the lock (a wrong one is refused, and after
        `lockout_after` of them the account waits, as the panel shows)."""
        account = self.account
        if not self.locked or account is None:
            return False
        try:
            self._signed_in(self.accounts.unlock(account.name, pin, current=account))
        except SignInRefused as exc:
            self._waiting = account.name if exc.wait_s > 0 else None
            self.panel.show_refusal(str(exc), waiting=exc.wait_s > 0)
            return False
        except GroupKapError as exc:
            self.panel.show_refusal(str(exc))
            return False
        return True

    def may_close(self, spontaneous: bool) -> bool:
        """Closing the window ends the session: not from a locked screen (a stop signal or
        the end of a timed run still ends it)."""
        return not (self.locked and spontaneous)

    def _on_lock_key(self) -> None:
        if self.locked:
            self.panel.focus_pin()
        else:
            self.lock("by hand")

    # -- dialogs -----------------------------------------------------------------------
    def _show(self, dialog: QDialog) -> QDialog:
        # Not modal: the alarm bar stays usable while someone types a name or a reason.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.dialog = dialog
        dialog.show()
        return dialog

    def open_switch(self) -> QDialog:
        """Someone else signs in (at the lock: that lifts it, logged as an unlock)."""
        if self.locked:

            def sign_in(name: str, pin: str) -> Account:
                return self.accounts.unlock(name, pin, current=self.account)
        else:
            sign_in = self.accounts.sign_in
        return self._show(
            sign_in_dialog(sign_in, self._signed_in, self._window, title="Switch user")
        )

    def open_emergency(self) -> QDialog:
        """Break-glass: a stated reason opens the window as "Emergency access" (logged and
        flagged for the lead); the toolbar says EMERGENCY ACCESS until someone signs in."""
        return self._show(
            emergency_dialog(self.accounts.emergency_access, self._signed_in, self._window)
        )

    def open_new_account(self) -> QDialog:
        by = self.account
        config = self.accounts.config
        return self._show(
            new_account_dialog(
                lambda name, role, pin: self.accounts.add(name, role, pin, by=by),
                lambda added: self._window.statusBar().showMessage(
                    f"Account added: {added.label}", 10_000
                ),
                config.pin_min_length,
                self._window,
            )
        )

    def open_change_pin(self) -> QDialog | None:
        """The signed-in person changes their own PIN (the old one first)."""
        account = self.account
        if account is None or account.is_demo or account.emergency:
            return None
        return self._show(
            change_pin_dialog(
                lambda old, new: change_own_pin(self.accounts, account, old, new),
                lambda _changed: self._window.statusBar().showMessage(
                    f"{account.name}: your PIN is changed", 10_000
                ),
                account,
                self.accounts.config.pin_min_length,
                self._window,
            )
        )

    # -- the lead's co-sign queue ------------------------------------------------------
    def _queue(self) -> list[QueuedNote]:
        with closing(self.accounts.store.reader()) as conn:
            return cosign_queue(conn)

    def count_waiting_notes(self) -> int:
        """Put how many notes wait for a co-signature in the menu entry (when it shows)."""
        if self.cosign_action is None or not self.cosign_action.isVisible():
            return 0
        with closing(self.accounts.store.reader()) as conn:
            waiting = waiting_count(conn)
        self.cosign_action.setText(menu_entry(waiting))
        return waiting

    def open_cosign_queue(self) -> QDialog | None:
        """The notes waiting for a clinic lead's co-signature, co-signed as the signed-in
        lead with their PIN; None when the role may not (refused, said and logged)."""
        signer = self.account
        if signer is None or self.accounts is None or not self.may("record.review"):
            return None

        def sign(seq: int, pin: str):
            return cosign(self.accounts, seq, signer.name, pin)

        queue = CosignQueue(signer, self._queue, sign, self._window)
        queue.cosigned.connect(lambda _seq: self.count_waiting_notes())
        return self._show(queue)

    # -- what the signed-in account may do ---------------------------------------------
    def may(self, action: str) -> bool:
        """Whether the signed-in account may do `action`; if not, its refusal is shown (the
        core logs it). Anyone may when no one is signed in (the demo, tests)."""
        try:
            self.live.require(action)
        except GroupKapError as exc:
            self._window.show_error(str(exc))
            return False
        return True

    def alarm_actor(self) -> str:
        """Who acknowledges, resets or pauses from the alarm bar; a role that may not is
        refused (the alarm bar shows the sentence)."""
        self.live.require("alarm.acknowledge")
        return self.live.actor
