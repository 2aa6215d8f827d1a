"""The background sender: the outbox's statements to the Learning Record Store.

``Sender`` runs one daemon thread with its own connection to the progress file. It
tries as soon as it starts, then sends the outbox oldest first in batches to whichever
LRS ``config()`` names at that moment (not the one configured when the statements were
made). A statement leaves the outbox only once the LRS has answered that it has it.
After a failure it waits (``Backoff``: 1 s doubling to 5 min) and tries again; ``wake``
(new statements) and ``close`` cut the wait short.

Every failure keeps the statements and leaves a clear message in ``last_error``: a 401
or 403 names the credentials, a 400 or 422 says the LRS found the statements invalid
(with its reason), anything else says the LRS cannot be reached. The password is never
in a message.

A statement sent again after a lost reply is harmless: it has the same id, and an LRS
keeps one statement per id. An LRS that answers 409 (it has a statement with one of the
ids) gets the batch's statements checked one by one: those it has leave the outbox.

``close`` waits at most ``CLOSE_TIMEOUT_S`` (2 s) for the thread: a request still in
flight then is abandoned with the daemon thread, its statements stay in the outbox, and
the next start sends them again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.lrs_config import LrsConfig

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 2.0
BATCH_SIZE = 50
REQUEST_TIMEOUT_S = (5.0, 30.0)  # connect, read
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


class LrsError(BonescanError):
    """The LRS did not take the statements; they stay in the outbox."""


class LrsAuthError(LrsError):
    """The LRS refused the credentials (HTTP 401 or 403)."""


class LrsRejected(LrsError):
    """The LRS found the statements invalid (HTTP 400 or 422)."""


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait after the ``n``-th failure in a row: doubling, capped."""

    first_s: float = 1.0
    cap_s: float = 300.0

    def delay(self, failures: int) -> float:
        return float(min(self.cap_s, self.first_s * 2 ** max(0, failures - 1)))


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    detail = body.get("detail", body) if isinstance(body, dict) else body
    return str(detail)[:300]


def post_statements(
    session: requests.Session,
    config: LrsConfig,
    bodies: Sequence[dict[str, Any]],
    timeout: float | tuple[float, float] = REQUEST_TIMEOUT_S,
) -> list[str]:
    """POST ``bodies`` to the LRS; return the ids it now has (all, or those already kept
    when it answered 409); ``LrsError`` with a clear message otherwise."""
    where = f"The Learning Record Store at {config.url}"
    n = len(bodies)
    try:
        r = session.post(
            config.statements_url, json=list(bodies), auth=config.auth,
            headers=XAPI_HEADERS, timeout=timeout,
        )
    except requests.RequestException as exc:
        raise LrsError(
            f"{where} cannot be reached ({type(exc).__name__}); {n} statement(s) kept, "
            "to send when it answers."
        ) from None
    if r.status_code in (200, 204):
        return [str(b["id"]) for b in bodies]
    if r.status_code in (401, 403):
        raise LrsAuthError(
            f"{where} refused the user name or password (HTTP {r.status_code}); {n} "
            f"statement(s) kept. Check the user and password in Settings > Learning Record "
            f"Store, or BONESCAN_TUTOR_LRS_USER and BONESCAN_TUTOR_LRS_PASSWORD."
        )
    if r.status_code in (400, 422):
        raise LrsRejected(
            f"{where} rejected the statements as invalid (HTTP {r.status_code}: {_detail(r)}); "
            f"{n} statement(s) kept. Check that the address is the LRS's xAPI endpoint."
        )
    if r.status_code == 409:
        return [str(b["id"]) for b in bodies if _has(session, config, str(b["id"]), timeout)]
    raise LrsError(
        f"{where} answered HTTP {r.status_code} ({_detail(r)}); {n} statement(s) kept, to "
        "send later."
    )


def _has(
    session: requests.Session, config: LrsConfig, sid: str, timeout: float | tuple[float, float]
) -> bool:
    try:
        r = session.get(
            config.statements_url, params={"statementId": sid}, auth=config.auth,
            headers=XAPI_HEADERS, timeout=timeout,
        )
    except requests.RequestException:
        return False
    if r.status_code != 200:
        return False
    try:
        body = r.json()
    except ValueError:
        return False
    found = body.get("statements", [body]) if isinstance(body, dict) else []
    return any(isinstance(s, dict) and s.get("id") == sid for s in found)


class Sender:
    """Sends the outbox of the progress file at ``db_path`` from a background thread."""

    def __init__(
        self,
        db_path: Path,
        config: Callable[[], LrsConfig | None],
        *,
        batch_size: int = BATCH_SIZE,
        backoff: Backoff | None = None,
        idle_poll_s: float = 60.0,
        timeout: float | tuple[float, float] = REQUEST_TIMEOUT_S,
    ) -> None:
        self._path = db_path
        self._config = config
        self._batch = batch_size
        self._backoff = backoff or Backoff()
        self._idle_s = idle_poll_s
        self._timeout = timeout
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        #: The last failure's message, None after a successful pass.
        self.last_error: str | None = None
        #: The last failure itself (``LrsAuthError``, ``LrsRejected``, ...), or None.
        self.failure: LrsError | None = None
        #: Statements this sender has seen the LRS take.
        self.sent = 0

    def send_all(self) -> int:
        """Send every waiting statement now, in the calling thread; return how many left
        the outbox. ``LrsError`` (statements kept) when the LRS does not take them."""
        conn = self._connect()
        try:
            return self._send_all(conn, requests.Session())
        finally:
            conn.close()

    def start(self) -> None:
        """Start the thread; it tries at once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lrs-sender", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """New statements are waiting: try now instead of after the idle wait."""
        self._wake.set()

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Stop the thread, waiting at most ``timeout_s``; True when it has finished
        (False: a request was still in flight; its statements stay for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _send_all(self, conn: sqlite3.Connection, session: requests.Session) -> int:
        total = 0
        while not self._stop.is_set():
            batch = outbox.oldest(conn, self._batch)
            if not batch:
                break
            config = self._config()
            if config is None:
                raise LrsError(
                    f"No Learning Record Store is configured; {len(batch)} or more statement(s) "
                    "wait to be sent."
                )
            ids = [w.id for w in batch]
            try:
                taken = set(
                    post_statements(session, config, [w.body for w in batch], self._timeout)
                )
            except LrsError as exc:
                outbox.note_failure(conn, ids, str(exc))
                raise
            kept = [w.id for w in batch if w.body.get("id") in taken]
            outbox.remove(conn, kept)
            total += len(kept)
            self.sent += len(kept)
            if len(kept) < len(ids):
                outbox.note_failure(conn, [i for i in ids if i not in kept], "conflict")
                raise LrsError(
                    f"The Learning Record Store at {config.url} refused {len(ids) - len(kept)} "
                    "statement(s) whose id it already holds with other contents; kept."
                )
        return total

    def _run(self) -> None:
        failures = 0
        session = requests.Session()
        try:
            conn = self._connect()
        except sqlite3.Error as exc:
            self.last_error = f"The progress file {self._path} cannot be opened to send ({exc})."
            log.warning("%s", self.last_error)
            return
        try:
            while not self._stop.is_set():
                try:
                    self._send_all(conn, session)
                except LrsError as exc:
                    failures += 1
                    self.failure = exc
                    self.last_error = str(exc)
                    log.warning("%s", exc)
                    wait = self._backoff.delay(failures)
                except sqlite3.Error as exc:
                    failures += 1
                    self.failure = None
                    self.last_error = f"The outbox in {self._path} cannot be read ({exc})."
                    log.warning("%s", self.last_error)
                    wait = self._backoff.delay(failures)
                else:
                    failures = 0
                    self.failure = self.last_error = None
                    wait = self._idle_s
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            conn.close()
            session.close()
