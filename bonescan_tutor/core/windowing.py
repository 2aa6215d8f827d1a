"""Intensity windows for planar bone scans: the model, presets, drag arithmetic, LUTs.

Nuclear-medicine readers set the window as a fraction of the image maximum or by
percentiles, not with CT's Hounsfield presets. A ``Window`` maps ``low`` -> darkest
and ``high`` -> brightest display value (before the colour map; "inverted gray", the
default look, then shows high uptake dark on white). Display value in [0, 1]:
``t = clip((x - low) / (high - low), 0, 1) ** gamma``, then ``1 - t`` when ``invert``;
8-bit output is ``floor(255 * t + 0.5)``. ``gamma < 1`` lifts faint uptake.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from bonescan_tutor.core.body import as_float_image, body_threshold, downsample2
from bonescan_tutor.core.colormaps import COLORMAPS, DEFAULT_COLORMAP, colormap
from bonescan_tutor.core.errors import UsageError

__all__ = [
    "COLORMAPS",
    "DEFAULT_COLORMAP",
    "PRESETS",
    "Preset",
    "PresetKind",
    "Window",
    "apply_window",
    "apply_window_reference",
    "auto_window",
    "colormap",
    "drag",
    "from_level_width",
    "full_range",
    "percent_of_max",
    "preset_for_key",
    "preset_names",
    "preset_window",
    "skeleton_auto",
    "window_lut",
]

# The narrowest window a drag may reach, as a fraction of the image range.
MIN_WIDTH_FRACTION = 0.002
# skeleton-auto: the top of the window is this percentile of body pixels (so the
# hottest 1 %, bladder and injection site, saturate) and the bottom this percentile
# of background pixels.
AUTO_HIGH_PERCENTILE = 99.0
AUTO_LOW_PERCENTILE = 50.0


@dataclass(frozen=True)
class Window:
    """An intensity window ``[low, high]`` in image units, with gamma and inversion."""

    low: float
    high: float
    gamma: float = 1.0
    invert: bool = False

    def __post_init__(self) -> None:
        for name in ("low", "high", "gamma"):
            value = getattr(self, name)
            if not isinstance(value, int | float | np.floating | np.integer) or not math.isfinite(
                value
            ):
                raise UsageError(f"window {name} must be a finite number, got {value!r}.")
            object.__setattr__(self, name, float(value))
        if not self.low < self.high:
            raise UsageError(
                f"window low ({self.low:g}) must be below high ({self.high:g}); "
                "swap them or widen the window."
            )
        if not self.gamma > 0:
            raise UsageError(f"window gamma must be positive, got {self.gamma:g}.")
        object.__setattr__(self, "invert", bool(self.invert))

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def level(self) -> float:
        """The centre of the window."""
        return 0.5 * (self.low + self.high)

    def inverted(self) -> Window:
        """The same window with ``invert`` flipped (the ``i`` key)."""
        return replace(self, invert=not self.invert)


def _finite_range(image: np.ndarray) -> tuple[float, float]:
    arr = np.asarray(image)
    if arr.ndim == 2 and arr.size and arr.dtype.kind in "ui" and arr.dtype.itemsize <= 2:
        # Exact in float32 too: the same answer as below without a float copy.
        return float(arr.min()), float(arr.max())
    a = as_float_image(image)
    if a.size == 0:
        return 0.0, 1.0
    return float(a.min()), float(a.max())


def _safe_window(low: float, high: float) -> Window:
    """A window from bounds that may coincide (a flat image): widened just enough."""
    if not high > low:
        pad = max(abs(low) * 1e-6, 1e-6) if math.isfinite(low) else 1.0
        low, high = low - pad, low + pad
        if not high > low:  # huge magnitudes where the pad vanishes
            low, high = math.nextafter(low, -math.inf), math.nextafter(low, math.inf)
    return Window(low, high)


def full_range(image: np.ndarray) -> Window:
    """From the smallest to the largest pixel value."""
    lo, hi = _finite_range(image)
    return _safe_window(lo, hi)


def percent_of_max(image: np.ndarray, lo_pct: float, hi_pct: float) -> Window:
    """``[lo_pct, hi_pct]`` percent of the image maximum (the nuclear-medicine way)."""
    if not 0 <= lo_pct < hi_pct:
        raise UsageError(
            f"percent window {lo_pct:g}-{hi_pct:g} %: the low percentage must be >= 0 and "
            "below the high one."
        )
    _, top = _finite_range(image)
    if not top > 0:
        return _safe_window(0.0, max(top, 0.0))
    return _safe_window(top * lo_pct / 100.0, top * hi_pct / 100.0)


def skeleton_auto(image: np.ndarray) -> Window:
    """An automatic reading window computed from body pixels only.

    The body is split from the background by Otsu's threshold; the window runs from
    the background's median to the 99th percentile of body pixels, so the bladder and
    the injection site saturate and the skeleton fills the grey scale.
    """
    a = as_float_image(image)
    if a.size == 0:
        return Window(0.0, 1.0)
    sample = downsample2(a) if min(a.shape) >= 4 else a
    values = sample.ravel()
    threshold = body_threshold(values)
    if threshold is None:
        return full_range(a)
    body, background = values[values > threshold], values[values <= threshold]
    if body.size == 0 or background.size == 0:
        return full_range(a)
    high = float(np.percentile(body, AUTO_HIGH_PERCENTILE))
    low = float(np.percentile(background, AUTO_LOW_PERCENTILE))
    if not high > low:
        return full_range(a)
    return Window(low, high)


def auto_window(image: np.ndarray) -> Window:
    """The "skeleton-auto" window of an image: the window of thumbnails and of the
    viewer's Auto window command. It is not the viewer's default: a newly shown case
    opens in the last preset used, "bone-35" (0-35 % of the maximum) at first."""
    return skeleton_auto(image)


class PresetKind(enum.Enum):
    PERCENT_OF_MAX = "percent of max"
    SKELETON_AUTO = "skeleton auto"


@dataclass(frozen=True)
class Preset:
    """A named way to set the window; ``key`` is the number key that picks it."""

    name: str
    key: int
    kind: PresetKind
    description: str
    low_pct: float = 0.0
    high_pct: float = 100.0

    def window(self, image: np.ndarray) -> Window:
        if self.kind is PresetKind.SKELETON_AUTO:
            return skeleton_auto(image)
        return percent_of_max(image, self.low_pct, self.high_pct)


def _presets(*items: tuple[str, PresetKind, str, float, float]) -> Mapping[str, Preset]:
    return MappingProxyType(
        {
            name: Preset(name, key, kind, text, lo, hi)
            for key, (name, kind, text, lo, hi) in enumerate(items, start=1)
        }
    )


_P = PresetKind.PERCENT_OF_MAX
# Ordered: number key k picks the k-th preset.
PRESETS: Mapping[str, Preset] = _presets(
    ("full", _P, "0-100 % of the maximum: everything, bladder included", 0, 100),
    ("bone-75", _P, "0-75 % of the maximum", 0, 75),
    ("bone-50", _P, "0-50 % of the maximum", 0, 50),
    ("bone-35", _P, "0-35 % of the maximum", 0, 35),
    ("bone-20", _P, "0-20 % of the maximum: saturates the bladder, shows the skeleton", 0, 20),
    (
        "skeleton-auto",
        PresetKind.SKELETON_AUTO,
        "body-pixel percentiles, ignoring the hottest 1 % (bladder, injection site)",
        0,
        100,
    ),
)


def preset_names() -> tuple[str, ...]:
    return tuple(PRESETS)


def _unknown_preset(what: str) -> UsageError:
    valid = ", ".join(f"{p.key}={p.name}" for p in PRESETS.values())
    return UsageError(f"unknown window preset {what}; choose one of {valid}.")


def preset_for_key(key: int) -> Preset:
    """The preset a number key picks (1-based)."""
    for preset in PRESETS.values():
        if preset.key == key:
            return preset
    raise _unknown_preset(f"number {key}")


def preset_window(name: str, image: np.ndarray) -> Window:
    """The window of preset ``name`` on ``image``; ``UsageError`` listing valid names."""
    preset = PRESETS.get(name)
    if preset is None:
        raise _unknown_preset(repr(name))
    return preset.window(image)


def from_level_width(level: float, width: float, lo_bound: float, hi_bound: float) -> Window:
    """A window centred on ``level``, ``width`` wide, kept inside ``[lo_bound, hi_bound]``.

    The width is clamped to ``[MIN_WIDTH_FRACTION * span, span]``; then the level is
    moved just enough for the window to fit.
    """
    if not hi_bound > lo_bound:
        return _safe_window(lo_bound, hi_bound)
    span = hi_bound - lo_bound
    width = min(max(width, MIN_WIDTH_FRACTION * span), span)
    level = min(max(level, lo_bound + width / 2), hi_bound - width / 2)
    low, high = level - width / 2, level + width / 2
    return _safe_window(max(low, lo_bound), min(high, hi_bound))


def drag(
    window: Window,
    dx: float,
    dy: float,
    image_range: tuple[float, float],
    sensitivity: float = 0.002,
) -> Window:
    """Window/level after a mouse drag of ``(dx, dy)`` screen pixels.

    Convention (as in most clinical viewers): horizontal motion changes the width
    (right = wider, less contrast), vertical motion changes the level (down = higher
    level, so a normal-gray image darkens; up brightens). ``sensitivity`` is the
    fraction of the image range moved per screen pixel. Gamma and inversion are kept.
    """
    lo, hi = float(image_range[0]), float(image_range[1])
    step = sensitivity * (hi - lo)
    moved = from_level_width(window.level + dy * step, window.width + dx * step, lo, hi)
    return replace(moved, gamma=window.gamma, invert=window.invert)


def _display_fraction(x: np.ndarray, window: Window) -> np.ndarray:
    """Float64 display values in [0, 1] (the definition every fast path must equal)."""
    t: np.ndarray = np.nan_to_num(x, nan=window.low, posinf=window.high, neginf=window.low)
    t = (t - window.low) / (window.high - window.low)
    np.clip(t, 0.0, 1.0, out=t)
    if window.gamma != 1.0:
        np.power(t, window.gamma, out=t)
    if window.invert:
        t = 1.0 - t
    return t


def apply_window_reference(image: np.ndarray, window: Window) -> np.ndarray:
    """Float reference: (H, W) uint8 display values for an image of any numeric dtype."""
    t = _display_fraction(np.asarray(image, dtype=np.float64), window)
    return np.floor(t * 255.0 + 0.5).astype(np.uint8)


@functools.lru_cache(maxsize=64)
def _lut(window: Window, size: int) -> np.ndarray:
    lut = apply_window_reference(np.arange(size, dtype=np.float64), window)
    lut.setflags(write=False)
    return lut


@functools.lru_cache(maxsize=32)
def _rgb_lut(window: Window, cmap_name: str, size: int) -> np.ndarray:
    rgb: np.ndarray = colormap(cmap_name)[_lut(window, size)]
    rgb.setflags(write=False)
    return rgb


def window_lut(window: Window, dtype_max: int = 65535) -> np.ndarray:
    """A read-only uint8 table of ``dtype_max + 1`` entries: ``lut[v]`` displays value ``v``."""
    if not 0 < dtype_max <= 65535:
        raise UsageError(f"a window LUT covers 1-65535 as top value, got {dtype_max}.")
    return _lut(window, int(dtype_max) + 1)


def apply_window(image: np.ndarray, window: Window, cmap: str | None = None) -> np.ndarray:
    """Display values: (H, W) uint8 without ``cmap``, else (H, W, 3) uint8 RGB.

    uint8/uint16 images go through a cached 65536-entry LUT (equal to
    ``apply_window_reference`` by construction); other dtypes through the reference.
    """
    arr = np.asarray(image)
    if arr.ndim != 2:
        raise UsageError(f"a scan view is a 2-D image; got an array of shape {arr.shape}.")
    if arr.dtype in (np.uint8, np.uint16):
        if cmap is None:
            out = np.empty(arr.shape, dtype=np.uint8)
            return np.take(_lut(window, 65536), arr, out=out)
        return np.take(_rgb_lut(window, cmap, 65536), arr, axis=0)
    gray = apply_window_reference(arr, window)
    if cmap is None:
        return gray
    return np.take(colormap(cmap), gray, axis=0)
