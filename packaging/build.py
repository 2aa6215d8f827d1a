"""Build the lab-PC bundle: ``python packaging/build.py``.

Runs PyInstaller on ``packaging/bonescan_tutor.spec`` (work files in ``packaging/build/``,
the bundle in ``packaging/dist/bonescan-tutor/``), then writes THIRD-PARTY-LICENSES.txt
into the bundle from the metadata of every installed distribution that went into it.
Outside Windows, ``bonescan-tutor-cli`` is a two-line script starting ``bonescan-tutor``
(the same program: only Windows tells console programs from windowed ones).
Build on each operating system for that system: PyInstaller does not cross-compile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bundle_layout import CLI, GUI, folder_size, largest_parts
from third_party_licenses import write_licence_file

HERE = Path(__file__).resolve().parent
SPEC = HERE / "bonescan_tutor.spec"
DIST = HERE / "dist"
WORK = HERE / "build"
BUNDLE = DIST / "bonescan-tutor"
MB = 1024 * 1024


def run_pyinstaller() -> None:
    command = [
        sys.executable, "-m", "PyInstaller", str(SPEC),
        "--noconfirm", "--clean", "--distpath", str(DIST), "--workpath", str(WORK),
    ]
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=HERE.parent, check=False)
    if result.returncode != 0:
        sys.exit(f"build: PyInstaller failed (exit {result.returncode}); see its log above.")


CLI_SCRIPT = f"""#!/bin/sh
# The console companion of {GUI}: the same program (validate, quizset, report, --help, ...).
exec "$(dirname "$(readlink -f "$0" 2>/dev/null || echo "$0")")/{GUI}" "$@"
"""


def write_cli_script(bundle: Path) -> None:
    """``bonescan-tutor-cli`` beside ``bonescan-tutor``, where one executable serves both."""
    if sys.platform == "win32":
        return  # the spec builds bonescan-tutor-cli.exe, a console executable
    script = bundle / CLI
    script.write_text(CLI_SCRIPT, encoding="utf-8", newline="\n")
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    script.chmod(0o777 & ~umask)  # executable, as the user's umask allows


def main() -> int:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit('build: PyInstaller is not installed; run  pip install ".[bundle]"  first.')
    t0 = time.perf_counter()
    run_pyinstaller()
    write_cli_script(BUNDLE)
    sources = WORK / SPEC.stem / "bundle-sources.txt"
    licences = write_licence_file(BUNDLE / "THIRD-PARTY-LICENSES.txt", sources)
    elapsed = time.perf_counter() - t0
    print(f"\nbuild: {BUNDLE} in {elapsed:.0f} s, {folder_size(BUNDLE) / MB:.1f} MB")
    print(f"build: {licences.relative_to(BUNDLE)} lists the bundled third-party distributions")
    for name, size in largest_parts(BUNDLE, 10):
        print(f"  {size / MB:8.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
