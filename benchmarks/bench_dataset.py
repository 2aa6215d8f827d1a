"""Dataset figures: indexing and decoding a 291-patient set, and time to a first case shown.

    python benchmarks/bench_dataset.py [--patients 291]

Floors, measured in the same run: reading the same spreadsheet with openpyxl (read-only)
plus listing the files; plain Pillow decoding of the same PNGs; a bare PySide6 +
pyqtgraph window showing one image, started as a fresh process like the app. Start-up
is timed inside each process, from its first import to the first image on screen.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.harness import report_ratio, timeit  # noqa: E402

BARE_WINDOW = """
import sys, time
t0 = time.perf_counter()
import numpy as np
from PIL import Image
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication([])
pg.setConfigOptions(imageAxisOrder="row-major")
w = pg.GraphicsLayoutWidget()
box = w.addViewBox()
img = pg.ImageItem(np.asarray(Image.open(sys.argv[1])))
box.addItem(img)
w.show()
app.processEvents()
w.grab()
print(time.perf_counter() - t0)
"""


def index_floor(root: Path) -> None:
    from openpyxl import load_workbook

    for _dirpath, _dirs, _files in os.walk(root):
        pass
    wb = load_workbook(next(root.rglob("*.xlsx")), read_only=True, data_only=True)
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        pass
    wb.close()


def first_case_seconds(args: list[str], env: dict[str, str]) -> float:
    """Seconds from the program's first import to its first case on screen, as it reports."""
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    m = re.search(r"first case shown (\d+) ms after start", out)
    return int(m.group(1)) / 1000 if m else float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=291)
    opts = parser.parse_args()
    from bonescan_tutor.datasets.demo import write_demo
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.datasets.images import load_view

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        print(f"writing a {opts.patients}-patient demo dataset …", flush=True)
        write_demo(root, patients=opts.patients, seed=7)
        dataset, _ = open_dataset(root)
        views = [v for c in dataset.cases for v in c.views]
        files = [Path(v.path) for v in views]
        print(f"{len(dataset)} patients, {len(views)} views\n")

        ours = timeit(lambda: open_dataset(root), repeat=5)
        floor = timeit(lambda: index_floor(root), repeat=5)
        report_ratio(f"index {len(dataset)} patients", ours.median_s, floor.median_s, 1.5)

        def decode_ours() -> None:
            for v in views:
                load_view(v)

        def decode_floor() -> None:
            for f in files:
                with Image.open(f) as im:
                    np.asarray(im)

        ours = timeit(decode_ours, repeat=5)
        floor = timeit(decode_floor, repeat=5)
        report_ratio(f"decode {len(views)} PNGs", ours.median_s, floor.median_s, 1.1)

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as home:
        env["BONESCAN_TUTOR_HOME"] = home
        app_cmd = [sys.executable, "-m", "bonescan_tutor", "--self-test"]
        from bonescan_tutor import paths

        first_png = next(paths.demo_dataset_dir().rglob("A1.png"))
        bare_cmd = [sys.executable, "-c", BARE_WINDOW, str(first_png)]
        first_case_seconds(app_cmd, env)  # warm the file cache
        app = sorted(first_case_seconds(app_cmd, env) for _ in range(5))[2]
        bare = sorted(first_case_seconds(bare_cmd, env) for _ in range(5))[2]
        report_ratio("start to first case shown (--self-test)", app, bare, 1.2)


if __name__ == "__main__":
    main()
