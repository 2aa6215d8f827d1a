"""What the viewer shows, as plain values: no Qt here, so it is tested without a screen.

``ViewerState`` holds the reading choices (window per projection, colour map, posterior
mirror, overlays by their ``core.overlays`` names); the presenter replaces it as the trainee works and the widgets
draw it. ``corresponding_point`` maps a point between the two projections.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.windowing import Window


@dataclass(frozen=True)
class ViewerState:
    """The reading choices. ``windows`` has one entry per projection; when ``linked``
    both are kept equal in relative terms (same preset or same fractions of the maximum)."""

    windows: dict[Projection, Window] = field(default_factory=dict)
    preset: str | None = "bone-35"
    colormap: str = "gray"
    invert: bool = True
    gamma: float = 1.0
    linked: bool = True
    mirror_posterior: bool = False
    overlays: frozenset[str] = frozenset()  # names from core.overlays.OVERLAYS
    ghost_opacity: float = 0.4

    def with_overlay(self, overlay: str, on: bool) -> ViewerState:
        overlays = set(self.overlays)
        (overlays.add if on else overlays.discard)(overlay)
        return replace(self, overlays=frozenset(overlays))


def corresponding_point(
    x: float, y: float, width: int, source: Projection, posterior_mirrored: bool
) -> tuple[float, float]:
    """The same anatomical point in the other projection's displayed image.

    Seen from the front the patient's right is on the image's left; seen from behind it
    is on the image's right. So a point at column ``x`` of one view sits at column
    ``width - 1 - x`` of the other, unless the posterior view is shown mirrored, when
    both views share the same orientation. Rows (head to feet) are shared.
    """
    del source  # the mapping is its own inverse
    if posterior_mirrored:
        return x, y
    return (width - 1) - x, y
