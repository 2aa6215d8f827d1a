"""The sender against a real LRS: every statement arrives once, failures keep them."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bonescan_tutor.core import xapi
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.lrs_sender import (
    LrsAuthError,
    LrsError,
    LrsRejected,
    Sender,
)
from bonescan_tutor.storage.progress_file import connect
from tests.lrs.conftest import Ralph, free_port
from tests.storage.test_outbox import statements

pytestmark = pytest.mark.lrs

TIMEOUT = (5.0, 10.0)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "progress.sqlite3"
    connect(path, 5.0).close()
    yield path


def config(ralph: Ralph, password: str | None = None) -> LrsConfig:
    return LrsConfig(f"{ralph.url}/xAPI/", ralph.user, password or ralph.password)


def enqueue(db: Path, made: list[xapi.Statement]) -> None:
    conn = connect(db, 5.0)
    conn.execute("BEGIN IMMEDIATE")
    outbox.enqueue(conn, made)
    conn.execute("COMMIT")
    conn.close()


def waiting(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return outbox.waiting_counts(conn)
    finally:
        conn.close()


def stored_ids(ralph: Ralph, made: list[xapi.Statement]) -> list[str]:
    return sorted(
        s["id"] for s in ralph.statements(registration=made[0].context.registration)
    )


def test_answers_arrive_one_statement_each_from_the_background(db: Path, ralph: Ralph) -> None:
    made = statements("Ana", 7)
    enqueue(db, made)
    sender = Sender(db, lambda: config(ralph), batch_size=3, timeout=TIMEOUT)
    sender.start()
    try:
        for _ in range(200):  # a deadline for a stuck sender, not a speed target
            if not waiting(db):
                break
            time.sleep(0.05)
    finally:
        assert sender.close()
    assert waiting(db) == {} and sender.last_error is None and sender.sent == 7
    assert stored_ids(ralph, made) == sorted(s.id for s in made)


def test_a_resend_after_a_lost_reply_is_harmless(db: Path, ralph: Ralph) -> None:
    made = statements("Ana", 3)
    enqueue(db, made)
    sender = Sender(db, lambda: config(ralph), timeout=TIMEOUT)
    assert sender.send_all() == 3
    enqueue(db, made)  # the reply was lost: the outbox still holds them
    assert sender.send_all() == 3
    assert waiting(db) == {}
    assert stored_ids(ralph, made) == sorted(s.id for s in made)


def test_down_then_up_every_statement_arrives_once(db: Path, ralph: Ralph) -> None:
    made = statements("Ana", 4)
    enqueue(db, made)
    current = [LrsConfig(f"http://127.0.0.1:{free_port()}/xAPI/", "u", "p")]
    sender = Sender(db, lambda: current[0], timeout=TIMEOUT)
    with pytest.raises(LrsError, match=r"cannot be reached.*4 statement"):
        sender.send_all()
    assert waiting(db) == {"Ana": 4}
    current[0] = config(ralph)  # the LRS configured when sending, not when made
    assert sender.send_all() == 4
    assert stored_ids(ralph, made) == sorted(s.id for s in made)


def test_a_401_names_the_credentials_and_keeps_the_statements(db: Path, ralph: Ralph) -> None:
    made = statements("Ana", 2)
    enqueue(db, made)
    sender = Sender(db, lambda: config(ralph, "wrong-password-123"), timeout=TIMEOUT)
    with pytest.raises(LrsAuthError, match=r"refused the user name or password \(HTTP 401\)") as e:
        sender.send_all()
    assert "wrong-password-123" not in str(e.value)
    assert waiting(db) == {"Ana": 2}
    assert ralph.statements(registration=made[0].context.registration) == []


def test_invalid_statements_are_named_and_kept(db: Path, ralph: Ralph) -> None:
    body = statements("Ana", 1)[0].as_dict()
    bad = {k: v for k, v in body.items() if k != "actor"}
    conn = sqlite3.connect(db, isolation_level=None)
    outbox.ensure_table(conn)
    conn.execute("INSERT INTO xapi_outbox (id, trainee, created, body) VALUES (?, 'Ana', 1, ?)",
                 (body["id"], json.dumps(bad)))
    conn.close()
    sender = Sender(db, lambda: config(ralph), timeout=TIMEOUT)
    with pytest.raises(LrsRejected, match=r"rejected the statements as invalid \(HTTP 422: .*actor"):
        sender.send_all()
    assert waiting(db) == {"Ana": 1}


class _Answers400(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"message": "Invalid statement: result.duration"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_400_gives_the_lrs_reason_and_keeps_the_statements(db: Path) -> None:
    """Ralph answers 422 for an invalid statement (above); other LRSs answer 400."""
    enqueue(db, statements("Ana", 2))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers400)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
        sender = Sender(db, lambda: LrsConfig(url, "u", "p"), timeout=TIMEOUT)
        with pytest.raises(LrsRejected, match=r"HTTP 400: .*result.duration.*2 statement"):
            sender.send_all()
    finally:
        server.shutdown()
        server.server_close()
    assert waiting(db) == {"Ana": 2}


_KILLED_WRITER = """
import os, signal, sys
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.progress_file import connect
from tests.storage.test_outbox import statements
conn = connect(__import__("pathlib").Path(sys.argv[1]), 5.0)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO trainees (name, created) VALUES ('Ana', 0)")
made = statements("Ana", 3)
outbox.enqueue(conn, made)
conn.execute("COMMIT")
print(made[0].context.registration, " ".join(s.id for s in made), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killed_between_commit_and_send_loses_and_duplicates_nothing(
    db: Path, ralph: Ralph
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(db)], capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    registration, *ids = done.stdout.split()
    assert waiting(db) == {"Ana": 3}
    sender = Sender(db, lambda: config(ralph), timeout=TIMEOUT)
    assert sender.send_all() == 3
    assert sender.send_all() == 0
    found = [s["id"] for s in ralph.statements(registration=registration)]
    assert sorted(found) == sorted(ids)


class SilentServer:
    """Accepts one HTTP request and never answers it until released."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got_request = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            self.got_request.set()
            self.release.wait(60)

    def stop(self) -> None:
        self.release.set()
        self.thread.join(10)
        self.sock.close()


def test_close_never_waits_on_a_silent_lrs_beyond_its_bound(db: Path) -> None:
    made = statements("Ana", 2)
    enqueue(db, made)
    server = SilentServer()
    sender = Sender(db, lambda: LrsConfig(f"http://127.0.0.1:{server.port}/xAPI/"),
                    timeout=(5.0, 60.0))
    try:
        sender.start()
        assert server.got_request.wait(30)
        # The request can only end by the server's answer (never) or its 60 s timeout:
        # close returns first, with the request still in flight.
        assert sender.close() is False
        assert not server.release.is_set()
        assert waiting(db) == {"Ana": 2}
    finally:
        server.stop()
    assert sender.close(30) is True
    assert waiting(db) == {"Ana": 2}


class _Answers409(http.server.BaseHTTPRequestHandler):
    """An LRS that holds ``has`` (another form of it) and refuses the batch with 409."""

    has = ""

    def _reply(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(409, b'{"detail": "Differing statements already exist"}')

    def do_GET(self) -> None:
        asked = self.path.rsplit("statementId=", 1)[-1]
        found = [{"id": asked}] if asked == self.has else []
        self._reply(200, json.dumps({"statements": found}).encode())

    def log_message(self, *args: object) -> None:
        pass


def test_a_409_drops_what_the_lrs_holds_and_keeps_the_rest(db: Path) -> None:
    made = statements("Ana", 2)
    enqueue(db, made)
    handler = type("Holds", (_Answers409,), {"has": made[0].id})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
        sender = Sender(db, lambda: LrsConfig(url), timeout=TIMEOUT)
        with pytest.raises(LrsError, match="refused 1 statement"):
            sender.send_all()
    finally:
        server.shutdown()
        server.server_close()
    conn = sqlite3.connect(db)
    assert [w.id for w in outbox.oldest(conn, 10)] == [made[1].id]
    conn.close()
