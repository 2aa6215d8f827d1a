"""`cohort --lrs`: the same merge and item analysis as the .bstresult route."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pandas as pd
import pytest

from bonescan_tutor import cli
from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.lrs_config import ENV_PASSWORD, ENV_USER, LrsConfig
from bonescan_tutor.storage.lrs_sender import Sender
from bonescan_tutor.storage.quizsets import QuizSet, write_quizset
from bonescan_tutor.storage.results import read_results
from tests.builders import Spec, build
from tests.lrs.conftest import Ralph
from tests.lrs.test_sender import enqueue
from tests.storage.instructor_data import Cohort, M, N, week4_cohort

pytestmark = pytest.mark.lrs


def _as_statements(path: Path, qs: QuizSet) -> list[xapi.Statement]:
    """What the app sends for the session a results file records."""
    r = read_results(path)
    ctx = xapi.QuizContext(str(uuid.uuid4()), qs.id, qs.title, qs.fingerprint,
                           r.dataset_fingerprint, r.app_version, QuizMode.EXAM)
    actor = xapi.Actor(r.trainee)
    made = [xapi.started(actor, ctx, 900.0)]
    made += [xapi.statement_for(a, actor, ctx) for a in r.attempts]
    correct = sum(a.correct for a in r.attempts)
    made += xapi.finished(actor, ctx, 2000.0, correct=correct, cases=len(r.attempts),
                          duration_s=100)
    return made


def sent_to(ralph: Ralph, tmp_path: Path, cohort: Cohort) -> str:
    """The LRS endpoint, once it holds each trainee's statements as the app sends them."""
    from bonescan_tutor.storage.progress_file import connect

    db = tmp_path / "progress.sqlite3"
    connect(db, 5.0).close()
    for f in cohort.files:
        enqueue(db, _as_statements(f, cohort.quiz_set))
    endpoint = f"{ralph.url}/xAPI/"
    assert Sender(db, lambda: LrsConfig(endpoint, ralph.user, ralph.password)).send_all() == 18
    return endpoint


def _cohort_from_files_and_from_lrs(tmp_path: Path, ralph: Ralph, endpoint: str, set_file: Path,
                                    ds: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> dict:
    """``cohort --json`` of the inbox and of the LRS: the same, trainees Ana, Ben and Cy;
    the LRS's is returned (``files.xlsx`` and ``lrs.xlsx`` are left for a look)."""
    monkeypatch.setenv(ENV_USER, ralph.user)
    monkeypatch.setenv(ENV_PASSWORD, ralph.password)
    common = ["--quiz-set", str(set_file), "--dataset", str(ds), "--json"]
    assert cli.run(["cohort", str(tmp_path / "inbox"), "--out", str(tmp_path / "files.xlsx"),
                    *common]) == 0
    from_files = json.loads(capsys.readouterr().out)
    assert cli.run(["cohort", "--lrs", endpoint, "--out", str(tmp_path / "lrs.xlsx"),
                    *common]) == 0
    from_lrs = json.loads(capsys.readouterr().out)
    for report in (from_files, from_lrs):
        report.pop("out")
    assert from_lrs == from_files
    assert [t["trainee"] for t in from_lrs["trainees"]] == ["Ana", "Ben", "Cy"]
    return from_lrs


def test_cohort_from_the_lrs_equals_the_results_files_merge(
    tmp_path: Path, ralph: Ralph, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cohort = week4_cohort(tmp_path, quiz_id=f"q-{uuid.uuid4()}")
    endpoint = sent_to(ralph, tmp_path, cohort)
    _cohort_from_files_and_from_lrs(tmp_path, ralph, endpoint, cohort.set_file, cohort.folder,
                                    capsys, monkeypatch)
    for sheet in ("Trainees", "Items"):
        a = pd.read_excel(tmp_path / "files.xlsx", sheet_name=sheet)
        b = pd.read_excel(tmp_path / "lrs.xlsx", sheet_name=sheet)
        source = [c for c in ("file", "created") if c in a.columns]  # where each came from
        pd.testing.assert_frame_equal(a.drop(columns=source), b.drop(columns=source))


def test_cohort_lrs_needs_the_quiz_set_and_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.run(["cohort", "--lrs", "http://127.0.0.1:9/xAPI/", "--out",
                    str(tmp_path / "c.xlsx")])
    assert code != 0
    assert "--lrs needs --quiz-set" in capsys.readouterr().err


def test_the_quiz_statements_are_read_across_pages(tmp_path: Path, ralph: Ralph) -> None:
    from bonescan_tutor.storage.lrs_cohort import fetch_quiz_statements
    from bonescan_tutor.storage.progress_file import connect
    from tests.core.test_xapi import attempt

    ds = build(tmp_path / "ds", Spec(n_met=1, n_normal=1))
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id=f"q-{uuid.uuid4()}", title="Paged", case_keys=("1", "2"),
                    mode=QuizMode.PRACTICE)
    qs = QuizSet.for_dataset(spec, dataset)
    ctx = xapi.QuizContext(str(uuid.uuid4()), qs.id, qs.title, qs.fingerprint,
                           dataset.fingerprint, "0", QuizMode.PRACTICE)
    made = [xapi.statement_for(attempt(str(i)).with_truth(M), xapi.Actor("Ana"), ctx)
            for i in range(130)]
    db = tmp_path / "progress.sqlite3"
    connect(db, 5.0).close()
    enqueue(db, made)
    config = LrsConfig(f"{ralph.url}/xAPI/", ralph.user, ralph.password)
    assert Sender(db, lambda: config).send_all() == 130
    got = fetch_quiz_statements(config, qs)
    assert sorted(s["id"] for s in got) == sorted(s.id for s in made)


def test_cohort_from_what_the_app_sent_equals_its_results_files(
    tmp_path: Path, ralph: Ralph, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exams recorded in the progress file (one abandoned): the statements it sent and
    the results files it wrote give the same cohort."""
    from bonescan_tutor.storage.progress import ProgressStore, StatementOptions
    from bonescan_tutor.storage.results import ResultStatus, write_results

    ds = build(tmp_path / "ds", Spec(n_met=2, n_normal=3))
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id=f"q-{uuid.uuid4()}", title="Week 5", case_keys=("1", "2", "3", "4"),
                    mode=QuizMode.EXAM)
    qs = QuizSet.for_dataset(spec, dataset, pass_mark=0.5)
    set_file = tmp_path / "week5.bstquiz"
    write_quizset(qs, set_file)
    inbox = tmp_path / "inbox"
    sittings = [
        ("Ana", {"1": M, "2": M, "3": N, "4": N}, False),
        ("Ben", {"1": N, "2": M, "3": N, "4": M}, False),
        ("Cy", {"1": N, "2": M}, True),  # abandoned after two answers
    ]
    endpoint = f"{ralph.url}/xAPI/"
    with ProgressStore.open(tmp_path / "progress.sqlite3") as store:
        store.statements = StatementOptions()
        for n, (name, answers, abandoned) in enumerate(sittings):
            trainee = store.get_or_create_trainee(name)
            sid = store.start_session(trainee, spec, dataset.name, dataset.fingerprint,
                                      quizset_json=json.dumps(qs.to_dict(), sort_keys=True))
            for pos, (key, decision) in enumerate(answers.items(), start=1):
                at = 1_764_500_000.0 + 1000 * n + 60 * pos
                store.record_attempt(sid, Answer(key, pos, decision, 80, at - 5, at, 5.0),
                                     dataset.case(key).diagnosis, dataset.fingerprint)
            store.finish_session(sid, submitted=not abandoned, abandoned=abandoned)
            write_results(qs, name, store.attempts(session_id=sid), inbox,
                          status=ResultStatus.INCOMPLETE if abandoned else ResultStatus.COMPLETE)
        sender = Sender(store.path, lambda: LrsConfig(endpoint, ralph.user, ralph.password))
        assert sender.send_all() == 2 * (1 + 4 + 2) + (1 + 2)

    from_lrs = _cohort_from_files_and_from_lrs(tmp_path, ralph, endpoint, set_file, ds, capsys,
                                               monkeypatch)
    assert [t["status"] for t in from_lrs["trainees"]] == ["complete", "complete", "incomplete"]
