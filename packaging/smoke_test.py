"""Check the built bundle the way a lab PC would use it: ``python packaging/smoke_test.py``.

1. the windowed app's ``--self-test`` (offscreen, a temporary home) shows a demo case;
2. the console companion validates the bundled demo without problems;
3. portable mode: a ``portable`` file beside the executables puts the user's files in
   ``data/`` beside them (the CLI's progress file appears there; the self-test, which
   runs in a temporary home, writes nothing there; the marker and the folder are
   removed afterwards);
4. no collected file is a dangling link (a Qt library dropped under a module still there).

Prints the bundle's size and its 10 largest parts. Exits non-zero, naming the failed
check, on any failure. ``--bundle DIR`` checks a bundle elsewhere (e.g. a USB copy).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bundle_layout import (
    CLI,
    DEFAULT_BUNDLE,
    GUI,
    executable,
    folder_size,
    largest_parts,
    resources_dir,
)

MB = 1024 * 1024
TIMEOUT_S = 180


class SmokeFailure(Exception):
    """One check failed; the message says which and why."""


def run(command: list[str], home: Path | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("BONESCAN_TUTOR_HOME", None)
    if home is not None:
        env["BONESCAN_TUTOR_HOME"] = str(home)
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SmokeFailure(f"{' '.join(command)} could not run: {exc}") from exc


def expect(result: subprocess.CompletedProcess[str], what: str, *texts: str) -> None:
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SmokeFailure(f"{what}: exit {result.returncode}\n{output.strip()}")
    windowed_silent = sys.platform == "win32" and not output.strip()
    missing = [t for t in texts if t not in output]
    if missing and not windowed_silent:
        raise SmokeFailure(f"{what}: output lacks {missing!r}\n{output.strip()}")
    print(f"ok: {what}")


def check_self_test(bundle: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="bonescan-smoke-") as home:
        result = run([str(executable(bundle, GUI)), "--self-test"], Path(home))
        expect(result, "GUI --self-test shows a demo case", "self-test: ok")


def demo_patients(demo: Path) -> list[str]:
    """Patient numbers of the demo, from its anterior image names (A<n>.png)."""
    names = {p.stem[1:] for p in demo.rglob("*.png") if p.stem[:1].upper() == "A" and p.stem[1:].isdigit()}
    return sorted(names, key=int)


def check_validate(bundle: Path) -> None:
    demo = resources_dir(bundle) / "demo"
    if not demo.is_dir():
        raise SmokeFailure(f"the bundle carries no demo dataset (looked for {demo})")
    with tempfile.TemporaryDirectory(prefix="bonescan-smoke-") as home:
        result = run([str(executable(bundle, CLI)), "validate", str(demo)], Path(home))
    expect(result, "CLI validate of the bundled demo", "No problems found.")
    patients = demo_patients(demo)
    if not patients:
        raise SmokeFailure(f"no anterior views (A<n>.png) found under {demo}")
    found = re.search(r"cases:\s+(\d+)", result.stdout)
    if found is None or int(found.group(1)) != len(patients):
        raise SmokeFailure(f"validate does not report the demo's {len(patients)} patients:\n"
                           f"{result.stdout}")
    print(f"ok: validate found the demo's {len(patients)} patients")


def check_portable(bundle: Path) -> None:
    marker, data = bundle / "portable", bundle / "data"
    if marker.exists() or data.exists():
        raise SmokeFailure(f"{marker} or {data} already exists; remove them and rerun")
    marker.touch()
    try:
        result = run([str(executable(bundle, GUI)), "--self-test"], None)
        expect(result, "GUI --self-test in portable mode", "self-test: ok")
        if data.exists():  # the self-test runs in a temporary home, portable or not
            raise SmokeFailure(f"portable mode: --self-test wrote into {data}")
        result = run([str(executable(bundle, CLI)), "report"], None)
        expect(result, "CLI report in portable mode", "No finished cases yet")
        progress = data / "data" / "progress.sqlite3"
        if not progress.is_file():
            raise SmokeFailure(f"portable mode: the progress file is not {progress}")
        print(f"ok: portable mode keeps the user's files in {data.name}/")
    finally:
        marker.unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)


def check_links(bundle: Path) -> None:
    dangling = [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    if dangling:
        listed = "\n  ".join(str(p.relative_to(bundle)) for p in dangling[:20])
        raise SmokeFailure(f"{len(dangling)} dangling links in the bundle:\n  {listed}")
    print("ok: no dangling links")


def report_size(bundle: Path) -> None:
    print(f"\nbundle: {bundle} {folder_size(bundle) / MB:.1f} MB; largest parts:")
    for name, size in largest_parts(bundle, 10):
        print(f"  {size / MB:8.1f} MB  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="the bundle folder")
    args = parser.parse_args(argv)
    bundle: Path = args.bundle.resolve()
    for name in (GUI, CLI):
        if not executable(bundle, name).is_file():
            print(f"smoke test: FAILED: {executable(bundle, name)} is missing; "
                  "build it with  python packaging/build.py", file=sys.stderr)
            return 1
    try:
        check_links(bundle)
        check_self_test(bundle)
        check_validate(bundle)
        check_portable(bundle)
    except SmokeFailure as exc:
        print(f"smoke test: FAILED: {exc}", file=sys.stderr)
        return 1
    report_size(bundle)
    print("smoke test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
