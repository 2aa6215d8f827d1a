"""A manifest of 50,000 cases: time from File > Open to the library's first rows and to
the first case drawn, while every image's header is checked in the background.

    python benchmarks/bench_manifest.py [--cases 50000] [--fresh]

The manifest is written once into the system temporary folder and reused (``--fresh``
writes it again): ``manifest.csv`` with case, anterior, posterior, diagnosis, age, sex
and date, and 100,000 whole-body PNGs that are hard links to a few demo scans (each a
file of its own to the app, no disk space). The app runs in a fresh interpreter, its
window shown, and opens the manifest as File > Open does; it prints when the library has
painted its first rows, when both views have painted the first case, and when the
background checks are done. Floor, measured in the same run: reading the manifest CSV
with the ``csv`` module alone. Target: first rows and first case <= 2 s after the open.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    FIRST_CASE_DRAWN,
    report_absolute,
    report_ratio,
    timeit,
)

CASES = 50_000
TARGET_S = 2.0
PER_FOLDER = 1000

# In a fresh interpreter: the main window shown, then File > Open on the manifest.
# Prints seconds after the open: rows painted, both views painted, checks done.
CHILD = FIRST_CASE_DRAWN + r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from bonescan_tutor.gui.app import make_application, make_settings

app = make_application()
from bonescan_tutor.gui.main_window import MainWindow
window = MainWindow(make_settings(), trainee="bench")
window.resize(1366, 768)
window.show()
seen = {}
def mark(name):
    if name not in seen:
        seen[name] = time.perf_counter() - t0
        print(f"{name} {seen[name]:.4f}", flush=True)
    if len(seen) == 3:
        app.exit(0)

when_first_case_drawn(lambda: mark("case"))

class Rows(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and window.library.table.model().rowCount() > 0:
            mark("rows")
        return False
rows = Rows()
window.library.table.viewport().installEventFilter(rows)
window.library.checksFinished.connect(lambda: mark("checked"))

def go():
    global t0
    t0 = time.perf_counter()
    window.open_dataset(sys.argv[1])
app.processEvents()
QTimer.singleShot(200, go)
QTimer.singleShot(300_000, lambda: app.exit(1))
sys.exit(app.exec())
"""


def manifest_folder(cases: int, fresh: bool) -> Path:
    """A manifest of ``cases`` cases, written once and reused."""
    root = Path(tempfile.gettempdir()) / f"bonescan-bench-manifest-{cases}"
    done = root / "manifest.csv"
    if not fresh and done.is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    sources = root / "sources"
    sources.mkdir(parents=True)
    demo = ROOT / "resources" / "demo"
    scans = []
    for view in ("Anterior", "Posterior"):
        for n in range(1, 9):
            found = next(demo.rglob(f"{view}/{view[0]}{n}.png"))
            target = sources / f"scan-{view.lower()}-{n}.png"
            shutil.copyfile(found, target)
            scans.append(target)
    ant, post = scans[:8], scans[8:]
    rows = [("case", "anterior", "posterior", "diagnosis", "age", "sex", "date")]
    for i in range(cases):
        folder = f"img/{i // PER_FOLDER:03d}"
        (root / folder).mkdir(parents=True, exist_ok=True)
        key = f"c{i + 1:05d}"
        for suffix, source in (("ant", ant[i % 8]), ("post", post[i % 8])):
            os.link(source, root / folder / f"{key}_{suffix}.png")
        rows.append((key, f"{folder}/{key}_ant.png", f"{folder}/{key}_post.png",
                     "Bone metastases" if i % 3 == 0 else "No bone metastases",
                     str(40 + i % 45), "Female" if i % 2 else "Male",
                     f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}"))
    tmp = done.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    tmp.replace(done)
    print(f"(wrote a {cases}-case manifest in {time.perf_counter() - t0:.0f} s: {root})")
    return root


def read_csv_floor(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as f:
        for _row in csv.reader(f):
            pass


def open_in_app(folder: Path, home: Path) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               BONESCAN_TUTOR_HOME=str(home), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CHILD, str(folder)], env=env,
                            capture_output=True, text=True, check=False)
    marks = dict(line.split() for line in result.stdout.splitlines()
                 if line.split()[0] in ("rows", "case", "checked"))
    if result.returncode != 0 or len(marks) < 3:
        raise SystemExit(f"the manifest did not open:\n{result.stdout}{result.stderr}")
    return {k: float(v) for k, v in marks.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="write the manifest again")
    args = parser.parse_args()
    folder = manifest_folder(args.cases, args.fresh)
    print(f"dataset: {folder} ({args.cases} cases, {2 * args.cases} images)")
    floor = timeit(lambda: read_csv_floor(folder / "manifest.csv"), repeat=5).median_s
    with tempfile.TemporaryDirectory(prefix="bonescan-bench-home-") as home:
        open_in_app(folder, Path(home))  # warm the file cache
        runs = [open_in_app(folder, Path(home)) for _ in range(args.runs)]
    median = {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in runs[0]}
    print("runs (rows / case / checked, s): "
          + "; ".join(f"{r['rows']:.2f} / {r['case']:.2f} / {r['checked']:.2f}" for r in runs))
    ok = report_absolute("open to first rows shown (median)", median["rows"], "s", TARGET_S)
    ok &= report_absolute("open to first case drawn (median)", median["case"], "s", TARGET_S)
    report_ratio("first case drawn vs reading the CSV alone", median["case"], floor, None)
    report_ratio("background checks done vs reading the CSV", median["checked"], floor, None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
