"""Answers recorded in the progress file reach a real LRS: once each, never early."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.lrs_sender import LrsAuthError, LrsRejected, Sender
from bonescan_tutor.storage.progress import ProgressStore, StatementOptions, Trainee
from tests.lrs.conftest import Ralph, free_port
from tests.lrs.test_sender import _Answers400
from tests.storage.instructor_data import quiz_set
from tests.storage.test_progress import M, N, attempt, spec

pytestmark = pytest.mark.lrs

TIMEOUT = (5.0, 10.0)
POLLS = 400  # x 0.05 s: a deadline for a stuck sender, not a speed target


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProgressStore]:
    with ProgressStore.open(tmp_path / "progress.sqlite3") as s:
        s.statements = StatementOptions(home_page="https://residency.example.org")
        yield s


@pytest.fixture
def ana(store: ProgressStore) -> Trainee:
    return store.get_or_create_trainee("Ana Rivas")


def config(ralph: Ralph, password: str | None = None) -> LrsConfig:
    return LrsConfig(f"{ralph.url}/xAPI/", ralph.user, password or ralph.password)


def nowhere() -> LrsConfig:
    return LrsConfig(f"http://127.0.0.1:{free_port()}/xAPI/", "u", "p")


def wait_sent(store: ProgressStore, sender: Sender) -> None:
    for _ in range(POLLS):
        if not store.waiting_statements():
            return
        time.sleep(0.05)
    pytest.fail(f"statements still waiting: {store.waiting_statements()} ({sender.last_error})")


def verbs_at(ralph: Ralph, registration: str | None) -> list[str]:
    assert registration
    return sorted(s["verb"]["display"]["en-US"] for s in ralph.statements(registration=registration))


def quizset_json(mode: QuizMode, pass_mark: float | None = None, qid: str = "quiz-1") -> str:
    qs = replace(quiz_set(keys=("1", "2", "3", "4"), mode=mode, qid=qid), pass_mark=pass_mark)
    return json.dumps(qs.to_dict(), sort_keys=True)


@contextlib.contextmanager
def sending(store: ProgressStore, lrs: Callable[[], LrsConfig]) -> Iterator[Sender]:
    """A sender running as in the app, woken by each statement queued; closed cleanly."""
    sender = Sender(store.path, lrs, timeout=TIMEOUT)
    store.on_queued = sender.wake
    sender.start()
    try:
        yield sender
    finally:
        assert sender.close()


def test_practice_answers_arrive_one_statement_each(
    store: ProgressStore, ana: Trainee, ralph: Ralph
) -> None:
    with sending(store, lambda: config(ralph)) as sender:
        sid = store.start_session(ana, spec(n=3), "demo", "fp-1")
        for k in ("1", "2", "3"):
            store.record_attempt(sid, attempt(k, int(k), at=100.0 + int(k)), M, "fp-1",
                                 label_shown=True)
        wait_sent(store, sender)
    registration = store.session(sid).registration
    stored = ralph.statements(registration=registration)
    answered = [s for s in stored if s["verb"]["display"]["en-US"] == "answered"]
    keys = sorted(s["result"]["extensions"][
        "https://bonescan-tutor.invalid/xapi/extensions/case-key"] for s in answered)
    assert keys == ["1", "2", "3"] and len(stored) == 4  # and the attempted
    assert {s["actor"]["account"]["homePage"] for s in stored} == {"https://residency.example.org"}


def test_lrs_down_during_a_quiz_then_up_at_the_next_start(
    store: ProgressStore, ana: Trainee, ralph: Ralph
) -> None:
    down = nowhere()
    with sending(store, lambda: down) as sender:
        sid = store.start_session(ana, spec(n=3), "demo", "fp-1")
        for k in ("1", "2", "3"):
            store.record_attempt(sid, attempt(k, int(k)), M, "fp-1", label_shown=True)
        store.finish_session(sid, submitted=False)
        for _ in range(POLLS):
            if sender.last_error:
                break
            time.sleep(0.05)
        assert "cannot be reached" in (sender.last_error or "")
    # the app has quit with everything waiting
    assert store.waiting_statements() == {"Ana Rivas": 5}
    registration = store.session(sid).registration
    assert ralph.statements(registration=registration) == []
    again = Sender(store.path, lambda: config(ralph), timeout=TIMEOUT)  # the next start
    again.start()
    try:
        wait_sent(store, again)
    finally:
        assert again.close()
    assert verbs_at(ralph, registration) == [
        "answered", "answered", "answered", "attempted", "completed"]
    assert again.send_all() == 0


_KILLED_AFTER_ANSWERING = """
import os, signal, sys
from pathlib import Path
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.storage.progress import ProgressStore, StatementOptions
from tests.storage.test_progress import spec
store = ProgressStore.open(Path(sys.argv[1]))
store.statements = StatementOptions()
ana = store.get_or_create_trainee("Ana Rivas")
sid = store.start_session(ana, spec(n=2), "demo", "fp-1")
store.record_attempt(sid, Answer("1", 1, Diagnosis.METASTASES, 80, 1.0, 5.0, 4.0), Diagnosis.METASTASES, "fp-1", label_shown=True)
print(store.session(sid).registration, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killed_between_the_answers_commit_and_the_send(tmp_path: Path, ralph: Ralph) -> None:
    db = tmp_path / "progress.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_ANSWERING, str(db)], capture_output=True,
        text=True, timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    registration = done.stdout.strip()
    with ProgressStore.open(db) as store:
        assert len(store.attempts()) == 1
        assert store.waiting_statements() == {"Ana Rivas": 2}
    sender = Sender(db, lambda: config(ralph), timeout=TIMEOUT)
    assert sender.send_all() == 2
    assert sender.send_all() == 0
    assert verbs_at(ralph, registration) == ["answered", "attempted"]


def test_a_401_and_a_400_are_named_and_the_statements_kept(
    store: ProgressStore, ana: Trainee, ralph: Ralph
) -> None:
    import http.server
    import threading

    sid = store.start_session(ana, spec(n=2), "demo", "fp-1")
    store.record_attempt(sid, attempt("1", 1), M, "fp-1", label_shown=True)
    wrong = Sender(store.path, lambda: config(ralph, "wrong-password-123"), timeout=TIMEOUT)
    with pytest.raises(LrsAuthError, match=r"refused the user name or password \(HTTP 401\)") as e:
        wrong.send_all()
    assert "wrong-password-123" not in str(e.value)
    assert store.waiting_statements() == {"Ana Rivas": 2}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers400)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
        rejecting = Sender(store.path, lambda: LrsConfig(url, "u", "p"), timeout=TIMEOUT)
        with pytest.raises(LrsRejected, match=r"HTTP 400: .*result.duration.*2 statement"):
            rejecting.send_all()
    finally:
        server.shutdown()
        server.server_close()
    assert store.waiting_statements() == {"Ana Rivas": 2}
    assert ralph.statements(registration=store.session(sid).registration) == []
    assert Sender(store.path, lambda: config(ralph), timeout=TIMEOUT).send_all() == 2


def test_an_exams_answers_reach_the_lrs_only_at_submission(
    store: ProgressStore, ana: Trainee, ralph: Ralph
) -> None:
    with sending(store, lambda: config(ralph)) as sender:
        text = quizset_json(QuizMode.EXAM, pass_mark=0.5, qid="exam-hidden")
        sid = store.start_session(ana, spec(QuizMode.EXAM, n=4), "demo", "fp-1",
                                  quizset_json=text)
        registration = store.session(sid).registration
        for k, truth in (("1", M), ("2", N), ("3", M)):
            store.record_attempt(sid, attempt(k, int(k), at=100.0 + int(k)), truth, "fp-1")
        sender.wake()
        wait_sent(store, sender)
        assert verbs_at(ralph, registration) == ["attempted"]  # mid-exam: the start alone
        store.finish_session(sid, submitted=True)
        wait_sent(store, sender)
    assert verbs_at(ralph, registration) == [
        "answered", "answered", "answered", "attempted", "completed", "passed"]


def test_a_pass_mark_yields_passed_or_failed(
    store: ProgressStore, ana: Trainee, ralph: Ralph
) -> None:
    ben = store.get_or_create_trainee("Ben Ortiz")
    text = quizset_json(QuizMode.EXAM, pass_mark=0.75, qid="exam-pass-mark")
    sessions = {}
    for trainee, right in ((ana, 3), (ben, 2)):
        sid = store.start_session(trainee, spec(QuizMode.EXAM, n=4), "demo", "fp-1",
                                  quizset_json=text)
        for k in range(1, 5):
            truth = M if k <= right else N  # every answer says metastases
            store.record_attempt(sid, attempt(str(k), k), truth, "fp-1")
        store.finish_session(sid, submitted=True)
        sessions[trainee.name] = store.session(sid).registration
    assert Sender(store.path, lambda: config(ralph), timeout=TIMEOUT).send_all() == 14
    ana_verbs, ben_verbs = (verbs_at(ralph, sessions[n]) for n in ("Ana Rivas", "Ben Ortiz"))
    assert "passed" in ana_verbs and "failed" not in ana_verbs
    assert "failed" in ben_verbs and "passed" not in ben_verbs
    (verdict,) = [s for s in ralph.statements(registration=sessions["Ben Ortiz"])
                  if s["verb"]["display"]["en-US"] == "failed"]
    assert verdict["result"]["score"] == {"raw": 2, "min": 0, "max": 4, "scaled": 0.5}
    assert verdict["result"]["success"] is False
