"""Follows the clinic's alarm-limits file during a session, so an edit takes effect at once.

The clinic lead edits the file; the next check parses it whole. A good file is put in force
(one `limits.changed` event per parameter that changed); a bad one is refused with its line
and the limits already in force stay, so a typo never removes an alarm.
"""

from __future__ import annotations

import logging
from pathlib import Path

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import load_limits
from groupkap.errors import ConfigError

log = logging.getLogger("groupkap.alarms")


class LimitsFile:
    """Watches one limits file by its modification time.

    Attributes:
        path: the file.
        problem: the message of the last refused version, or "" when it is good.
    """

    def __init__(self, path: Path, engine: AlarmEngine, actor: str = "clinic lead") -> None:
        self.path = Path(path)
        self.engine = engine
        self.actor = actor
        self.problem = ""
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def check(self) -> int | None:
        """Reload if the file changed. Returns how many parameters changed (None: no new
        version, or a refused one; see `problem`)."""
        stamp = self._stamp()
        if stamp == self._seen or stamp is None:
            return None
        self._seen = stamp
        try:
            limits = load_limits(self.path)
        except ConfigError as exc:
            self.problem = str(exc)
            log.warning("%s", exc)
            return None
        self.problem = ""
        return self.engine.set_limits(limits, self.actor)
