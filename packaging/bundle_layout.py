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


# What each part of the bundle is, by where it lies: the first matching rule names it.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ICU data (Qt's text services, trimmed)", ("libicudata",)),
    ("Qt: PySide6, its libraries and plugins", ("PySide6/", "shiboken6/", "libpyside6", "libshiboken6")),
    ("numpy and its OpenBLAS", ("numpy/", "numpy.libs/")),
    ("pandas", ("pandas/",)),
    ("cryptography (keyring's Linux back end)", ("cryptography/", "_cffi_backend")),
    ("Pillow and its codecs", ("PIL/", "pillow.libs/")),
    ("Python: interpreter and standard library", ("libpython", "python3", "base_library.zip")),
    ("demo dataset, icons, formats", ("resources/",)),
)


def components(bundle: Path) -> list[tuple[str, int]]:
    """Bytes per component of the bundle (see COMPONENTS), largest first; the
    executables (which carry every Python module), the system libraries collected from
    the build machine and the rest are their own components."""
    sizes: dict[str, int] = {}
    contents = bundle / CONTENTS
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(contents if contents in path.parents else bundle).as_posix()
        if contents not in path.parents:
            name = "the executables, with every Python module"
        else:
            name = next((label for label, marks in COMPONENTS
                         if any(rel.startswith(m) or f"/{m}" in f"/{rel}" for m in marks)), "")
            if not name:
                name = ("system libraries (X11, xcb, fonts, OpenSSL, D-Bus, ...)"
                        if "/" not in rel and (".so" in rel or rel.endswith((".dll", ".dylib")))
                        else "other Python packages and metadata")
        sizes[name] = sizes.get(name, 0) + path.lstat().st_size
    return sorted(sizes.items(), key=lambda item: -item[1])
