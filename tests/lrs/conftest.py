"""A real Learning Record Store for the tests: Ralph on its file-system backend.

One server per test session, in a temporary folder, on a free loopback port: the app
of ``ralph runserver -b fs``, started by ``ralph_server.py`` so that it appends (see
there). Every
request has a timeout and the start-up wait is bounded, so a stuck server fails the
tests quickly instead of hanging them. Tests keep apart by their own registrations
(quiz-session UUIDs) and trainee names.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

USER = "trainer"
PASSWORD = "s3cret-for-tests"
REQUEST_TIMEOUT_S = 10.0
START_TRIES = 120  # x 0.5 s: Ralph imports a lot before it listens
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def _ralph() -> str:
    beside = Path(sys.executable).with_name("ralph")
    found = str(beside) if beside.exists() else shutil.which("ralph")
    if found is None:
        message = 'Ralph is not installed: pip install -e ".[test]"'
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Ralph:
    """A running Ralph: its base URL, credentials, and a reader of what it stored."""

    url: str
    user: str
    password: str
    log: Path

    def get(self, path: str, **params: Any) -> Any:
        import requests

        r = requests.get(
            f"{self.url}{path}",
            params=params,
            auth=(self.user, self.password),
            headers=XAPI_HEADERS,
            timeout=REQUEST_TIMEOUT_S,
        )
        r.raise_for_status()
        return r.json()

    def statements(self, **params: Any) -> list[dict[str, Any]]:
        """Every stored statement matching ``params``, following ``more`` across pages."""
        page = self.get("/xAPI/statements", **params)
        found = list(page["statements"])
        pages = 1
        while page.get("more"):
            assert pages < 1000, "the LRS keeps returning more pages"
            page = self.get(page["more"].removeprefix(self.url))
            found.extend(page["statements"])
            pages += 1
        return found


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    import requests

    exe = _ralph()
    root = tmp_path_factory.mktemp("ralph")
    (root / "data").mkdir()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(root / "app"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(root / "data"),
    }
    subprocess.run(
        [exe, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M",
         f"mailto:{USER}@example.org", "-w"],
        env=env, check=True, capture_output=True, timeout=120,
    )
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("ralph_server.py")), "127.0.0.1",
             str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root,
        )
    server = Ralph(f"http://127.0.0.1:{port}", USER, PASSWORD, log)
    try:
        for _ in range(START_TRIES):
            if proc.poll() is not None:
                pytest.fail(f"Ralph exited with {proc.returncode}:\n{log.read_text()}")
            try:
                server.get("/whoami")
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail(f"Ralph did not answer on port {port}:\n{log.read_text()}")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
