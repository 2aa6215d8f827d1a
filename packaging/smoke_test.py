"""Check the built bundle the way a lab PC would use it: ``python packaging/smoke_test.py``.

1. the windowed app's ``--self-test`` (offscreen, a temporary home) shows a demo case,
   answers a short quiz, exports it to xlsx and loads the LRS client's libraries;
2. the console companion validates the bundled demo without problems, draws a case
   with overlays to PNG, writes a quiz set, and reports an unreachable Learning Record
   Store by its address (requests and its TLS stack load);
3. portable mode: a ``portable`` file beside the executables puts the user's files in
   ``data/`` beside them (the CLI's progress file appears there; the self-test, which
   runs in a temporary home, writes nothing there; the marker and the folder are
   removed afterwards);
4. no collected file is a dangling link (a Qt library dropped under a module still there);
5. the Qt plugins the app needs are there: the xcb, wayland and offscreen platforms, the
   JPEG, GIF, ICO and SVG image formats and the SVG icon engine (PNG is built into Qt).

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


def check_cli_tools(bundle: Path) -> None:
    demo = resources_dir(bundle) / "demo"
    cli = str(executable(bundle, CLI))
    with tempfile.TemporaryDirectory(prefix="bonescan-smoke-") as home:
        out = Path(home) / "case.png"
        result = run([cli, "render", str(demo), "--case", "1", "--overlay",
                      "midline,asymmetry,hotspots", "--out", str(out)], Path(home))
        expect(result, "CLI render draws a demo case with overlays")
        if not out.is_file() or out.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
            raise SmokeFailure(f"render wrote no PNG at {out}\n{result.stdout}{result.stderr}")
        quiz = Path(home) / "smoke.bstquiz"
        result = run([cli, "quizset", "create", "--dataset", str(demo), "--cases", "5",
                      "--seed", "1", "--title", "Smoke", "--out", str(quiz)], Path(home))
        expect(result, "CLI quizset create writes a quiz set", "5 case(s)")
        lrs = "http://127.0.0.1:9/xapi"  # the discard port: nothing answers there
        result = run([cli, "cohort", "--lrs", lrs, "--quiz-set", str(quiz), "--dataset", str(demo),
                      "--out", str(Path(home) / "cohort.xlsx")], Path(home))
        if lrs not in result.stderr or "cannot be reached" not in result.stderr:
            raise SmokeFailure("cohort --lrs did not report the unreachable store:\n"
                               f"{result.stdout}{result.stderr}")
        print("ok: CLI cohort --lrs reports an unreachable Learning Record Store")


QT_PLUGINS = {
    "linux": ("platforms/libqxcb.so", "platforms/libqwayland.so", "platforms/libqoffscreen.so",
              "imageformats/libqjpeg.so", "imageformats/libqgif.so", "imageformats/libqico.so",
              "imageformats/libqsvg.so", "iconengines/libqsvgicon.so"),
    "win32": ("platforms/qwindows.dll", "platforms/qoffscreen.dll", "imageformats/qjpeg.dll",
              "imageformats/qsvg.dll", "iconengines/qsvgicon.dll"),
    "darwin": ("platforms/libqcocoa.dylib", "platforms/libqoffscreen.dylib",
               "imageformats/libqjpeg.dylib", "imageformats/libqsvg.dylib",
               "iconengines/libqsvgicon.dylib"),
}


def check_qt_plugins(bundle: Path) -> None:
    found = {p.relative_to(p.parents[1]).as_posix() for p in bundle.rglob("*")
             if p.parent.parent.name == "plugins" and p.is_file()}
    wanted = QT_PLUGINS.get("linux" if sys.platform.startswith("linux") else sys.platform, ())
    missing = [name for name in wanted if name not in found]
    if missing:
        raise SmokeFailure(f"Qt plugins missing from the bundle: {', '.join(missing)}")
    print(f"ok: the {len(wanted)} Qt plugins the app needs are there")


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
        check_qt_plugins(bundle)
        check_self_test(bundle)
        check_validate(bundle)
        check_cli_tools(bundle)
        check_portable(bundle)
    except SmokeFailure as exc:
        print(f"smoke test: FAILED: {exc}", file=sys.stderr)
        return 1
    report_size(bundle)
    print("smoke test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
