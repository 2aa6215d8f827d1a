"""``bonescan-tutor --self-test``: build the window offscreen on the demo, show a case,
check that it rendered, and exit 0 (1 with the reason otherwise)."""

from __future__ import annotations

import sys
import time

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Projection


def run_self_test(app: QApplication, settings: QSettings) -> int:
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.gui.main_window import MainWindow

    t0 = time.perf_counter()
    window = MainWindow(settings)
    window.show()
    dataset, report = open_dataset(paths.demo_dataset_dir())
    window.set_dataset(dataset, report)
    app.processEvents()
    shown = time.perf_counter() - t0
    failures = []
    for projection in Projection:
        shown_pixels = window.displayed(projection)
        if shown_pixels is None or float(np.std(shown_pixels)) < 1.0:
            failures.append(f"the {projection.value} view shows no image")
    grab = window.scans.grab().toImage()
    if grab.isNull() or grab.width() < 100:
        failures.append("the scan view did not render")
    if not dataset.synthetic or not window.banner.isVisible():
        failures.append("the synthetic-demo banner is not shown")
    window.close()
    if failures:
        print("self-test: FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    print(f"self-test: ok ({dataset.name}, {len(dataset)} cases, first case shown in "
          f"{shown * 1000:.0f} ms)")
    return 0
