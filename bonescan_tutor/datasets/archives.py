"""Unpack a downloaded zip without trusting it.

A zip's member names and declared sizes are data from the network: a member may try
to escape the destination (``../``, an absolute path, a drive letter, a backslash),
be a symbolic link, or declare gigabytes that a few kilobytes expand into (a zip
bomb). Every member is checked before a single byte is written, the archive is
unpacked into a temporary sibling folder, and only a complete extraction is renamed
into place, so a failure never leaves a half-filled dataset folder behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.files import zips

# The IICS-UNA zip is about 80 MB and unpacks to about the same (PNGs barely compress).
DEFAULT_MAX_TOTAL_BYTES = 4 * 1024**3
# Declared uncompressed size over compressed size; images sit near 1, a bomb near 1000.
DEFAULT_MAX_RATIO = zips.MAX_RATIO
DEFAULT_MAX_MEMBERS = 200_000
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeArchiveError(BonescanError):
    """A zip refused before extraction: it would write outside its folder or explode."""


def _refuse(zip_path: Path, why: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"{zip_path}: refused to unpack this zip: {why}. It is not the dataset as published; "
        "delete it and download it again from the original record."
    )


def member_target(dest: Path, name: str) -> PurePosixPath | None:
    """The relative path a member may be written to, or None when it must be refused."""
    if not name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return None
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        return None
    rel = PurePosixPath(*[p for p in parts if p not in ("", ".")]) if parts else PurePosixPath()
    if not rel.parts:
        return None
    resolved = (dest / Path(*rel.parts)).resolve()
    if not resolved.is_relative_to(dest.resolve()):
        return None
    return rel


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def check_archive(
    zip_path: Path,
    dest: Path,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every member with its checked relative path; raises ``UnsafeArchiveError`` first."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchiveError(
            f"{zip_path}: not a readable zip ({exc}). Delete it and download it again."
        ) from exc
    if len(infos) > max_members:
        raise _refuse(zip_path, f"it holds {len(infos)} entries, more than {max_members}")
    checked: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    total = 0
    packed = 0
    for info in infos:
        rel = member_target(dest, info.filename)
        if rel is None:
            raise _refuse(zip_path, f"the entry {info.filename!r} would land outside the folder")
        if _is_symlink(info):
            raise _refuse(zip_path, f"the entry {info.filename!r} is a symbolic link")
        if zips.is_encrypted(info):
            raise UnsafeArchiveError(
                f"{zip_path}: the zip is password-protected (the entry {info.filename!r} is "
                "encrypted); this app does not unpack encrypted zips. Unzip it with its "
                "password yourself, or download the dataset again from the original record."
            )
        total += info.file_size
        packed += info.compress_size
        if total > max_total_bytes:
            raise _refuse(
                zip_path,
                f"it declares more than {max_total_bytes / 1e9:.1f} GB once unpacked "
                "(a possible zip bomb)",
            )
        checked.append((info, rel))
    problem = zips.inflation_problem(total, packed, max_bytes=max_total_bytes,
                                     max_ratio=max_ratio)
    if problem:
        raise _refuse(zip_path, f"{problem} once unpacked (a possible zip bomb)")
    return checked


class _DamagedZip(Exception):
    """Reading a member failed: the zip's own bytes are at fault (cause attached)."""


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    try:
        return zf.open(info)
    except _READ_ERRORS as exc:  # a crafted offset makes the seek itself fail
        raise _DamagedZip() from exc


def _read(src: IO[bytes]) -> bytes:
    try:
        return src.read(1024 * 1024)
    except _READ_ERRORS as exc:
        raise _DamagedZip() from exc


def safe_extract(
    zip_path: Path,
    dest: Path,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> Path:
    """Unpack ``zip_path`` into the new folder ``dest`` (which must not exist yet).

    Members are checked first (see ``check_archive``); the files are written into a
    temporary sibling of ``dest`` that is renamed to ``dest`` only once complete.
    """
    zip_path = Path(zip_path)
    dest = Path(dest)
    if dest.exists():
        raise UnsafeArchiveError(
            f"{dest}: already exists; move it away or choose another folder before unpacking "
            f"{zip_path.name}."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".unpacking", dir=dest.parent))
    try:
        members = check_archive(
            zip_path, temp, max_total_bytes=max_total_bytes, max_ratio=max_ratio
        )
        with zipfile.ZipFile(zip_path) as zf:
            for info, rel in members:
                target = temp.joinpath(*rel.parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                # ZipExtFile never yields more than the declared size and checks the CRC.
                with _member(zf, info) as src, open(target, "wb") as out:
                    while chunk := _read(src):
                        try:
                            out.write(chunk)
                        except OSError as exc:
                            raise UnsafeArchiveError(
                                f"{dest.parent}: could not write the unpacked {zip_path.name} "
                                f"({exc.strerror or exc}). Free some space or choose another "
                                "folder."
                            ) from exc
        os.replace(temp, dest)
    except _DamagedZip as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise UnsafeArchiveError(
            f"{zip_path}: the zip is damaged ({exc.__cause__}). Delete it and download it again."
        ) from exc.__cause__
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise UnsafeArchiveError(
            f"{zip_path}: the zip is damaged ({exc}). Delete it and download it again."
        ) from exc
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return dest
