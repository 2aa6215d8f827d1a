"""The status bar says how many statements wait when the LRS does not take them."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage import lrs_config
from bonescan_tutor.storage.lrs_config import LrsConfig
from tests.gui.test_quiz import dataset_path  # noqa: F401 - fixture
from tests.gui.windows import main_window, press, quiz_keys
from tests.lrs.conftest import free_port

WAIT_MS = 20_000  # a deadline for a stuck sender, not a speed target


@pytest.fixture(autouse=True)
def _no_lab_lrs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (lrs_config.ENV_URL, lrs_config.ENV_USER, lrs_config.ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)


def lab_lrs(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """An LRS named by the environment, as on a lab PC (no keyring involved)."""
    monkeypatch.setenv(lrs_config.ENV_URL, url)
    monkeypatch.setenv(lrs_config.ENV_USER, "lab")
    monkeypatch.setenv(lrs_config.ENV_PASSWORD, "lab-secret-9")


class FakeLrs:
    """A loopback HTTP server answering every POST with ``status`` (and keeping the
    statements it took when the status is 200)."""

    def __init__(self, status: int, body: dict | None = None) -> None:
        self.taken: list[dict] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if status == 200:
                    fake.taken.extend(data)
                payload = json.dumps(body or [s["id"] for s in data]).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fakes() -> Iterator[list[FakeLrs]]:
    made: list[FakeLrs] = []
    yield made
    for fake in made:
        fake.close()


def unreachable() -> str:
    """An LRS address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/xAPI/"


def sending_to(url: str, qtbot, settings, store, data: Path, monkeypatch) -> MainWindow:
    """The main window of a lab PC whose environment names the LRS at ``url``, its
    sender started as at start-up."""
    lab_lrs(monkeypatch, url)
    w = main_window(qtbot, settings, store, data)
    w.lrs.start()
    return w


def practice(qtbot, w: MainWindow, cases: int) -> None:
    w.start_quiz(QuizSpec.create("Practice", quiz_keys(w)[:cases], QuizMode.PRACTICE, seed=3))
    for _ in range(cases):
        press(qtbot, w, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
        press(qtbot, w, Qt.Key.Key_P)
        press(qtbot, w, Qt.Key.Key_Return)


def test_an_unreachable_lrs_shows_how_many_wait(
    qtbot, settings, store, dataset_path, monkeypatch  # noqa: F811
) -> None:
    w = sending_to(unreachable(), qtbot, settings, store, dataset_path, monkeypatch)
    assert not w.lrs.label.isVisible()  # nothing waits yet
    practice(qtbot, w, 2)  # attempted, 2 answered, completed
    qtbot.waitUntil(lambda: w.lrs.label.text() == "4 waiting to send", timeout=WAIT_MS)
    assert w.lrs.label.isVisible()
    assert "cannot be reached" in w.lrs.label.toolTip()
    assert "lab-secret-9" not in w.lrs.label.toolTip()
    assert sum(store.waiting_statements().values()) == 4
    assert w.lrs.close()
    assert w.lrs.sender is None


def test_a_refused_password_is_said_once_and_the_statements_kept(
    qtbot, settings, store, dataset_path, monkeypatch, fakes  # noqa: F811
) -> None:
    fakes.append(FakeLrs(401, {"detail": "Invalid authentication credentials"}))
    w = sending_to(fakes[0].url, qtbot, settings, store, dataset_path, monkeypatch)
    practice(qtbot, w, 1)
    qtbot.waitUntil(lambda: w.lrs.label.text() == "3 waiting to send", timeout=WAIT_MS)
    tip = w.lrs.label.toolTip()
    assert "refused the user name or password (HTTP 401)" in tip
    assert "Settings > Learning Record Store" in tip
    assert w.statusBar().currentMessage() == tip  # shown once as a message too
    assert store.waiting_statements() == {"Ana": 3}


def test_rejected_statements_give_the_lrs_reason(
    qtbot, settings, store, dataset_path, monkeypatch, fakes  # noqa: F811
) -> None:
    fakes.append(FakeLrs(400, {"detail": "Invalid statement: result.duration"}))
    w = sending_to(fakes[0].url, qtbot, settings, store, dataset_path, monkeypatch)
    practice(qtbot, w, 1)
    qtbot.waitUntil(lambda: w.lrs.label.isVisible(), timeout=WAIT_MS)
    tip = w.lrs.label.toolTip()
    assert "rejected the statements as invalid (HTTP 400: Invalid statement: result.duration)" in tip
    assert store.waiting_statements() == {"Ana": 3}


def test_reconfigured_to_a_working_lrs_everything_goes_and_the_label_goes(
    qtbot, settings, store, dataset_path, monkeypatch, fakes  # noqa: F811
) -> None:
    w = sending_to(unreachable(), qtbot, settings, store, dataset_path, monkeypatch)
    practice(qtbot, w, 2)
    qtbot.waitUntil(lambda: w.lrs.label.isVisible(), timeout=WAIT_MS)
    fakes.append(FakeLrs(200))
    w.lrs.reconfigure(LrsConfig(fakes[0].url, "site", "pw"))  # what the settings dialog calls
    qtbot.waitUntil(lambda: not store.waiting_statements(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not w.lrs.label.isVisible(), timeout=WAIT_MS)
    verbs = [s["verb"]["display"]["en-US"] for s in fakes[0].taken]
    assert sorted(verbs) == ["answered", "answered", "attempted", "completed"]


def test_with_no_lrs_nothing_is_queued_and_nothing_shows(
    qtbot, settings, store, dataset_path  # noqa: F811
) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.lrs.start()
    assert w.lrs.config is None and w.lrs.sender is None and store.statements is None
    practice(qtbot, w, 2)
    w.lrs.refresh()
    assert store.waiting_statements() == {} and not w.lrs.label.isVisible()


def test_the_settings_name_the_lrs_and_the_home_page(
    qtbot, settings, store, dataset_path, fakes, monkeypatch  # noqa: F811
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    fakes.append(FakeLrs(200))
    settings.setValue(lrs_config.SETTING_URL, fakes[0].url)
    settings.setValue(lrs_config.SETTING_HOME_PAGE, "https://residency.example.org")
    w = main_window(qtbot, settings, store, dataset_path)
    w.lrs.start()
    practice(qtbot, w, 1)
    qtbot.waitUntil(lambda: len(fakes[0].taken) == 3, timeout=WAIT_MS)
    homes = {s["actor"]["account"]["homePage"] for s in fakes[0].taken}
    assert homes == {"https://residency.example.org"}
    settings.setValue(lrs_config.SETTING_URL, "")
    w.lrs.reload_settings()  # the LRS removed: nothing more is queued
    practice(qtbot, w, 1)
    assert store.waiting_statements() == {} and len(fakes[0].taken) == 3


def test_a_bad_lrs_address_in_the_settings_is_named(
    qtbot, settings, store, dataset_path  # noqa: F811
) -> None:
    settings.setValue(lrs_config.SETTING_URL, "lrs.example.org/xAPI")
    w = main_window(qtbot, settings, store, dataset_path)
    w.lrs.start()
    assert w.lrs.config is None
    assert "is not an http(s) URL" in (w.lrs.problem() or "")


def test_quitting_stops_the_sender(qtbot, settings, store, dataset_path, monkeypatch) -> None:  # noqa: F811
    w = sending_to(unreachable(), qtbot, settings, store, dataset_path, monkeypatch)
    sender = w.lrs.sender
    assert sender is not None
    w.close()
    assert w.lrs.sender is None and sender._thread is not None
    assert not sender._thread.is_alive()


def test_the_app_starts_sending_as_it_starts(qtbot, settings, store, monkeypatch, fakes) -> None:
    """Statements left waiting by an earlier run go out at once when the app starts."""
    from bonescan_tutor.gui import app
    from bonescan_tutor.storage.progress import StatementOptions
    from tests.storage.test_progress import spec

    store.statements = StatementOptions()
    sid = store.start_session(store.get_or_create_trainee("Ana"), spec(), "demo", "fp")
    store.statements = None
    store.finish_session(sid, submitted=False, abandoned=True)  # nothing to offer to resume
    fakes.append(FakeLrs(200))
    lab_lrs(monkeypatch, fakes[0].url)
    w = MainWindow(settings, store=store, trainee="Ana")
    qtbot.addWidget(w)
    monkeypatch.setattr(w, "open_demo", lambda: None)  # the data is not what this is about
    app.start(w, None, ask_trainee=False)
    # The sender marks a statement sent once the LRS has replied: wait for both.
    qtbot.waitUntil(
        lambda: len(fakes[0].taken) == 1 and not store.waiting_statements(), timeout=WAIT_MS
    )
    assert store.statements is not None and len(fakes[0].taken) == 1
