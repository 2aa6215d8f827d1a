"""`bonescan-tutor report`: figures from the progress file, exports, friendly edge cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from bonescan_tutor import cli
from bonescan_tutor.core import review
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.scoring import summary
from bonescan_tutor.storage.progress import ProgressStore

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def record(name: str, answers: list[tuple[str, Diagnosis, Diagnosis | None, bool, str]]) -> None:
    """answers: (key, truth, decision, label_shown, dataset fingerprint)."""
    spec = QuizSpec(
        id="q", title="Practice", case_keys=tuple(a[0] for a in answers), mode=QuizMode.PRACTICE
    )
    with ProgressStore.open() as store:
        trainee = store.get_or_create_trainee(name)
        sid = store.start_session(trainee, spec, "Tiny", "fp-new")
        for i, (key, truth, decision, shown, fp) in enumerate(answers):
            at = 1_700_000_000.0 + 60 * i
            attempt = Answer(
                key,
                i + 1,
                decision,
                80 if decision else None,
                at - 6,
                at,
                6.0,
                timed_out=decision is None,
            )
            store.record_attempt(sid, attempt, truth, fp, label_shown=shown)


@pytest.fixture
def history() -> None:
    record(
        "Ana",
        [
            ("1", M, M, True, "fp-old"),  # older dataset version, kept and marked
            ("2", M, N, True, "fp-new"),
            ("7", N, N, True, "fp-new"),
            ("8", N, M, False, "fp-new"),  # label never shown: not a finished case
        ],
    )
    record("Ben", [("1", M, M, True, "fp-new")])


def test_empty_history_is_a_friendly_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report")
    assert code == 0 and "No finished cases yet" in out


def test_report_for_one_trainee(capsys: pytest.CaptureFixture[str], history: None) -> None:
    code, out, _ = run(capsys, "report", "--trainee", "ana")
    assert code == 0
    assert "Ana: 3 finished case(s), 3 answered" in out
    assert "1 of them on an older dataset version" in out
    assert "Accuracy:           67 % (21-94 %, 2/3)" in out
    assert "Sensitivity:        50 %" in out and "Ben" not in out


def test_unknown_trainee_lists_the_known_ones(
    capsys: pytest.CaptureFixture[str], history: None
) -> None:
    code, out, _ = run(capsys, "report", "--trainee", "Zoe")
    assert code == 1 and "no trainee named 'Zoe'" in out and "Ana, Ben" in out


def test_json_matches_summary(capsys: pytest.CaptureFixture[str], history: None) -> None:
    code, out, _ = run(capsys, "report", "--trainee", "Ana", "--json")
    assert code == 0
    data = json.loads(out)
    (ana,) = data["trainees"]
    assert ana["finished_cases"] == 3 and ana["older_dataset_version"] == 1
    assert data["current_dataset_fingerprint"] == "fp-new"
    with ProgressStore.open() as store:
        trainee = next(t for t in store.trainees() if t.name == "Ana")
        shown = [a for a in store.attempts(trainee) if a.label_shown]
    expected = summary([s.answer for s in shown]).as_dict()
    assert ana["summary"]["metrics"] == json.loads(json.dumps(expected["metrics"]))


def test_json_lists_each_trainees_review_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    """The cards the quiz writes: the miss and the timed-out case, due a day later."""
    answers = [("1", M, M, 90), ("2", M, N, 90), ("3", N, None, None), ("4", N, N, 100)]
    spec = QuizSpec(id="q", title="P", case_keys=("1", "2", "3", "4"), mode=QuizMode.PRACTICE)
    at = 1_700_000_000.0
    with ProgressStore.open() as store:
        ana = store.get_or_create_trainee("Ana")
        sid = store.start_session(ana, spec, "Tiny", "fp")
        for i, (key, truth, decision, certainty) in enumerate(answers):
            when = dt.datetime.fromtimestamp(at + 60 * i, dt.UTC)
            attempt = Answer(key, i + 1, decision, certainty, at + 60 * i - 5, at + 60 * i,
                              5.0, timed_out=decision is None)
            card = review.review(None, decision is truth, certainty, when)
            store.record_attempt(sid, attempt, truth, "fp", label_shown=True, review_card=card)
    code, out, _ = run(capsys, "report", "--json")
    assert code == 0
    (entry,) = json.loads(out)["trainees"]
    assert [r["case_key"] for r in entry["review"]] == ["2", "3"]
    for r, minutes in zip(entry["review"], (1, 2), strict=True):
        due = dt.datetime.fromisoformat(r["due"])
        assert due.utcoffset() == dt.timedelta(0)
        assert due - dt.datetime.fromtimestamp(at + 60 * minutes, dt.UTC) == dt.timedelta(days=1)


def test_everyone_without_trainee(capsys: pytest.CaptureFixture[str], history: None) -> None:
    code, out, _ = run(capsys, "report")
    assert code == 0 and "Ana: 3 finished" in out and "Ben: 1 finished" in out


def test_since_a_later_date(capsys: pytest.CaptureFixture[str], history: None) -> None:
    code, out, _ = run(capsys, "report", "--trainee", "Ana", "--since", "2030-01-01")
    assert code == 0 and "No finished cases yet for Ana since 2030-01-01" in out
    code, _, err = run(capsys, "report", "--since", "last week")
    assert code == 2 and "YYYY-MM-DD" in err


def test_exports(capsys: pytest.CaptureFixture[str], history: None, tmp_path: Path) -> None:
    xlsx, csv, imrmc = tmp_path / "r.xlsx", tmp_path / "r.csv", tmp_path / "r.imrmc"
    code, out, _ = run(capsys, "report", "--export", str(xlsx), "--imrmc", str(imrmc))
    assert code == 0 and f"Wrote {xlsx}" in out
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets["Summary"]["trainee"]) == {"Ana", "Ben"}
    attempts = sheets["Attempts"]
    assert len(attempts) == 4  # finished cases only
    assert list(attempts["older_dataset_version"]).count(True) == 1
    assert "BEGIN DATA:" in imrmc.read_text()
    assert run(capsys, "report", "--trainee", "Ben", "--export", str(csv))[0] == 0
    assert len(pd.read_csv(csv)) == 1
    code, _, err = run(capsys, "report", "--export", str(tmp_path / "r.txt"))
    assert code == 2 and ".xlsx or .csv" in err


def test_imrmc_under_another_name_gets_imrmc_added_and_says_so(
    capsys: pytest.CaptureFixture[str], history: None, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "report", "--imrmc", str(tmp_path / "study.txt"))
    assert code == 0
    assert "study.txt does not end in .imrmc" in err and "study.txt.imrmc" in err
    assert f"Wrote {tmp_path / 'study.txt.imrmc'}" in out and "study.txt.readers.csv" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "study.txt.cases.csv", "study.txt.imrmc", "study.txt.readers.csv"]


def test_export_to_an_unwritable_place(
    capsys: pytest.CaptureFixture[str], history: None, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "report", "--export", str(blocker / "r.xlsx"))
    assert code == 2 and "is a file, not a folder" in err


def test_report_help_prints_a_plain_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(["report", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(95 % intervals)" in out and "%%" not in out


def test_figures_count_the_latest_answer_per_case_unless_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A case read twice counts once (its latest answer), as on the dashboard, and the
    output says how many earlier answers were left out; --every-answer counts them all."""
    record("Cy", [("1", M, N, True, "fp"), ("2", N, N, True, "fp")])
    record("Cy", [("1", M, M, True, "fp")])
    code, out, _ = run(capsys, "report", "--trainee", "Cy")
    assert code == 0
    assert "Accuracy:           100 % " in out and "1 earlier answer(s)" in out
    _, out, _ = run(capsys, "report", "--trainee", "Cy", "--json")
    (cy,) = json.loads(out)["trainees"]
    assert cy["counted"] == "latest answer per case"
    assert cy["earlier_answers_not_counted"] == 1 and cy["finished_cases"] == 3
    assert cy["summary"]["n_answered"] == 2
    _, out, _ = run(capsys, "report", "--trainee", "Cy", "--every-answer", "--json")
    (cy,) = json.loads(out)["trainees"]
    assert cy["counted"] == "every answer" and cy["summary"]["n_answered"] == 3


def test_help_prints_a_plain_percent(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(["report", "--help"])
    out = capsys.readouterr().out
    assert "95 % intervals" in out and "%%" not in out


def test_statements_waiting_to_be_sent_per_trainee(capsys: pytest.CaptureFixture[str]) -> None:
    """Answers given while an LRS was configured wait in the outbox until it takes them."""
    from bonescan_tutor.storage.progress import StatementOptions

    spec = QuizSpec(id="q", title="P", case_keys=("1", "2"), mode=QuizMode.PRACTICE)
    with ProgressStore.open() as store:
        store.statements = StatementOptions()
        ana = store.get_or_create_trainee("Ana")
        sid = store.start_session(ana, spec, "Tiny", "fp")
        for i, key in enumerate(("1", "2")):
            attempt = Answer(key, i + 1, M, 80, 100.0 + i, 105.0 + i, 5.0)
            store.record_attempt(sid, attempt, M, "fp", label_shown=True)
        store.statements = None  # Ben answered with no LRS configured: nothing waits
        ben = store.get_or_create_trainee("Ben")
        sid = store.start_session(ben, spec, "Tiny", "fp")
        store.record_attempt(sid, Answer("1", 1, M, 80, 100.0, 105.0, 5.0), M, "fp",
                             label_shown=True)
    code, out, _ = run(capsys, "report", "--json")
    assert code == 0
    waiting = {t["trainee"]: t["statements_waiting"] for t in json.loads(out)["trainees"]}
    assert waiting == {"Ana": 3, "Ben": 0}  # attempted + two answered
    code, out, _ = run(capsys, "report")
    assert "3 statement(s) waiting to be sent to the Learning Record Store" in out
    assert out.count("waiting to be sent") == 1
