"""Where the circle's participant display goes: a rule about screens, with no Qt in it.

The display must never hide the room from the facilitators. With a screen of its own (a
second monitor or a projector) it fills that screen; with one screen it is docked beside the
grid inside the main window, never a free window that could cover an alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

OWN_SCREEN = "own screen"
DOCKED = "docked"


@dataclass(frozen=True)
class Rect:
    """A screen's geometry in desktop pixels. Attributes: x, y, width, height."""

    x: int
    y: int
    width: int
    height: int

    def intersects(self, other: Rect) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class Placement:
    """Where the display goes.

    Attributes:
        mode: OWN_SCREEN (full screen on `screen`) or DOCKED (beside the grid).
        screen: the index of the screen it fills, None when docked.
        geometry: that screen's geometry, None when docked.
    """

    mode: str
    screen: int | None = None
    geometry: Rect | None = None


def place_display(screens: Sequence[Rect], main_screen: int | None) -> Placement:
    """Full screen on a screen other than the main window's, else docked.

    A screen that overlaps the main window's screen (a mirrored or cloned output) is not
    another screen: the display would cover the room. Of several other screens the largest
    is taken (a projector rather than a small side panel), the first of equals.
    """
    if not screens:
        return Placement(DOCKED)
    main = screens[main_screen] if main_screen is not None and main_screen < len(screens) else None
    others = [
        i
        for i, rect in enumerate(screens)
        if i != main_screen and (main is None or not rect.intersects(main))
    ]
    if main is None or not others:
        return Placement(DOCKED)
    best = max(others, key=lambda i: (screens[i].area, -i))
    return Placement(OWN_SCREEN, best, screens[best])
