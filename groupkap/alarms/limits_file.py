"""Follows the clinic's alarm-limits file during a session, so an edit takes effect at once.

The clinic lead edits the file; the next check parses it whole. A good file is put in force
(one `limits.changed` event per parameter that changed); a bad one (a typo, a missing
parameter, an emptied file, a pipe, non-UTF-8 text) is refused with its line, the limits
already in force stay, and every participant gets a technical alarm until a good file is
read, so an edit never removes an alarm and a refusal is never only a line of status text.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import STAYS, load_limits
from groupkap.errors import ConfigError

log = logging.getLogger("groupkap.alarms")


def refusal_text(path: Path, problem: str) -> str:
    """The technical alarm's short text: the file and the line that was refused."""
    line = re.search(r", line (\d+):", problem)
    where = f"{path.name}, line {line.group(1)}" if line else path.name
    return f"limits refused: {where}; old limits in force"  # the tile shows the start


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

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def check(self) -> int | None:
        """Reload if the file changed. Returns how many parameters changed (None: no new
        version, or a refused one; see `problem`)."""
        stamp = self._stamp()
        if stamp == self._seen:
            return None
        self._seen = stamp
        if stamp is None:
            # Removed (or renamed away): the limits in force stay, and the room is told, as
            # for a refused edit; a good file put back clears it.
            self.problem = f"alarm limits file {self.path} was removed; the limits in force stay"
            log.warning("%s", self.problem)
            self.engine.limits_refused(
                f"limits file removed: {self.path.name}; old limits in force"
            )
            return None
        try:
            limits = load_limits(self.path)
        except ConfigError as exc:
            self.problem = str(exc)
            log.warning("%s", exc)
            self.engine.limits_refused(refusal_text(self.path, self.problem.removesuffix(STAYS)))
            return None
        self.problem = ""
        self.engine.limits_accepted()
        return self.engine.set_limits(limits, self.actor)
