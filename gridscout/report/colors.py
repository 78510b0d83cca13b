"""Colour scales for scores (viridis stops; colour-blind safe, prints in grey)."""

from __future__ import annotations

from gridscout.report.fields import is_missing

#: Viridis at 0, 0.25, 0.5, 0.75, 1 (matplotlib's _viridis_data).
_STOPS = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
UNKNOWN_FILL = "#b8b8b8"


def score_color(score: float | None, lo: float = 0.0, hi: float = 100.0) -> str:
    """Hex colour for a score in [lo, hi]; grey for UNKNOWN."""
    if is_missing(score):
        return UNKNOWN_FILL
    t = 0.0 if hi <= lo else min(max((float(score) - lo) / (hi - lo), 0.0), 1.0)
    pos = t * (len(_STOPS) - 1)
    i = min(int(pos), len(_STOPS) - 2)
    f = pos - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_STOPS[i], _STOPS[i + 1])]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def gradient_stops() -> list[tuple[float, str]]:
    """(offset 0–1, colour) pairs for an SVG linearGradient legend."""
    n = len(_STOPS) - 1
    return [(i / n, "#{:02x}{:02x}{:02x}".format(*c)) for i, c in enumerate(_STOPS)]
