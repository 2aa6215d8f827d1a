"""``bonescan-tutor render``: a clean figure of a case for an instructor's slides (no Qt)."""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError


def register(sub: Any) -> None:
    from bonescan_tutor.commands.imaging import add_case_arguments

    p = sub.add_parser(
        "render",
        help="write a PNG figure of a case (both views, labels, overlays)",
        description="Write a figure of one case: anterior and posterior side by side with "
        "A / P letters and the patient's R / L sides, windowed like the viewer. Overlays "
        "are teaching aids, not a diagnosis.",
    )
    from bonescan_tutor.core.overlays import OVERLAYS

    add_case_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.png", help="the PNG to write")
    window = p.add_mutually_exclusive_group()
    window.add_argument("--preset", metavar="NAME",
                        help="window preset: full, bone-75, bone-50, bone-35 (default), bone-20, "
                        "skeleton-auto")
    window.add_argument("--window", metavar="LOW:HIGH",
                        help="window limits: raw values (100:20000) or percent of each view's "
                        "maximum (0:35%%)")
    p.add_argument("--invert", action=argparse.BooleanOptionalAction, default=True,
                   help="grey: high uptake dark on white (default) or --no-invert; "
                   "colour maps are never inverted")
    p.add_argument("--colormap", default="gray", metavar="NAME",
                   help="gray (default), hot iron, viridis")
    p.add_argument("--overlay", default="", metavar="LIST",
                   help=f"comma-separated: {', '.join(OVERLAYS)}; the viewer's colours and "
                   "shapes")
    p.add_argument("--mirror-posterior", action="store_true",
                   help="flip the posterior view to line it up with the anterior one")
    p.add_argument("--scale", type=int, default=1, metavar="N", help="enlarge N times (1-8)")
    p.set_defaults(func=run)


_LIMITS = re.compile(r"^\s*(-?[\d.]+)\s*(%?)\s*:\s*(-?[\d.]+)\s*(%?)\s*$")


def parse_window(text: str, image: np.ndarray):
    """``"100:20000"`` in raw values, or ``"0:35%"`` in percent of the image's maximum."""
    from bonescan_tutor.core.windowing import Window

    m = _LIMITS.match(text)
    if not m:
        raise UsageError(f"--window {text!r}: write LOW:HIGH, e.g. 0:35% or 100:20000.")
    low, low_pct, high, high_pct = float(m.group(1)), m.group(2), float(m.group(3)), m.group(4)
    top = float(np.max(image)) if image.size else 0.0
    if low_pct or high_pct:
        low, high = low * top / 100, high * top / 100
    if not low < high:
        raise UsageError(f"--window {text!r}: the low limit must be below the high one.")
    return Window(low, high)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from bonescan_tutor.commands.imaging import load_views
    from bonescan_tutor.core.colormaps import honours_invert
    from bonescan_tutor.core.overlays import check_names
    from bonescan_tutor.core.windowing import colormap, preset_window
    from bonescan_tutor.figures.scan_figure import render_figure, save_png

    colormap(args.colormap)  # an unknown name fails with the valid ones listed
    overlays = check_names(args.overlay)
    if not 1 <= args.scale <= 8:
        raise UsageError("--scale must be between 1 and 8.")
    _dataset, case, views = load_views(args)
    windows = {}
    for projection, image in views.items():
        w = (parse_window(args.window, image) if args.window
             else preset_window(args.preset or "bone-35", image))
        windows[projection] = replace(w, invert=args.invert and honours_invert(args.colormap))
    figure = render_figure(views, windows, args.colormap, overlays,
                           mirror_posterior=args.mirror_posterior, scale=args.scale)
    out = save_png(figure, args.out)
    shown = " + ".join(p.value for p in views if p in (Projection.ANTERIOR, Projection.POSTERIOR))
    print(f"Wrote {out} ({figure.width} x {figure.height}, case {case.key}, {shown}"
          + (f", overlays: {', '.join(overlays)}" if overlays else "") + ")")
    return 0
