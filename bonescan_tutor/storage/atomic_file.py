"""Whole-or-nothing file writes: a temp file in the same folder, then ``os.replace``.

A reader (or a crash) sees either the old file or the complete new one, never half a
file. Every quiz-set, results and export writer goes through ``replacing``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bonescan_tutor.core.errors import BonescanError

TEMP_PREFIX = ".bst-partial-"
"""Temp files start with this, so a left-over (after a power cut) is easy to recognise."""


def umask_mode(full: int = 0o666) -> int:
    """``full`` less the process umask: the mode a plain ``open(path, "w")`` would give.

    ``tempfile.mkstemp`` creates its files 0600 whatever the umask; a file the app
    writes (a quiz set, a result, a figure) is given this mode instead, so colleagues
    reading a shared folder can open it when the user's umask lets them.
    """
    current = os.umask(0o077)  # reading the umask means setting it; put it straight back
    os.umask(current)
    return full & ~current


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


@contextlib.contextmanager
def replacing(
    path: Path, error: Callable[[str], BonescanError], *, fsync: bool = True
) -> Iterator[Path]:
    """Yield a temp path next to ``path``; on success it replaces ``path`` atomically.

    On any failure the temp file is removed and an ``OSError`` becomes ``error(message)``
    naming ``path``; other exceptions propagate unchanged (after the clean-up).
    """
    path = Path(path)
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise error(f"{path}: cannot write here, because {folder} is a file, not a folder.")
    if path.is_dir():
        raise error(f"{path}: cannot write here, because a folder has that name.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise error(
            f"{path}: cannot write there ({_why(exc)}); choose a folder you can write to."
        ) from exc
    tmp = Path(tmp_name)
    os.close(fd)
    try:
        os.chmod(tmp, umask_mode())
    except OSError:
        _remove(tmp)
        raise
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise error(f"{path}: the file could not be written ({_why(exc)}).") from exc
    except BaseException:
        _remove(tmp)
        raise


def write_bytes(path: Path, data: bytes, error: Callable[[str], BonescanError]) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    with replacing(path, error) as tmp:
        tmp.write_bytes(data)


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()
