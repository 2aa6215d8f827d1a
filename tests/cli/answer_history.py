"""A fixed answer history written through the progress store: three trainees, practice
and exam sessions from quiz sets, a case answered twice, an exam answer changed, a
timeout, a bare decision, marks, notes, tools, a hidden label, an older dataset version
and an abandoned exam. ``tests/cli/data/answers/progress.sqlite3`` is this history as
once written; the golden outputs in the same folder are what the app made of it.

Run ``python -m tests.cli.answer_history`` to write a new copy of the file (only when the
progress schema gains a version on purpose).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.storage.progress import ProgressStore, StatementOptions
from bonescan_tutor.storage.quizsets import QuizSet
from tests.storage.instructor_data import dataset, quiz_set

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
A, P = Projection.ANTERIOR, Projection.POSTERIOR
HOME = "https://residency.example.org"
APP_VERSION = "0.0-golden"
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z

DATA = Path(__file__).parent / "data" / "answers"
PROGRESS_FILE = DATA / "progress.sqlite3"

# (case key, decision, certainty, seconds on the case, timed out, note, marks, tools)
Given = tuple[str, Diagnosis | None, int | None, float, bool, str, tuple, frozenset]


def practice_set() -> QuizSet:
    return quiz_set(keys=("1", "2", "7", "8", "3"), title="Week 1 practice", qid="practice-1",
                    mode=QuizMode.PRACTICE)


def exam_set() -> QuizSet:
    return replace(quiz_set(keys=("2", "4", "9", "10"), title="Week 2 exam", qid="exam-2",
                            mode=QuizMode.EXAM), pass_mark=0.75)


def bare_set() -> QuizSet:
    qs = quiz_set(keys=("5", "11"), title="Quick reads", qid="quick-3", mode=QuizMode.PRACTICE)
    return replace(qs, spec=replace(qs.spec, certainty_required=False))


def _given(key: str, decision: Diagnosis | None, certainty: int | None, seconds: float,
           *, note: str = "", marks: tuple = (), tools: frozenset = frozenset()) -> Given:
    return (key, decision, certainty, seconds, decision is None, note, marks, tools)


def _session(store: ProgressStore, name: str, qs: QuizSet, fingerprint: str, start: float,
             answers: list[Given], *, shown: bool, close: str | None) -> None:
    """One quiz session: answers one minute apart from ``start``; ``close`` is
    "finish", "submit", "abandon" or None (left running)."""
    truth = {c.key: c.diagnosis for c in dataset().cases}
    trainee = store.get_or_create_trainee(name)
    text = json.dumps(qs.to_dict(), sort_keys=True)
    sid = store.start_session(trainee, qs.spec, "Tiny", fingerprint, started=start,
                              quizset_json=text)
    for i, (key, decision, certainty, seconds, timed_out, note, marks, tools) in enumerate(answers):
        at = start + 60.0 * (i + 1)
        attempt = Answer(key, qs.spec.case_keys.index(key) + 1 if key in qs.spec.case_keys else i + 1,
                          decision, certainty, at - seconds, at, seconds, note=note,
                          marks=marks, tools_used=tools, timed_out=timed_out)
        store.record_attempt(sid, attempt, truth[key], fingerprint, label_shown=shown)
    end = start + 60.0 * (len(answers) + 1)
    if close == "finish":
        store.finish_session(sid, False, finished=end)
    elif close == "submit":
        store.finish_session(sid, True, finished=end)
    elif close == "abandon":
        store.finish_session(sid, False, finished=end, abandoned=True)


def write_history(path: Path) -> None:
    """Write the fixed history into a new progress file at ``path``."""
    with ProgressStore.open(path) as store:
        store.statements = StatementOptions(home_page=HOME, app_version=APP_VERSION)
        practice, exam, bare = practice_set(), exam_set(), bare_set()
        _session(store, "Ana Rivas", practice, "fp-0", T0, [
            _given("1", M, 90, 12.5, marks=((A, 120.0, 300.5), (P, 130.25, 310.0)),
                   tools=frozenset({Tool.WINDOWING, Tool.MIDLINE})),
            _given("2", N, 60, 20.0, note="faint rib?"),
            _given("7", N, 100, 8.0),
        ], shown=True, close="finish")
        _session(store, "Ana Rivas", practice, "fp-1", T0 + 86_400, [
            _given("2", M, 70, 15.0, marks=((A, 64.0, 512.0),)),  # case 2 read again
            _given("8", None, None, 30.0),  # timed out
            _given("3", M, 80, 9.75, tools=frozenset({Tool.ASYMMETRY})),
        ], shown=True, close="finish")
        _session(store, "Ana Rivas", exam, "fp-1", T0 + 2 * 86_400, [
            _given("2", N, 50, 11.0),
            _given("4", M, 90, 14.0),
            _given("9", M, 60, 21.5, note="bladder"),
            _given("2", M, 80, 6.0),  # changed before submission: replaces the first
            _given("10", N, 90, 7.0),
        ], shown=False, close="submit")
        _session(store, "Ben Okafor", exam, "fp-1", T0 + 3 * 86_400, [
            _given("2", M, 100, 10.0),
            _given("4", None, None, 45.0),
        ], shown=False, close="abandon")
        _session(store, "Ben Okafor", bare, "fp-1", T0 + 4 * 86_400, [
            _given("5", M, None, 3.5),
            _given("11", N, None, 4.5),
        ], shown=True, close="finish")
        _session(store, "Chloé Durand-Núñez", practice, "fp-1", T0 + 5 * 86_400, [
            _given("1", N, 60, 18.0),
            _given("7", M, 70, 25.0, note='"=1+1" is not a formula'),
        ], shown=True, close=None)
        _session(store, "Chloé Durand-Núñez", practice, "fp-1", T0 + 6 * 86_400, [
            _given("8", N, 80, 5.0),
        ], shown=False, close=None)  # label still hidden


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROGRESS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    write_history(target)
    print(target)
