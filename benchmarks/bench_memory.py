"""Resident memory of the app after visiting every case of a 291-patient demo.

The demo is written by a separate process (once, into the system temporary folder,
shared with bench_viewer.py and bench_first_case.py); the app then runs in a fresh
process of its own: the real main window, offscreen at 1366 x 768, opens the dataset and
steps through the library with its own case navigation (``library.step``), waiting at
each case until its views are decoded and drawn. That process reports its resident
memory (VmRSS) after the first case and after the last one, and its peak (VmHWM).
Target: <= 250 MB after every case. Floor, in the same run: a bare PySide6 + pyqtgraph
window showing one of the scans, in its own process.

    python benchmarks/bench_memory.py [--fresh]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import report_absolute  # noqa: E402

TARGET_MB = 250

STATUS = r"""
from pathlib import Path

def status_mb(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")
"""

APP = STATUS + r"""
import sys, time
from PySide6.QtCore import QEventLoop, QThreadPool
from bonescan_tutor.gui.app import make_application, make_settings
from bonescan_tutor.datasets.detect import open_dataset

app = make_application()
from bonescan_tutor.gui.main_window import MainWindow

def settle(until, timeout_s=60.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if until():
            app.processEvents()
            return
        time.sleep(0.002)
    raise SystemExit("the viewer did not settle")

def idle():
    return QThreadPool.globalInstance().activeThreadCount() == 0

window = MainWindow(make_settings(), trainee="bench")
window.resize(1366, 768)
window.show()
dataset, report = open_dataset(sys.argv[1])
window.set_dataset(dataset, report)
settle(lambda: window.viewer.presenter.case is not None and idle())
window.scans.repaint()
print(f"first {status_mb('VmRSS'):.1f}", flush=True)
shown = window.library.shown
visited = 1
while window.library.table.currentRow() < len(shown) - 1:
    window.library.step(1)
    case = shown[window.library.table.currentRow()]
    settle(lambda: window.viewer.presenter.case is case and idle())
    window.scans.repaint()
    visited += 1
settle(idle)
print(f"visited {visited} of {len(shown)}; last {status_mb('VmRSS'):.1f} peak {status_mb('VmHWM'):.1f}")
"""

BARE = STATUS + r"""
import sys
import numpy as np
from PIL import Image
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication([])
pg.setConfigOptions(imageAxisOrder="row-major")
w = pg.GraphicsLayoutWidget()
w.resize(1366, 768)
box = w.addViewBox()
box.addItem(pg.ImageItem(np.asarray(Image.open(sys.argv[1]))))
w.show()
app.processEvents()
w.grab()
print(f"last {status_mb('VmRSS'):.1f} peak {status_mb('VmHWM'):.1f}")
"""


def run(code: str, argument: Path, home: Path) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               BONESCAN_TUTOR_HOME=str(home), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code, str(argument)], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the measured process failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def figure(name: str, text: str) -> float:
    found = re.search(rf"{name} ([0-9.]+)", text)
    if found is None:
        raise SystemExit(f"no '{name}' figure in:\n{text}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="write the 291-patient demo again")
    args = parser.parse_args()
    write = ("from benchmarks.bench_viewer import demo_291; import sys; "
             f"print(demo_291({args.fresh!r}))")
    demo = Path(subprocess.run([sys.executable, "-c", write], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.strip().splitlines()[-1])
    scan = next(demo.rglob("A1.png"))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bonescan-bench-home-") as home:
        app_out = run(APP, demo, Path(home))
        bare_out = run(BARE, scan, Path(home))
    print(f"dataset: {demo}; {app_out.strip().splitlines()[-1]}")
    first, last, peak = figure("first", app_out), figure("last", app_out), figure("peak", app_out)
    bare = figure("last", bare_out)
    print(f"  after the first case {first:.0f} MB; peak {peak:.0f} MB; floor (a bare PySide6 + "
          f"pyqtgraph window showing one scan) {bare:.0f} MB")
    ok = report_absolute("resident memory after every case (MB)", last, "MB", TARGET_MB)
    ok &= report_absolute("peak resident memory (MB)", peak, "MB", TARGET_MB)
    print(f"{'  ratio to the bare window':<48} {last / bare:9.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
