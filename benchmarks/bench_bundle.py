"""The lab-PC bundle: its size, and how much slower the frozen app starts than from source.

(a) The bundle folder, absolute target <= 200 MB, printed by component (Qt, numpy,
pandas, the system libraries, ...) so that a growth shows where it came from.
(b) Wall time of ``--self-test`` (start, build the window, open the demo, show the first
case, answer a short quiz and export it, exit), frozen executable vs ``python -m
bonescan_tutor`` from source, median of 5 runs each after one warm-up: target ratio <= 1.5.

Build first (``python packaging/build.py``), then run:
/work/venv/bin/python benchmarks/bench_bundle.py [--bundle DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "packaging"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from bundle_layout import DEFAULT_BUNDLE, GUI, components, executable, folder_size  # noqa: E402

from benchmarks.harness import report_absolute, report_ratio, timeit  # noqa: E402

MB = 1024 * 1024
TARGET_MB = 200


def self_test(command: list[str], home: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BONESCAN_TUTOR_HOME=str(home))
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description="bundle size and frozen start time")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    args = parser.parse_args()
    frozen = executable(args.bundle, GUI)
    if not frozen.is_file():
        print(f"bench_bundle: no bundle at {args.bundle}; build it with python packaging/build.py")
        return 2
    for name, size in components(args.bundle):
        print(f"  {size / MB:7.1f} MB  {name}")
    report_absolute("bundle folder size", folder_size(args.bundle) / MB, "MB", TARGET_MB)
    with tempfile.TemporaryDirectory(prefix="bonescan-bench-") as home:
        frozen_t = timeit(lambda: self_test([str(frozen), "--self-test"], Path(home)),
                          repeat=5, warmup=1)
        source_t = timeit(lambda: self_test([sys.executable, "-m", "bonescan_tutor", "--self-test"],
                                            Path(home)), repeat=5, warmup=1)
    report_ratio("start to first case shown: frozen vs source", frozen_t.median_s,
                 source_t.median_s, 1.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
