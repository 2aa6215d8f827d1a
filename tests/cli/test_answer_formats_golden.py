"""The answer formats stay byte for byte: a fixed progress file through ``report --json``,
the CSV and iMRMC exports, the results files, the xAPI statements (and the cohort read
back from them) and the dashboard's figures. See ``tests/cli/answer_history.py``.

Set ``BONESCAN_TUTOR_UPDATE_GOLDEN=1`` to rewrite the golden files after a deliberate,
documented format change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from bonescan_tutor import cli, paths
from bonescan_tutor.core.scoring import summary
from bonescan_tutor.gui.results.model import DashboardFilter, build_dashboard
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.lrs_cohort import results_from_statements
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.progress_records import SessionStatus
from bonescan_tutor.storage.quizsets import quizset_from_dict
from bonescan_tutor.storage.results import ResultStatus, read_results, write_results
from tests.cli.answer_history import APP_VERSION, DATA, PROGRESS_FILE, write_history
from tests.storage.instructor_data import dataset

UPDATE = os.environ.get("BONESCAN_TUTOR_UPDATE_GOLDEN") == "1"
NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


def golden(name: str, text: str) -> None:
    path = DATA / name
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed"


@pytest.fixture(params=["checked-in", "written now"])
def progress(request: pytest.FixtureRequest) -> Path:
    """The history in the progress file of the temporary home: the copy kept in the
    repository (old files still read the same) or written now (the writers agree)."""
    target = paths.user_data_dir() / "progress.sqlite3"
    with ProgressStore.open():
        pass  # the default location, as the app makes it
    target.unlink()
    if request.param == "checked-in":
        shutil.copyfile(PROGRESS_FILE, target)
    else:
        write_history(target)
    return target


def report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.run(["report", *args]) == 0
    out, _ = capsys.readouterr()
    return out


def test_report_json_and_text(progress: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden("report.json", report(capsys, "--json"))
    golden("report_every_answer.json", report(capsys, "--json", "--every-answer"))
    golden("report_ana.txt", report(capsys, "--trainee", "ana rivas"))


def test_exports(progress: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report(capsys, "--export", str(tmp_path / "answers.csv"), "--imrmc", str(tmp_path / "study"))
    golden("export.csv", (tmp_path / "answers.csv").read_text(encoding="utf-8"))
    for name in ("study.imrmc", "study.readers.csv", "study.cases.csv"):
        golden(f"export_{name}", (tmp_path / name).read_text(encoding="utf-8"))


def test_results_files(progress: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bonescan_tutor.storage.results as results

    monkeypatch.setattr(results, "__version__", APP_VERSION)
    texts, read_back = [], []
    with ProgressStore.open() as store:
        for trainee in store.trainees():
            for record in reversed(store.quizset_sessions(trainee)):
                assert record.quizset_json is not None
                qs = quizset_from_dict(json.loads(record.quizset_json))
                status = (ResultStatus.INCOMPLETE if record.status is SessionStatus.ABANDONED
                          else ResultStatus.COMPLETE)
                folder = tmp_path / f"s{record.id}"
                path = write_results(qs, trainee.name, store.attempts(trainee, session_id=record.id),
                                     folder, now=NOW, status=status)
                texts.append(f"== {path.name}\n{path.read_text(encoding='utf-8')}")
                r = read_results(path)
                read_back.append({
                    "file": path.name, "identity": r.identity, "body": r.body(),
                    "summary": summary(r.attempts).as_dict(),
                })
    golden("results_files.txt", "".join(texts))
    golden("results_read_back.json", json.dumps(read_back, indent=1, sort_keys=True) + "\n")


def _normalized(bodies: list[dict]) -> str:
    """Statements as JSON with their random ids and registrations numbered in order."""
    text = json.dumps(bodies, indent=1, sort_keys=True, ensure_ascii=False)
    seen: dict[str, str] = {}
    for body in bodies:
        seen.setdefault(body["id"], f"statement-{len(seen) + 1}")
        reg = body["context"]["registration"]
        seen.setdefault(reg, f"registration-{len(seen) + 1}")
    for old, new in seen.items():
        text = text.replace(old, new)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)
    return text + "\n"


def test_statements_and_the_cohort_read_from_them(progress: Path) -> None:
    with ProgressStore.open() as store:
        bodies = [w.body for w in outbox.oldest(store._conn, 10_000)]
    golden("statements.json", _normalized(bodies))
    results, problems = results_from_statements(bodies, dataset())
    assert problems == []
    got = [{"file": "x", "status": r.status.value, "body": r.body(),
            "summary": summary(r.attempts).as_dict()}
           for r in sorted(results, key=lambda r: (r.trainee, r.created))]
    text = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False)
    for body in bodies:
        text = text.replace(body["context"]["registration"], "registration")
    golden("statements_cohort.json", text + "\n")


def test_dashboard_figures(progress: Path) -> None:
    out = {}
    with ProgressStore.open() as store:
        for trainee in store.trainees():
            columns, sessions = store.answer_columns(trainee), store.sessions(trainee)
            for every in (False, True):
                data = build_dashboard(columns, sessions, DashboardFilter(all_attempts=every),
                                       "fp-1")
                out[f"{trainee.name} every={every}"] = {
                    "summary": None if data.summary is None else data.summary.as_dict(),
                    "hidden": data.hidden, "older": data.older, "repeats": data.repeats,
                    "leeches": [repr(x) for x in data.leeches],
                    "table_keys": list(data.table.case_key),
                }
    golden("dashboard.json", json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
