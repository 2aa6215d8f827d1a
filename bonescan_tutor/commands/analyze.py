"""``bonescan-tutor analyze``: the symmetry teaching aids of a case as a table or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

NOTE = "Teaching aid, not a diagnosis: asymmetry is common in healthy people."


def register(sub: Any) -> None:
    from bonescan_tutor.commands.imaging import add_case_arguments

    p = sub.add_parser(
        "analyze",
        help="the midline, left/right indices and hot-spot candidates of a case",
        description="Fit the body's midline, compare each side with its mirror, and list "
        "regional left/right indices and hot-spot candidates. x is from the image's left, "
        "y from its top, in pixels; sides are the patient's. A view cut from a clinic "
        "capture is measured within its box (JSON: box = x0, y0, x1, y1 in the file); a "
        "display-inverted view is read with uptake bright. " + NOTE,
    )
    add_case_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.commands.imaging import load_views
    from bonescan_tutor.core.symmetry import analyze_view
    from bonescan_tutor.datasets.images import decode_note

    _dataset, case, views = load_views(args)
    results = {p.value: analyze_view(image, p).as_dict() for p, image in views.items()}
    for p in views:
        ref = case.view(p)
        note = decode_note(ref) if ref is not None else None
        if note is not None and (note.box is not None or note.inverted):
            # A view cut from a capture or turned over: where it sits in its file (its
            # coordinates are within this box), and whether it was display-inverted.
            results[p.value]["box"] = list(note.box) if note.box else None
            results[p.value]["display_inverted"] = note.inverted
    if args.json:
        print(json.dumps({"case": case.key, "note": NOTE, "views": results}, indent=2))
        return 0
    print(f"Case {case.key} — {NOTE}")
    for view, r in results.items():
        m = r["midline"]
        state = "" if m["confident"] else f"  (not confident: {m['reason']})"
        print(f"\n{view.upper()}: midline x = {m['a']:.1f} + {m['b']:.4f}·y "
              f"(tilt {m['angle_deg']:+.1f}°){state}")
        print(f"  {'region':<14} {'(L-R)/(L+R)':>12}")
        for region in r["regions"]:
            print(f"  {region['name']:<14} {region['index']:>+12.3f}")
        if r["hotspots"]:
            print(f"  hot-spot candidates: {'x':>6} {'y':>6}  {'side':<6} {'region':<14} asymmetry")
            for h in r["hotspots"]:
                print(f"  {'':<20} {h['x']:>6.1f} {h['y']:>6.1f}  {h['side']:<6} "
                      f"{h['region']:<14} {h['asymmetry']:+.2f}")
        else:
            print("  no hot-spot candidates above the threshold")
    return 0
