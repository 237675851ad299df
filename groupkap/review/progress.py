"""A progress line for long exports on a terminal (`groupkap export`): the CLI's counterpart
of the app's progress dialog. Both receive the same `(fraction, word)` calls.

On a terminal one line is rewritten in place (`exporting vitals  45 %`); into a file or a
pipe (a log, CI) a new line is written only every 10 %, so the log stays short.
"""

from __future__ import annotations

import sys
from typing import TextIO

LOG_STEP = 10  # percent between lines when the output is not a terminal


class ProgressLine:
    """A callable `(fraction 0..1, word)` that shows an export's progress on `stream`.

    Attributes:
        label: what is in progress (`exporting`).
    """

    def __init__(self, stream: TextIO | None = None, label: str = "exporting") -> None:
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._shown: tuple[int, str] | None = None
        self._width = 0

    def __call__(self, fraction: float, word: str) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        if self._tty:
            if self._shown == (percent, word):
                return
            text = f"{self.label} {word} {percent:3d} %"
            self._stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            if self._shown is not None and percent // LOG_STEP <= self._shown[0] // LOG_STEP:
                return
            self._stream.write(f"{self.label} {word} {percent} %\n")
        self._shown = (percent, word)
        self._stream.flush()

    def done(self) -> None:
        """End the line on a terminal, so what follows starts on its own."""
        if self._tty and self._shown is not None:
            self._stream.write("\n")
            self._stream.flush()
