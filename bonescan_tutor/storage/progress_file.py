"""Opening the progress file safely: locations, locks, damage and the WAL settings.

A damaged file is renamed aside next to itself (never deleted) so the app can start a
fresh one and tell the user where the old one went (``recovery_message``). A readable
SQLite file that another program wrote is refused before anything is changed in it: it
is inspected read-only and never switched to WAL mode.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bonescan_tutor import paths
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.storage.progress_schema import SCHEMA_VERSION, migrate

_FIX = (
    f"Choose a writable location with --home DIR or the {paths.HOME_ENV} environment "
    "variable, or close any other program that holds the file."
)
# SQLite primary result codes that mean the file's content is damaged.
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_SQLITE_MAGIC = b"SQLite format 3\x00"
# The table every version of the progress file has.
_OUR_TABLE = "trainees"


class ProgressFileError(BonescanError):
    """The progress file cannot be opened or written (location, permissions, lock)."""


class CorruptFile(Exception):
    """The file exists but is not a readable SQLite database."""


def file_error(path: Path, reason: str) -> ProgressFileError:
    return ProgressFileError(f"Cannot use the progress file {path}: {reason}. {_FIX}")


def reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "another program holds it locked"
    if "readonly" in text or "read-only" in text:
        return "it is read-only"
    if "unable to open" in text:
        return "it cannot be opened (no permission, or not a valid location)"
    if "malformed" in text or "not a database" in text:
        return "it is damaged; restart the app to set it aside and start a fresh one"
    return text


def connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A configured, checked, migrated connection; ``CorruptFile`` when the file is damaged."""
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        head = b""
    except OSError as exc:
        raise file_error(path, f"it cannot be read ({exc.strerror or exc})") from exc
    if head and head != _SQLITE_MAGIC:
        raise CorruptFile(path)
    if head:
        _refuse_foreign(path)
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise file_error(path, reason(exc)) from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise CorruptFile(path)
        old = migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _CORRUPT_CODES:
            raise CorruptFile(path) from exc
        raise file_error(path, reason(exc)) from exc
    except BaseException:
        conn.close()
        raise
    if old > SCHEMA_VERSION:
        conn.close()
        raise ProgressFileError(
            f"The progress file {path} was written by a newer bonescan-tutor (format {old}, "
            f"this version reads up to {SCHEMA_VERSION}). Update the app, or choose another "
            f"location with --home DIR or the {paths.HOME_ENV} environment variable."
        )
    return conn


def _refuse_foreign(path: Path) -> None:
    """``ProgressFileError`` when ``path`` is a readable SQLite database that is not a
    progress file (inspected read-only: nothing in it changes)."""
    try:
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # not openable read-only: the normal path reports why
    try:
        version = ro.execute("PRAGMA user_version").fetchone()[0]
        tables = sorted(r[0] for r in ro.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    except sqlite3.DatabaseError:
        return  # damaged: the normal path sets it aside
    finally:
        ro.close()
    if tables and (version == 0 or _OUR_TABLE not in tables):
        shown = ", ".join(tables[:5]) + (" ..." if len(tables) > 5 else "")
        raise ProgressFileError(
            f"Cannot use the progress file {path}: it is another program's SQLite database "
            f"(tables {shown}), not a bonescan-tutor progress file; it was left untouched. "
            f"Move it away, or choose another location with --home DIR or the "
            f"{paths.HOME_ENV} environment variable."
        )


def recovery_message(path: Path, recovered_from: Path) -> str:
    """What to tell the user after a damaged progress file was set aside."""
    return (
        f"The progress file {path} was damaged; it was set aside as {recovered_from} "
        "(kept, not deleted) and a fresh one was started."
    )


def set_aside(path: Path) -> Path:
    """Rename a damaged file (and its WAL) next to itself; never delete it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}")
    try:
        path.rename(target)
        for side in ("-wal", "-shm", "-journal"):
            companion = Path(f"{path}{side}")
            if companion.exists():
                companion.rename(Path(f"{target}{side}"))
    except OSError as exc:
        raise file_error(path, f"it is damaged and could not be moved aside ({exc})") from exc
    return target
