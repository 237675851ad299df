"""A progress line for long exports on a terminal (`groupkap export`): the CLI's counterpart
of the app's progress dialog. Both receive the same `(fraction, word)` calls.

On a terminal one line is rewritten in place (`exporting vitals  45 %`); into a file or a
pipe (a log, CI) a new line is written when a new step begins (`reading seat 3 · J.L.`, so
each step shows as it happens, even inside one 10 % stretch) and otherwise every 10 %, so the
log stays short: the counters of one step (`page 4 of 12`, `page 5 of 12`) are one step.
Nothing follows the 100 % line.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

LOG_STEP = 10  # percent between lines of one step when the output is not a terminal
_COUNTER = re.compile(r"\d+ of \d+$")  # `page 4 of 12`: a counter within its step


def step_of(word: str) -> str:
    """The step a progress word belongs to: the word with its `N of M` counter blanked, so
    `page 4 of 12` and `page 5 of 12` are one step and `reading seat 3 · J.L.` is its own."""
    return _COUNTER.sub("# of #", word)


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
            if self._shown is not None:
                last, shown_word = self._shown
                same_step = step_of(word) == step_of(shown_word)
                if last >= 100 or (same_step and percent // LOG_STEP <= last // LOG_STEP):
                    return
            self._stream.write(f"{self.label} {word} {percent} %\n")
        self._shown = (percent, word)
        self._stream.flush()

    def done(self) -> None:
        """End the line on a terminal, so what follows starts on its own."""
        if self._tty and self._shown is not None:
            self._stream.write("\n")
            self._stream.flush()
