"""A tiny harness: every figure is printed beside a floor measured in the same run.

A benchmark measures the project's operation and a floor (the least work that could
do the same job with plain libraries), then prints both and their ratio against the
target ratio. Benchmarks print; they never fail a test run on time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    median_s: float
    p95_s: float
    runs: int

    @property
    def median_ms(self) -> float:
        return self.median_s * 1000

    @property
    def p95_ms(self) -> float:
        return self.p95_s * 1000


def timeit(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times unmeasured, then ``repeat`` times; median and p95."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, len(samples))


def report_ratio(name: str, value_s: float, floor_s: float, target_ratio: float | None) -> bool:
    """Print ``name``: value, floor, ratio and whether the target ratio is met
    (``target_ratio`` None: the ratio is shown for information only)."""
    ratio = value_s / floor_s if floor_s > 0 else float("inf")
    ok = target_ratio is None or ratio <= target_ratio
    verdict = ("(for information)" if target_ratio is None
               else f"(target <= {target_ratio:g})  {'OK' if ok else 'MISSED'}")
    print(
        f"{name:<48} {value_s * 1000:9.2f} ms   floor {floor_s * 1000:9.2f} ms   "
        f"ratio {ratio:5.2f} {verdict}"
    )
    return ok


def report_absolute(name: str, value: float, unit: str, target: float) -> bool:
    """Print a figure that has an absolute target (ms, MB), e.g. a p95 latency."""
    ok = value <= target
    print(f"{name:<48} {value:9.2f} {unit:<3} target <= {target:g} {unit}  {'OK' if ok else 'MISSED'}")
    return ok


FIRST_CASE_DRAWN = r"""
from bonescan_tutor.gui.viewer import scan_view

def when_first_case_drawn(then):
    # then() once both views of a case have been painted with their pixels
    painted = set()
    original = scan_view.PackedImage.paint

    def paint(self, painter, *args):
        original(self, painter, *args)
        if self.image is not None and self._format == scan_view.QImage.Format.Format_RGB32:
            painted.add(id(self))
            if len(painted) == 2:
                then()

    scan_view.PackedImage.paint = paint
"""
"""Code for a benchmark's child interpreter (joined to its script): the moment the first
case is on screen, as the resident sees it."""
