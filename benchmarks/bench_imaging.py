"""Imaging benchmarks: windowing both views, and one view's symmetry analysis.

(a) Applying one window to both 256 x 1024 uint16 views must stay well inside a
frame: absolute target 4 ms (median). (b) The whole symmetry analysis of a view
should cost no more than 4 x decoding that view's 16-bit PNG with Pillow.

Run: /work/venv/bin/python benchmarks/bench_imaging.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from benchmarks.harness import report_absolute, report_ratio, timeit  # noqa: E402
from bonescan_tutor.core.cases import Projection  # noqa: E402
from bonescan_tutor.core.symmetry import analyze_view  # noqa: E402
from bonescan_tutor.core.windowing import Window, apply_window, auto_window  # noqa: E402
from bonescan_tutor.datasets.images import decode_image  # noqa: E402
from tests.core.phantom import phantom  # noqa: E402


def _interleaved(
    floor: Callable[[], object], work: Callable[[], object], runs: int = 41
) -> tuple[float, float]:
    """Median seconds of ``floor`` and ``work`` timed alternately, so both see the same
    load on a shared machine (the harness's ``timeit`` runs them minutes apart)."""
    floor_s, work_s = [], []
    for i in range(runs + 2):
        t0 = time.perf_counter()
        floor()
        t1 = time.perf_counter()
        work()
        t2 = time.perf_counter()
        if i >= 2:  # warm-up
            floor_s.append(t1 - t0)
            work_s.append(t2 - t1)
    return statistics.median(floor_s), statistics.median(work_s)


def main() -> int:
    anterior = phantom(seed=1, spot=(-40.0, 400.0, 80.0))
    posterior = phantom(seed=2)
    ok = True

    window = auto_window(anterior)
    gamma_window = Window(window.low, window.high, gamma=0.8, invert=True)
    for name, win in (
        ("apply window, both views (ms)", window),
        ("apply window, gamma + invert, both views (ms)", gamma_window),
    ):
        t = timeit(
            lambda w=win: (apply_window(anterior, w), apply_window(posterior, w)),
            repeat=101,
            warmup=3,
        )
        ok &= report_absolute(name, t.median_ms, "ms", 4.0)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.png"
        Image.fromarray(anterior).save(path)
        decode_s, analysis_s = _interleaved(
            lambda: decode_image(path), lambda: analyze_view(anterior, Projection.ANTERIOR)
        )
    ok &= report_ratio("symmetry analysis of one view vs PNG decode", analysis_s, decode_s, 4.0)
    print("all targets met" if ok else "some targets MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
