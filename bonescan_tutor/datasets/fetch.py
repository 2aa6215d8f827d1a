"""Download the IICS-UNA record from Zenodo: progress, resume, checksums, safe unpacking.

Standard library only. ``urllib``'s default opener honours ``http_proxy``,
``https_proxy`` and ``no_proxy``. A file is written to ``<name>.part``, resumed with
an HTTP Range request after a dropped connection, verified against the checksum the
record lists, and only then renamed to its final name: a file with the final name
is always complete and verified.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.datasets.archives import (
    DEFAULT_MAX_TOTAL_BYTES,
    UnsafeArchiveError,
    safe_extract,
)
from bonescan_tutor.files.json_file import parse_json

__all__ = [
    "Cancelled",
    "FetchError",
    "RemoteFile",
    "RetryPolicy",
    "UnsafeArchiveError",
    "default_server",
    "download_file",
    "fetch_record",
    "human_size",
    "list_files",
    "parse_answer",
    "safe_extract",
    "verify_checksum",
]

DEFAULT_SERVER = "https://zenodo.org"
RECORD_ID = "13900966"
SERVER_ENV = "BONESCAN_TUTOR_ZENODO_URL"
RECORD_PAGE = f"https://zenodo.org/records/{RECORD_ID}"
USER_AGENT = "bonescan-tutor (dataset fetch; +https://zenodo.org/records/13900966)"

MANUAL_ROUTE = (
    f"Download the zip from {RECORD_PAGE} in a browser, then use File > Open dataset "
    "(the app opens the zip directly) or run `bonescan-tutor --dataset FILE.zip`."
)

Progress = Callable[[int, int, str], None]

# The records API's answer for one record is a few kB.
MAX_ANSWER_BYTES = 10 * 1024 * 1024
# A file the record lists without a size may still not exceed this.
MAX_UNDECLARED_BYTES = DEFAULT_MAX_TOTAL_BYTES
_NOT_PLAIN = re.compile(r"[/\\:\x00-\x1f\x7f]")
_HTML_START = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")


class FetchError(BonescanError):
    """The record could not be listed, downloaded or verified."""


class Cancelled(BonescanError):
    """The user cancelled; a ``.part`` file may remain and a later run resumes it."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a Zenodo record: name, size in bytes, "algo:hex" checksum, download URL."""

    name: str
    size: int
    checksum: str | None
    url: str

    @property
    def algorithm(self) -> str | None:
        return self.checksum.split(":", 1)[0] if self.checksum else None

    @property
    def is_zip(self) -> bool:
        return self.name.lower().endswith(".zip")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per request, backoff, the cap on a server's Retry-After."""

    attempts: int = 5
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    timeout_s: float = 30.0
    chunk_size: int = 256 * 1024


def human_size(n: float) -> str:
    """A byte count as people read it: "812 B", "80.1 MB" (decimal units, as Zenodo shows)."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def default_server() -> str:
    """The Zenodo server: ``$BONESCAN_TUTOR_ZENODO_URL`` (mirrors, tests) or zenodo.org."""
    return os.environ.get(SERVER_ENV) or DEFAULT_SERVER


def _normalise_checksum(raw: object) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip().lower()
    if ":" in text:
        algo, digest = text.split(":", 1)
        return f"{algo.strip()}:{digest.strip()}"
    # A bare hex digest: Zenodo's old API gave md5 without a prefix.
    return {32: f"md5:{text}", 64: f"sha256:{text}"}.get(len(text))


def _check_link(url: str, what: str) -> str:
    """``url`` when it is an http(s) link with a host; ``FetchError`` otherwise (a record's
    links are data: ``file://`` or another scheme would read or fetch elsewhere)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(
            f"{what}: the link {url[:200]!r} is not an http:// or https:// address; refused. "
            f"{MANUAL_ROUTE}"
        )
    return url


def _name_problem(name: str) -> str | None:
    """Why a record's file key cannot be used as a local file name, or None."""
    if len(name) > 255:
        return "it is longer than 255 characters"
    if _NOT_PLAIN.search(name):
        return "it holds a folder separator, a colon or a control character"
    if name.startswith(".") or not name.strip(". "):
        return "it starts with a dot (hidden, or '..')"
    if name != name.strip():
        return "it has surrounding spaces"
    return None


def _size(value: object) -> int:
    """A declared size in bytes; 0 (unknown) for anything but a whole number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not (value == value and 0 <= value < 2**63):
        return 0
    return max(int(value), 0)


def _file_url(entry: dict[str, Any], server: str, record_id: str, name: str) -> str:
    links = entry.get("links") if isinstance(entry.get("links"), dict) else {}
    assert isinstance(links, dict)
    for key in ("content", "download"):
        if isinstance(links.get(key), str):
            return str(links[key])
    self_link = links.get("self")
    if isinstance(self_link, str):
        # InvenioRDM's file-metadata link; the bytes live one step further at /content.
        if re.search(r"/api/records/[^/]+/files/[^/]+$", self_link):
            return self_link + "/content"
        return self_link
    quoted = urllib.parse.quote(name)
    return f"{server.rstrip('/')}/api/records/{record_id}/files/{quoted}/content"


def parse_files(data: object, server: str, record_id: str) -> list[RemoteFile]:
    """The files of a records-API answer; tolerates Zenodo's legacy and InvenioRDM shapes."""
    if not isinstance(data, dict):
        raise FetchError(f"Zenodo record {record_id}: the answer is not a record. {MANUAL_ROUTE}")
    files: object = data.get("files")
    if isinstance(files, dict):
        files = files.get("entries")
    if files is None:
        files = data.get("entries")
    if isinstance(files, dict):
        files = list(files.values())
    if not isinstance(files, list) or not files:
        raise FetchError(f"Zenodo record {record_id} lists no files to download. {MANUAL_ROUTE}")
    out: list[RemoteFile] = []
    for entry in files:
        if not isinstance(entry, dict):
            continue
        name = entry.get("key") or entry.get("filename")
        if not isinstance(name, str) or not name:
            continue
        # A record's key is data, never a path: only a plain file name is used locally.
        why = _name_problem(name)
        if why is not None:
            raise FetchError(
                f"Zenodo record {record_id} lists a file named {name[:100]!r}, which is not a "
                f"plain file name ({why}); nothing was downloaded. {MANUAL_ROUTE}"
            )
        url = _check_link(_file_url(entry, server, record_id, name),
                          f"{name} in record {record_id}")
        out.append(
            RemoteFile(
                name=name,
                size=_size(entry.get("size", entry.get("filesize", 0))),
                checksum=_normalise_checksum(entry.get("checksum")),
                url=url,
            )
        )
    if not out:
        raise FetchError(f"Zenodo record {record_id} lists no usable files. {MANUAL_ROUTE}")
    return out


def _wait(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is not None:
        if cancel.wait(max(seconds, 0.0)):
            raise Cancelled("Download cancelled.")
    else:
        time.sleep(max(seconds, 0.0))


def _retry_after(err: urllib.error.HTTPError, policy: RetryPolicy, attempt: int) -> float:
    header = err.headers.get("Retry-After") if err.headers else None
    try:
        wait = float(header) if header is not None else policy.backoff_s * 2**attempt
    except ValueError:  # an HTTP date: not worth parsing, back off instead
        wait = policy.backoff_s * 2**attempt
    return min(max(wait, 0.0), policy.max_wait_s)


def _is_offline(reason: object) -> bool:
    return isinstance(reason, socket.gaierror | ConnectionRefusedError) or (
        isinstance(reason, OSError) and reason.errno in (101, 113, 65)  # no route / unreachable
    )


def _offline(what: str, reason: object) -> FetchError:
    return FetchError(
        f"Cannot reach {what} ({reason}): this computer seems to be offline, or a proxy or "
        f"firewall blocks it. {MANUAL_ROUTE}"
    )


def _open(
    url: str,
    what: str,
    policy: RetryPolicy,
    cancel: threading.Event | None,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    """GET ``url``, retrying 429/5xx (honouring Retry-After) and dropped connections."""
    opener = urllib.request.build_opener()
    last: BaseException | None = None
    for attempt in range(policy.attempts):
        if cancel is not None and cancel.is_set():
            raise Cancelled("Download cancelled.")
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
        try:
            resp = opener.open(req, timeout=policy.timeout_s)
            assert isinstance(resp, http.client.HTTPResponse)
            return resp
        except urllib.error.HTTPError as err:
            err.close()
            if err.code == 404:
                raise FetchError(
                    f"{what} was not found on the server (HTTP 404). Check the record number "
                    f"or the server address. {MANUAL_ROUTE}"
                ) from err
            if err.code in (429, 500, 502, 503, 504):
                last = err
                if attempt + 1 < policy.attempts:
                    _wait(_retry_after(err, policy, attempt), cancel)
                continue
            if err.code == 416:
                raise
            raise FetchError(f"{what}: the server answered HTTP {err.code} {err.reason}.") from err
        except urllib.error.URLError as err:
            if _is_offline(err.reason):
                raise _offline(what, err.reason) from err
            last = err
        except (OSError, http.client.HTTPException) as err:
            last = err
        if attempt + 1 < policy.attempts:
            _wait(policy.backoff_s * 2**attempt, cancel)
    if isinstance(last, urllib.error.HTTPError):
        raise FetchError(
            f"{what}: the server is busy (HTTP {last.code}) and asked us to wait; "
            f"tried {policy.attempts} times. Try again later. {MANUAL_ROUTE}"
        ) from last
    raise FetchError(
        f"{what}: the connection failed {policy.attempts} times ({last}). Try again; the "
        f"download resumes where it stopped. {MANUAL_ROUTE}"
    ) from last


def list_files(
    server: str | None = None, record_id: str = RECORD_ID, *, policy: RetryPolicy | None = None
) -> list[RemoteFile]:
    """Ask the records API which files record ``record_id`` holds."""
    server = (server or default_server()).rstrip("/")
    policy = policy or RetryPolicy()
    if not re.fullmatch(r"\d{1,20}", record_id):
        raise FetchError(f"{record_id[:40]!r} is not a Zenodo record number (digits only).")
    what = f"Zenodo record {record_id} at {server}"
    _check_link(server, f"The server address of {what}")
    with _open(f"{server}/api/records/{record_id}", what, policy, None) as resp:
        body = resp.read(MAX_ANSWER_BYTES + 1)
    return parse_answer(body, what, server, record_id)


def parse_answer(body: bytes, what: str, server: str, record_id: str) -> list[RemoteFile]:
    """The files of a records-API answer ``body`` (untrusted bytes), read by the guarded
    JSON reader; every failure is a ``FetchError`` naming ``what``."""
    data = parse_json(body, where=what, what="a Zenodo records-API answer (JSON); is the "
                      "server address right?", error=FetchError, max_bytes=MAX_ANSWER_BYTES)
    return parse_files(data, server, record_id)


def verify_checksum(path: Path, checksum: str | None) -> bool:
    """True when ``path`` matches "md5:…" or "sha256:…" (or no checksum is known)."""
    if not checksum:
        return True
    algo, _, digest = checksum.partition(":")
    if algo not in ("md5", "sha256", "sha1", "sha512"):
        raise FetchError(f"{path.name}: unknown checksum kind {algo!r}; cannot verify it.")
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest() == digest.lower()


def _start_offset(part: Path, size: int) -> int:
    have = part.stat().st_size if part.exists() else 0
    if size and have > size:
        part.unlink()
        return 0
    return have


def _transfer_once(
    remote: RemoteFile,
    part: Path,
    progress: Progress | None,
    cancel: threading.Event | None,
    policy: RetryPolicy,
) -> None:
    """One request: resume ``part`` from its current length; raises on a dropped connection."""
    offset = _start_offset(part, remote.size)
    if remote.size and offset == remote.size:
        return
    resp = _request_from(remote, part, offset, policy, cancel)
    with resp:
        offset, mode = _resume_point(resp, part, offset)
        expected = _expected_end(resp, offset)
        limit = remote.size or MAX_UNDECLARED_BYTES
        refusal = _refusal_up_front(remote, resp, offset, expected, limit)
        done = offset
        with open(part, mode) as out:
            if refusal is None:
                done, refusal = _copy_body(resp, out, part, done, limit,
                                           remote.size or expected or 0, remote, progress,
                                           cancel, policy)
    if refusal is not None:
        part.unlink(missing_ok=True)
        raise refusal
    _check_complete(remote, done, expected)


def _check_complete(remote: RemoteFile, done: int, expected: int | None) -> None:
    """Raise ConnectionError (so the download retries) when fewer bytes came than promised."""
    if (remote.size and done < remote.size) or (expected is not None and done < expected):
        raise ConnectionError(f"connection dropped after {done} of {remote.size} bytes")


def _request_from(remote: RemoteFile, part: Path, offset: int, policy: RetryPolicy,
                  cancel: threading.Event | None) -> http.client.HTTPResponse:
    """GET ``remote`` from byte ``offset`` on (a Range request when resuming)."""
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        return _open(remote.url, f"File {remote.name}", policy, cancel, headers)
    except urllib.error.HTTPError as err:  # 416: our .part is no prefix of the file
        part.unlink(missing_ok=True)
        raise ConnectionError("range not satisfiable; restarting") from err


def _resume_point(resp: http.client.HTTPResponse, part: Path, offset: int) -> tuple[int, str]:
    """Where the answer starts and how ``part`` is opened: appended to when the server
    resumed at ``offset`` (206), rewritten from zero when it sent the whole file (200)."""
    if not (offset and resp.status == 206):
        return 0, "wb"
    match = re.match(r"bytes (\d+)-", resp.headers.get("Content-Range", ""))
    if not match or int(match.group(1)) != offset:
        part.unlink(missing_ok=True)
        raise ConnectionError("the server resumed at another offset; restarting")
    return offset, "ab"


def _expected_end(resp: http.client.HTTPResponse, offset: int) -> int | None:
    """The byte the answer should end at, when it states its length."""
    length = resp.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _refusal_up_front(remote: RemoteFile, resp: http.client.HTTPResponse, offset: int,
                      expected: int | None, limit: int) -> FetchError | None:
    """Why the answer is refused before its body is read: a stated length over ``limit``, or
    (on a fresh start) a web page or non-zip where the file was expected."""
    if expected is not None and expected > limit:
        return _too_large(remote, limit)
    if offset == 0:
        return _not_the_file(remote, resp.headers.get("Content-Type", ""), resp.peek(64))
    return None


def _copy_body(
    resp: http.client.HTTPResponse,
    out: IO[bytes],
    part: Path,
    done: int,
    limit: int,
    total: int,
    remote: RemoteFile,
    progress: Progress | None,
    cancel: threading.Event | None,
    policy: RetryPolicy,
) -> tuple[int, FetchError | None]:
    """Write the body to ``out`` (``part``, holding ``done`` bytes) block by block; the
    bytes it then holds, and a refusal when the body outgrows ``limit``."""
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"Download of {remote.name} cancelled; {part} is kept.")
        block = resp.read(policy.chunk_size)
        if not block:
            return done, None
        if done + len(block) > limit:
            return done, _too_large(remote, limit)
        out.write(block)
        done += len(block)
        if progress is not None:
            progress(done, total, remote.name)


def _too_large(remote: RemoteFile, limit: int) -> FetchError:
    declared = (f"more than the {limit} bytes the record declares" if remote.size
                else f"more than {limit} bytes (the record declares no size; that is the most "
                "this app downloads)")
    return FetchError(
        f"{remote.name}: the server sends {declared}; the download was stopped and deleted. "
        f"It is not the file the record lists. {MANUAL_ROUTE}"
    )


def _not_the_file(remote: RemoteFile, content_type: str, head: bytes) -> FetchError | None:
    """A web page (a sign-in, error or captive-portal page) or other non-zip sent where
    ``remote`` was expected; None when the start looks right."""
    start = head.lstrip().lower()
    if content_type.lower().startswith("text/html") or start.startswith(_HTML_START):
        return FetchError(
            f"{remote.name}: the server sent a web page instead of the file (a sign-in, error "
            "or network login page?); nothing was kept. Open the link in a browser to see "
            f"it, or try again later. {MANUAL_ROUTE}"
        )
    if remote.is_zip and head and not head.startswith(b"PK"):
        return FetchError(
            f"{remote.name}: the server sent something that is not a zip; nothing was kept. "
            f"Try again later. {MANUAL_ROUTE}"
        )
    return None


def download_file(
    remote: RemoteFile,
    dest_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    policy: RetryPolicy | None = None,
) -> Path:
    """Download one file into ``dest_dir`` via ``<name>.part``; verified before renaming."""
    policy = policy or RetryPolicy()
    why = _name_problem(remote.name)
    if why is not None:
        raise FetchError(f"{remote.name[:100]!r} is not a plain file name ({why}); refused.")
    _check_link(remote.url, remote.name)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / remote.name
    if (
        final.exists()
        and final.stat().st_size == remote.size
        and verify_checksum(final, remote.checksum)
    ):
        if progress is not None:
            progress(remote.size, remote.size, remote.name)
        return final
    part = dest_dir / f"{remote.name}.part"
    failures = 0
    while True:
        try:
            _transfer_once(remote, part, progress, cancel, policy)
            break
        except (ConnectionError, TimeoutError, http.client.HTTPException) as exc:
            failures += 1
            if failures >= policy.attempts:
                raise FetchError(
                    f"{remote.name}: the connection kept dropping ({exc}). Run the same command "
                    f"again: the download resumes from {part.name}. {MANUAL_ROUTE}"
                ) from exc
            _wait(policy.backoff_s * 2 ** (failures - 1), cancel)
        except OSError as exc:
            if isinstance(exc, urllib.error.URLError):
                raise
            raise FetchError(f"{part}: could not write the download ({exc}).") from exc
    if not verify_checksum(part, remote.checksum):
        part.unlink(missing_ok=True)
        raise FetchError(
            f"{remote.name}: the checksum failed ({remote.algorithm} does not match the record); "
            "the damaged download was deleted. Try again."
        )
    os.replace(part, final)
    return final


def _dataset_folder(dest: Path, files: list[RemoteFile], record_id: str) -> Path:
    zips = [f for f in files if f.is_zip]
    if len(zips) == 1:
        return dest / Path(zips[0].name).stem
    return dest / f"zenodo-{record_id}"


def fetch_record(
    dest: Path,
    *,
    server: str | None = None,
    record_id: str = RECORD_ID,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    extract: bool = True,
    keep_zip: bool = False,
    policy: RetryPolicy | None = None,
    files: list[RemoteFile] | None = None,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> Path:
    """Download every file of the record into ``dest``; return the folder or zip to open.

    With ``extract`` the zips are unpacked (safely) into one folder named after the zip,
    together with any loose files of the record (a spreadsheet published beside it).
    """
    dest = Path(dest)
    policy = policy or RetryPolicy()
    if files is None:
        files = list_files(server, record_id, policy=policy)
    got = [download_file(f, dest, progress=progress, cancel=cancel, policy=policy) for f in files]
    zips = [p for p in got if p.suffix.lower() == ".zip"]
    if not extract or not zips:
        return got[0] if len(got) == 1 else dest
    folder = _dataset_folder(dest, files, record_id)
    if folder.exists():
        return folder  # unpacked by an earlier run: extraction renames only when complete
    staging = dest / f".{folder.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for z in zips:
            safe_extract(z, staging / z.stem, max_total_bytes=max_total_bytes)
        for p in got:
            if p not in zips:
                shutil.copy2(p, staging / p.name)
        inner = list(staging.iterdir())
        if len(zips) == 1 and len(inner) == 1:
            os.replace(inner[0], folder)
            staging.rmdir()
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not keep_zip:
        for z in zips:
            z.unlink(missing_ok=True)
    return folder
