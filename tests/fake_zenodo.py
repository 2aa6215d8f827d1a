"""A stand-in for Zenodo's records API on 127.0.0.1, with scripted failures.

``FakeZenodo.script`` maps a file name (or ``"record"``) to a queue of actions used
by the next requests, one each: ``"drop:N"`` sends N bytes then closes the socket,
``"status:CODE:RETRY_AFTER"`` answers an error with a Retry-After header,
``"ignore-range"`` answers 200 with the whole file even when a Range was asked,
``"hold:N"`` sends N bytes then waits for ``FakeZenodo.release`` before the rest (a
download caught midway, for as long as a test needs), ``"range-from-zero"`` answers a
Range request with 206 but the whole file from byte 0, ``"no-length"`` sends the file
without a Content-Length (its end is the closed connection).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

RECORD = "13900966"


@dataclass
class FakeZenodo:
    base_url: str = ""
    record_id: str = RECORD
    files: dict[str, bytes] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    script: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    new_style_links: bool = True
    release: threading.Event = field(default_factory=threading.Event)

    def file_url(self, name: str) -> str:
        quoted = urllib.parse.quote(name)
        if self.new_style_links:
            return f"{self.base_url}/api/records/{self.record_id}/files/{quoted}/content"
        return f"{self.base_url}/api/files/bucket-1234/{quoted}"

    def record_json(self) -> dict[str, object]:
        return {
            "id": int(self.record_id),
            "files": [
                {
                    "id": f"file-{i}",
                    "key": name,
                    "size": len(data),
                    "checksum": self.checksums.get(name, "md5:" + hashlib.md5(data).hexdigest()),
                    "links": {"self": self.file_url(name)},
                }
                for i, (name, data) in enumerate(self.files.items())
            ],
        }

    def file_requests(self, name: str) -> list[dict[str, str]]:
        quoted = urllib.parse.quote(name)
        return [
            h
            for p, h in self.requests
            if p.endswith(f"/{quoted}/content") or p.endswith(f"/{quoted}")
        ]

    def next_action(self, key: str) -> str | None:
        queue = self.script.get(key)
        return queue.pop(0) if queue else None


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _handler(state: FakeZenodo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _error(self, code: int, retry_after: str | None = None) -> None:
            body = b'{"status": %d}' % code
            self.send_response(code)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _scripted_error(self, action: str | None) -> bool:
            if action and action.startswith("status:"):
                _, code, retry = action.split(":")
                self._error(int(code), retry or None)
                return True
            return False

        def do_GET(self) -> None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            state.requests.append((self.path, dict(self.headers.items())))
            if path.rstrip("/") == f"/api/records/{state.record_id}":
                if self._scripted_error(state.next_action("record")):
                    return
                body = json.dumps(state.record_json()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            m = re.fullmatch(r"/api/(?:records/\d+/files/(.+)/content|files/[^/]+/(.+))", path)
            name = (m.group(1) or m.group(2)) if m else None
            if name is None or name not in state.files:
                self._error(404)
                return
            action = state.next_action(name)
            if self._scripted_error(action):
                return
            data = state.files[name]
            start = 0
            rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if rng and action != "ignore-range":
                start = int(rng.group(1))
                if start >= len(data):
                    self._error(416)
                    return
                if action == "range-from-zero":
                    start = 0
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if action == "no-length":
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(data) - start))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if action and action.startswith("drop:"):
                self.wfile.write(data[start : start + int(action.split(":")[1])])
                self.wfile.flush()
                self.close_connection = True
                return
            if action and action.startswith("hold:"):
                held = start + int(action.split(":")[1])
                self.wfile.write(data[start:held])
                self.wfile.flush()
                state.release.wait()
                start = held
            self.wfile.write(data[start:])

    return Handler


@pytest.fixture
def fake_zenodo(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZenodo]:
    """A fake Zenodo on 127.0.0.1; ``$BONESCAN_TUTOR_ZENODO_URL`` points at it."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    state = FakeZenodo()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("BONESCAN_TUTOR_ZENODO_URL", state.base_url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
