"""Start to first case drawn, against a bare PySide6 + pyqtgraph window: target <= 1.2x.

Both are fresh processes measured the same way: from the moment the parent starts the
process (interpreter start-up included) until the first case's pixels are painted on
screen, as the process itself reports from its paint event. The app is started as a
trainee starts it (``python -m bonescan_tutor --home HOME``: it opens the last dataset,
here the built-in demo), so everything the trainee waits for before seeing the case is
counted; the work the app does after that first paint (the expert annotations, the
Learning Record Store sender, ...) is not waited for. The floor is the least program
that can show a scan: import numpy, Pillow, PySide6 and pyqtgraph, decode one of the
demo's PNGs and paint it in a pyqtgraph window.

Two starts are measured, each the median of N runs (app and floor interleaved):

- a later start: the home already holds the settings and the progress file (every
  start after the first one on a computer);
- a first start: an empty home each time (the progress file and settings are created).

Python bytecode is compiled once, as an installed app or the bundle has it (the
benchmark's own cache folder; ``PYTHONDONTWRITEBYTECODE`` is ignored for the children).

    python benchmarks/bench_startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import report_ratio  # noqa: E402

TARGET_RATIO = 1.2
TIMEOUT_S = 120

# The app, started as ``python -m bonescan_tutor``; the scan view's image item is watched
# (patched when the app imports it, so the app's import order is unchanged): when both
# views have painted a scan, the time is printed and the window closed as a user would.
APP = r"""
import sys, time
import importlib.util

def watch(module):
    QImage = module.QImage
    original, painted = module.PackedImage.paint, set()

    def paint(self, painter, *args):
        original(self, painter, *args)
        if self.image is not None and self._format == QImage.Format.Format_RGB32 \
                and len(painted) < 2:
            painted.add(id(self))
            if len(painted) == 2:
                print(f"drawn {time.time():.6f}", flush=True)
                from PySide6.QtCore import QTimer
                from PySide6.QtWidgets import QApplication
                QTimer.singleShot(0, QApplication.closeAllWindows)

    module.PackedImage.paint = paint

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name != "bonescan_tutor.gui.viewer.scan_view":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            watch(module)

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Watch())
from bonescan_tutor.__main__ import main
sys.exit(main(sys.argv[1:]))
"""

# The floor: the least program that shows the same scan in a pyqtgraph window.
BARE = r"""
import sys, time
import numpy as np
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg

class Image_(pg.ImageItem):
    def paint(self, painter, *args):
        super().paint(painter, *args)
        print(f"drawn {time.time():.6f}", flush=True)
        QTimer.singleShot(0, app.quit)

app = QApplication([])
pg.setConfigOptions(imageAxisOrder="row-major")
w = pg.GraphicsLayoutWidget()
box = w.addViewBox()
box.addItem(Image_(np.asarray(Image.open(sys.argv[1]))))
w.show()
app.exec()
"""


def child_env(pycache: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("BONESCAN_TUTOR_HOME", None)
    return env


def drawn_after_s(args: list[str], env: dict[str, str]) -> float:
    """Seconds from starting the process ``args`` to the paint it reports."""
    t0 = time.time()
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=TIMEOUT_S, check=False)
    drawn = [line for line in result.stdout.splitlines() if line.startswith("drawn ")]
    if result.returncode != 0 or not drawn:
        raise SystemExit(f"{args[:3]} drew nothing (exit {result.returncode}):\n"
                         f"{result.stdout}{result.stderr}")
    return float(drawn[0].split()[1]) - t0


def app_args(home: Path) -> list[str]:
    return [sys.executable, "-c", APP, "--home", str(home)]


def measure(runs: int, env: dict[str, str], bare: list[str], home_for_run) -> tuple[list, list]:
    app_s, bare_s = [], []
    for i in range(runs):
        app_s.append(drawn_after_s(app_args(home_for_run(i)), env))
        bare_s.append(drawn_after_s(bare, env))
    return app_s, bare_s


def show(name: str, app_s: list[float], bare_s: list[float]) -> bool:
    print(f"  app  runs (ms): {' '.join(f'{s * 1000:.0f}' for s in sorted(app_s))}")
    print(f"  bare runs (ms): {' '.join(f'{s * 1000:.0f}' for s in sorted(bare_s))}")
    return report_ratio(name, statistics.median(app_s), statistics.median(bare_s), TARGET_RATIO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each (default 11)")
    opts = parser.parse_args()
    from bonescan_tutor import paths

    scan = next(paths.demo_dataset_dir().rglob("A1.png"))
    bare = [sys.executable, "-c", BARE, str(scan)]
    ok = True
    with tempfile.TemporaryDirectory(prefix="bonescan-bench-start-") as tmp:
        env = child_env(Path(tmp) / "pycache")
        used_home = Path(tmp) / "home"
        drawn_after_s(app_args(used_home), env)  # compiles the bytecode, writes the home
        drawn_after_s(bare, env)
        print(f"later start (settings and progress file exist), {opts.runs} runs each:")
        app_s, bare_s = measure(opts.runs, env, bare, lambda i: used_home)
        ok &= show("start to first case drawn (later start)", app_s, bare_s)
        print(f"first start (an empty home each run), {opts.runs} runs each:")
        app_s, bare_s = measure(opts.runs, env, bare, lambda i: Path(tmp) / f"fresh-{i}")
        ok &= show("start to first case drawn (first start)", app_s, bare_s)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
