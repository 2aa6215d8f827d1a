"""Dataset figures: indexing and decoding a 291-patient set.

    python benchmarks/bench_dataset.py [--patients 291]

Floors, measured in the same run: reading the same spreadsheet with openpyxl (read-only)
plus listing the files; plain Pillow decoding of the same PNGs. The time from start to
the first case drawn, against a bare PySide6 + pyqtgraph window, is bench_startup.py's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.harness import report_ratio, timeit  # noqa: E402


def index_floor(root: Path) -> None:
    from openpyxl import load_workbook

    for _dirpath, _dirs, _files in os.walk(root):
        pass
    wb = load_workbook(next(root.rglob("*.xlsx")), read_only=True, data_only=True)
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        pass
    wb.close()


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


if __name__ == "__main__":
    main()
