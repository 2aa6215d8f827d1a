"""Where things are in the built bundle, and what takes its space.

Shared by build.py, smoke_test.py and benchmarks/bench_bundle.py. A one-folder
PyInstaller 6 bundle keeps the two executables at its top and everything else in its
contents folder (``_internal``, which is ``sys._MEIPASS`` at run time).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BUNDLE = HERE / "dist" / "bonescan-tutor"
GUI = "bonescan-tutor"
CLI = "bonescan-tutor-cli"
CONTENTS = "_internal"


def executable(bundle: Path, name: str) -> Path:
    """``bundle/name``, with ``.exe`` on Windows."""
    return bundle / (f"{name}.exe" if sys.platform == "win32" else name)


def resources_dir(bundle: Path) -> Path:
    """The bundle's copy of the top-level ``resources/`` folder."""
    for candidate in (bundle / CONTENTS / "resources", bundle / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no resources/ folder in {bundle}; rebuild with packaging/build.py")


def folder_size(path: Path) -> int:
    """Bytes of all files under ``path`` (symlinks not followed)."""
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(bundle: Path, count: int = 10, split_share: float = 0.25) -> list[tuple[str, int]]:
    """The ``count`` largest files or folders, named relative to ``bundle``.

    Parts are the entries at the top of the bundle and of its contents folder; a folder
    holding more than ``split_share`` of the bundle is split into its own entries, so
    that one big folder (PySide6) does not hide what is inside it.
    """
    total = max(folder_size(bundle), 1)
    parts: list[tuple[str, int]] = []
    pending = [p for p in bundle.iterdir() if p.name != CONTENTS]
    if (bundle / CONTENTS).is_dir():
        pending += list((bundle / CONTENTS).iterdir())
    while pending:
        path = pending.pop()
        size = folder_size(path)
        if path.is_dir() and not path.is_symlink() and size > split_share * total:
            pending += list(path.iterdir())
        else:
            parts.append((path.relative_to(bundle).as_posix(), size))
    parts.sort(key=lambda part: (-part[1], part[0]))
    return parts[:count]
