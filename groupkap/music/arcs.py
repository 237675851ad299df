"""Phase arcs: which playlist a participant hears, by minutes since their own T0.

CLINICAL.md ("Music"): sublingual runs pre-onset 0–10 min, onset ~10, build 10–20, peak,
return; IV/IM a soothing start, rising intensity after 10–15 min and a calm final 20 min of a
50–60 min arc. These are templates a clinic edits, so they live in a small JSON file, and
every edit is checked before it is used: a gap in an arc would leave a participant in silence
nobody chose.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from groupkap.errors import BadInputError
from groupkap.files import atomic_write
from groupkap.music.library import Playlist

SL, IV_IM = "SL", "IV/IM"
ARCS_FORMAT = "groupkap-phase-arcs"
ARCS_VERSION = 1

# Sublingual/oral lozenges and intranasal esketamine come on slowly; IV and IM quickly.
_ROUTE_GROUPS = {"SL": SL, "IN": SL, "IV": IV_IM, "IM": IV_IM}

# (section, start_min, end_min, playlists to look for in order: its own name, then a phase
# of the demo library).
_DEFAULTS = {
    SL: (
        "Sublingual / oral and intranasal",
        (
            ("pre-onset", 0, 10, ("pre-onset", "calm")),
            ("onset", 10, 15, ("onset", "rising")),
            ("build", 15, 20, ("build", "rising")),
            ("peak", 20, 45, ("peak",)),
            ("return", 45, 90, ("return",)),
        ),
    ),
    IV_IM: (
        "IV / IM",
        (
            ("soothing", 0, 12, ("soothing", "calm")),
            ("rising", 12, 40, ("rising", "peak")),
            ("calm", 40, 60, ("calm-final", "return", "calm")),
        ),
    ),
}


def route_group(route_code: str) -> str:
    """The arc family for a route code from the protocol (`IV`, `IM`, `SL`, `IN`)."""
    try:
        return _ROUTE_GROUPS[str(route_code).strip().upper()]
    except KeyError:
        raise BadInputError(
            f"route {route_code!r} has no music arc; use one of {', '.join(_ROUTE_GROUPS)}"
        ) from None


@dataclass(frozen=True)
class PhaseSection:
    """One stretch of an arc.

    Attributes:
        name: the phase clinicians say ("onset", "peak", "return").
        start_min, end_min: minutes since T0; the section covers [start, end).
        playlist: what plays during it (an empty playlist is silence, a legitimate choice).
    """

    name: str
    start_min: float
    end_min: float
    playlist: Playlist


@dataclass(frozen=True)
class PhaseArc:
    """A route's sequence of sections, contiguous from T0.

    Attributes:
        name: what the clinic calls the template.
        sections: in time order; after the last one ends, the last one keeps playing (a
            participant who is slow to return should not fall into silence).
    """

    name: str
    sections: tuple[PhaseSection, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))
        if not str(self.name).strip():
            raise BadInputError("a phase arc needs a name")
        if not self.sections:
            raise BadInputError(f"arc {self.name!r} has no sections")
        previous_end = 0.0
        for i, s in enumerate(self.sections):
            where = f"arc {self.name!r}, section {i + 1}"
            if not str(s.name).strip():
                raise BadInputError(f"{where} needs a name")
            where = f"{where} ({s.name!r})"
            for label, value in (("start", s.start_min), ("end", s.end_min)):
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not math.isfinite(value)
                ):
                    raise BadInputError(
                        f"{where}: {label} must be a number of minutes, not {value!r}"
                    )
            if s.start_min != previous_end:
                raise BadInputError(
                    f"{where} starts at {s.start_min} min but must start at {previous_end} min"
                    + (" (T0)" if i == 0 else " where the previous one ends: no gaps or overlaps")
                )
            if s.end_min <= s.start_min:
                raise BadInputError(
                    f"{where} ends at {s.end_min} min, not after its start at {s.start_min} min"
                )
            previous_end = s.end_min

    @property
    def length_min(self) -> float:
        return self.sections[-1].end_min

    def section_at(self, minutes_since_t0: float) -> PhaseSection | None:
        """The section playing this many minutes after T0; None before T0 (pre-dose)."""
        if minutes_since_t0 < 0:
            return None
        for section in self.sections:
            if minutes_since_t0 < section.end_min:
                return section
        return self.sections[-1]


def _pick(
    playlists: Mapping[str, Playlist] | None, candidates: tuple[str, ...], where: str
) -> Playlist:
    if playlists is None:
        return Playlist(candidates[0])  # a template without music yet
    for key in candidates:
        if key in playlists:
            return playlists[key]
    raise BadInputError(f"{where}: no playlist named {' or '.join(map(repr, candidates))}")


def default_arcs(playlists: Mapping[str, Playlist] | None = None) -> dict[str, PhaseArc]:
    """The CLINICAL.md arcs, keyed by route group (`SL`, `IV/IM`).

    Each section takes the playlist named after it, else the matching demo phase (`calm`,
    `rising`, `peak`, `return`). With no playlists at all the sections get empty placeholders
    (a template to edit); with some but not the needed ones, BadInputError says which.
    """
    arcs = {}
    for group, (name, sections) in _DEFAULTS.items():
        arcs[group] = PhaseArc(
            name,
            tuple(
                PhaseSection(s, start, end, _pick(playlists, keys, f"{group} arc section {s!r}"))
                for s, start, end, keys in sections
            ),
        )
    return arcs


def save_arcs(arcs: Mapping[str, PhaseArc], path: Path | str) -> None:
    """Write the arcs as JSON; each section names its playlist (the lists are saved apart)."""
    path = Path(path)
    data = {
        "format": ARCS_FORMAT,
        "version": ARCS_VERSION,
        "arcs": {
            group: {
                "name": arc.name,
                "sections": [
                    {
                        "name": s.name,
                        "start_min": s.start_min,
                        "end_min": s.end_min,
                        "playlist": s.playlist.name,
                    }
                    for s in arc.sections
                ],
            }
            for group, arc in arcs.items()
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def load_arcs(
    path: Path | str, playlists: Mapping[str, Playlist] | None = None
) -> dict[str, PhaseArc]:
    """Read arcs written by `save_arcs` (or edited by hand) and check every one.

    Each section's `playlist` is looked up by name in `playlists`; a name not there is an
    error. With `playlists=None` the sections get empty placeholders named as in the file.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInputError(f"arcs file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"arcs file {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != ARCS_FORMAT:
        raise BadInputError(f"arcs file {path} is not a GroupKAP phase-arcs file")
    if data.get("version") != ARCS_VERSION:
        raise BadInputError(
            f"arcs file {path} has version {data.get('version')!r}; "
            f"this GroupKAP reads version {ARCS_VERSION}"
        )
    raw_arcs = data.get("arcs")
    if not isinstance(raw_arcs, dict) or not raw_arcs:
        raise BadInputError(f"arcs file {path} lists no arcs")
    arcs = {}
    for group, raw in raw_arcs.items():
        try:
            sections = tuple(
                PhaseSection(
                    str(s["name"]),
                    s["start_min"],
                    s["end_min"],
                    _pick(playlists, (str(s["playlist"]),), f"arc {group!r} section {s['name']!r}"),
                )
                for s in raw["sections"]
            )
            arcs[group] = PhaseArc(str(raw["name"]), sections)
        except BadInputError as exc:
            raise BadInputError(f"arcs file {path}, {group!r}: {exc}") from None
        except (KeyError, TypeError) as exc:
            raise BadInputError(
                f"arcs file {path}: arc {group!r} is missing or has a malformed field ({exc})"
            ) from None
    return arcs
