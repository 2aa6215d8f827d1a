"""Zips a user hands the app, opened and read without trusting them.

A zip's central directory is data: an entry may be encrypted, declare gigabytes that a
few kilobytes inflate into (a zip bomb), or the file may be cut short by a dropped
download. One rule decides how much an entry (or a whole archive, when unpacking) may
inflate (``inflation_problem``); every member read goes through ``read_member``, which
applies it before reading and stops at the cap while reading, so memory stays bounded
whatever the zip declares. Every failure is the caller's ``BonescanError`` naming the
file and what to do.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from bonescan_tutor.core.errors import BonescanError

# Unpacked size over packed size; images sit near 1, a bomb near 1000.
MAX_RATIO = 100.0
# Below this unpacked size the ratio is not judged (tiny text files compress well).
RATIO_FLOOR = 1024 * 1024
# A member read into memory at once: no file of a dataset needs more.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 200_000
LOCAL_HEADER = b"PK\x03\x04"

ErrorType = Callable[[str], BonescanError]


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n:.0f} bytes"


def inflation_problem(
    unpacked: int, packed: int, *, max_bytes: int, max_ratio: float = MAX_RATIO
) -> str | None:
    """Why ``unpacked`` bytes from ``packed`` is too much (a possible zip bomb), or None."""
    if unpacked > max_bytes:
        return f"it inflates to {_mb(unpacked)}, more than the {_mb(max_bytes)} allowed"
    if unpacked > RATIO_FLOOR and unpacked / max(packed, 1) > max_ratio:
        return (
            f"it inflates to {unpacked / max(packed, 1):.0f} times its packed size "
            f"({_mb(unpacked)})"
        )
    return None


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def looks_like_zip(path: Path) -> bool:
    """True when ``path`` starts like a zip or is named .zip (readable or not)."""
    if Path(path).suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == LOCAL_HEADER
    except OSError:
        return False


def open_zip(path: Path, *, error: ErrorType = BonescanError) -> zipfile.ZipFile:
    """The opened zip; ``error`` with a truthful reason when it is cut short, damaged,
    holds too many entries or any encrypted (password-protected) entry."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise error(f"{path}: {_why_not_a_zip(path)}") from None
    except (OSError, ValueError, EOFError, NotImplementedError) as exc:
        # NotImplementedError: a zip version or feature Python's zipfile does not read
        raise error(f"{path}: the zip cannot be read ({exc}). Download or copy it again.") from exc
    try:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise error(f"{path}: the zip holds {len(infos)} entries, more than {MAX_MEMBERS}; "
                        "this is no dataset as published.")
        locked = [i.filename for i in infos if is_encrypted(i)]
        if locked:
            raise error(
                f"{path}: the zip is password-protected (encrypted entries such as "
                f"{locked[0]!r}); this app does not open encrypted zips. Unzip it with its "
                "password and open the folder instead."
            )
    except BaseException:
        zf.close()
        raise
    return zf


def _why_not_a_zip(path: Path) -> str:
    """A truthful reason a file named or shaped like a zip cannot be opened as one."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})."
    if head.startswith(b"PK"):
        return ("the zip is damaged or cut short (its table of contents is missing, as after "
                "an interrupted download or copy). Download or copy it again.")
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return ("this is a web page saved under a .zip name, not the dataset (a sign-in or "
                "error page?). Download the zip again.")
    if not head:
        return "the file is empty (0 bytes). Download or copy it again."
    return "this is not a zip file, although it is named like one. Download the zip again."


def read_member(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    where: str,
    *,
    max_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_RATIO,
    error: ErrorType = BonescanError,
) -> bytes:
    """The bytes of one member, refused before reading when it declares too much and
    cut off while reading at ``max_bytes`` (a lying size never costs more)."""
    try:
        info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
    except KeyError:
        raise error(f"{where}: not in the zip (it was renamed or removed).") from None
    if is_encrypted(info):
        raise error(f"{where}: the entry is password-protected (encrypted); it cannot be read.")
    problem = inflation_problem(info.file_size, info.compress_size, max_bytes=max_bytes,
                                max_ratio=max_ratio)
    if problem:
        raise error(f"{where}: refused: {problem}, a possible zip bomb. "
                    "Replace the zip with the original download.")
    try:
        with zf.open(info) as fh:
            data = fh.read(max_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError) as exc:
        raise error(f"{where}: the entry is damaged and cannot be read ({exc}). "
                    "Replace the zip with the original download.") from exc
    if len(data) > max_bytes:
        raise error(f"{where}: refused: it inflates beyond {_mb(max_bytes)}, a possible zip bomb.")
    return data


def read_member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, n: int, where: str, *,
                     error: ErrorType = BonescanError) -> bytes:
    """The first ``n`` bytes of a member (streamed, so its size does not matter)."""
    if is_encrypted(info):
        raise error(f"{where}: the entry is password-protected (encrypted); it cannot be read.")
    try:
        with zf.open(info) as fh:
            return fh.read(n)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError) as exc:
        raise error(f"{where}: the entry is damaged and cannot be read ({exc}).") from exc
