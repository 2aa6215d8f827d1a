"""Memory and time of ``validate --deep`` on a dataset zip whose PNG member inflates to 1 GiB.

    python benchmarks/bench_zip_bomb.py [--gib 1]

Builds a small IICS-UNA layout zip (the test builder), replaces one PNG with a valid PNG
header followed by ``--gib`` GiB of zeros (about 1 MB packed), runs ``bonescan-tutor
validate --deep --json`` on it as a fresh process and prints its peak resident memory
(``ru_maxrss`` of the child) and wall time, beside a floor: the same command on the zip
without the bomb. Targets: under 500 MB and well under a minute. Prints; never fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.builders import Spec, build, zip_tree  # noqa: E402
from tests.datasets.test_archives import BOMB_MEMBER, png_head  # noqa: E402


def make_zips(work: Path, gib: float) -> tuple[Path, Path]:
    top = build(work / "d", Spec())
    plain = zip_tree(top, work / "plain.zip")
    bomb = work / "bomb.zip"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != BOMB_MEMBER:
                out.writestr(info.filename, src.read(info))
        with out.open(BOMB_MEMBER, "w", force_zip64=True) as member:
            member.write(png_head())
            chunk = b"\0" * (16 * 1024 * 1024)
            for _ in range(int(gib * 1024**3) // len(chunk)):
                member.write(chunk)
    return plain, bomb


_MEASURED = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stdout.write(r.stdout)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def run_validate(path: Path) -> tuple[float, float, dict[str, object]]:
    """(wall seconds, peak RSS in MB of the validate process alone, the parsed JSON)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _MEASURED, sys.executable, "-m", "bonescan_tutor",
                        "validate", "--deep", "--json", str(path)],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    peak_kb = int(r.stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024, json.loads(r.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        plain, bomb = make_zips(work, args.gib)
        print(f"built: bomb zip {bomb.stat().st_size / 1e6:.1f} MB packed, member "
              f"{args.gib:g} GiB unpacked ({time.perf_counter() - t0:.1f} s)")
        floor_wall, floor_rss, _ = run_validate(plain)
        wall, rss, report = run_validate(bomb)
        problems = report.get("problems", []) if isinstance(report, dict) else []
        named = [p for p in problems if isinstance(p, dict) and p.get("file", "").endswith("A5.png")]
        print(f"floor (same zip, no bomb): {floor_wall:.2f} s, peak RSS {floor_rss:.0f} MB")
        print(f"validate --deep, bomb:     {wall:.2f} s, peak RSS {rss:.0f} MB "
              f"(target < 500 MB, well under 60 s)")
        print(f"bomb member reported: {bool(named)}"
              + (f" ({named[0]['message']})" if named else ""))


if __name__ == "__main__":
    main()
