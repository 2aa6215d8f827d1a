"""Cohorts: bad files reported by name, the rest merged; item analysis checked by hand."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_session import QuizSession
from bonescan_tutor.storage.cohort import item_analysis, load_cohort, most_missed, trainee_summaries
from bonescan_tutor.storage.cohort_workbook import accuracy_histogram, write_cohort_workbook
from bonescan_tutor.storage.export import ExportError
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import checksum_of, write_results
from tests.builders import Spec, build
from tests.storage.instructor_data import M, N, quiz_set, write_trainee

TRUTHS = {"1": M, "7": N, "8": N}
# Totals: Ana 3, Ben 2, Cy 1, Dee 0 (Cy leaves case 8 unanswered).
ANSWERS = {
    "Ana": {"1": M, "7": N, "8": N},
    "Ben": {"1": M, "7": M, "8": N},
    "Cy": {"1": N, "7": N, "8": None},
    "Dee": {"1": N, "7": M, "8": M},
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "results"
    qs = quiz_set(keys=("1", "7", "8"))
    for minute, (name, answers) in enumerate(ANSWERS.items()):
        write_trainee(qs, out, name, answers, TRUTHS, minute)
    return out


def test_item_analysis_by_hand(folder: Path) -> None:
    cohort = load_cohort([folder])
    assert cohort.trainees == ("Ana", "Ben", "Cy", "Dee") and cohort.problems == []
    stats = {s.case_key: s for s in item_analysis(cohort)}
    one = stats["1"]
    # Case 1 correct for Ana, Ben; wrong for Cy, Dee -> difficulty 2/4.
    assert one.n == 4 and one.difficulty == pytest.approx(0.5)
    # 27 % of 4 trainees rounds to 1: upper = Ana (3), lower = Dee (0) -> 1 - 0.
    assert one.discrimination == pytest.approx(1.0)
    # Pearson of x = [1, 1, 0, 0] with totals y = [3, 2, 1, 0]:
    # cov = mean((x - .5)(y - 1.5)) = (.75 + .25 + .25 + .75) / 4 = .5; sd_x = .5;
    # sd_y = sqrt((2.25 + .25 + .25 + 2.25) / 4) = sqrt(1.25) -> r = .5 / (.5 sqrt(1.25)).
    assert one.point_biserial == pytest.approx(1 / math.sqrt(1.25))
    assert one.point_biserial_corrected == pytest.approx(1 / math.sqrt(2))
    assert one.answer_spread == {"metastases": 2, "no_metastases": 2, "unanswered": 0}
    assert one.mean_certainty == pytest.approx(80.0)
    eight = stats["8"]
    assert eight.answer_spread == {"metastases": 1, "no_metastases": 2, "unanswered": 1}
    assert eight.difficulty == pytest.approx(0.5)  # the unanswered case counts as wrong
    assert eight.truth is Diagnosis.NO_METASTASES
    seven = stats["7"]  # correct for Ana and Cy: upper 1, lower 0
    assert seven.difficulty == pytest.approx(0.5) and seven.discrimination == pytest.approx(1.0)


def test_equal_totals_give_no_discrimination(tmp_path: Path) -> None:
    qs = quiz_set(keys=("1", "7"))
    write_trainee(qs, tmp_path, "Ana", {"1": M, "7": M}, TRUTHS, 0)
    write_trainee(qs, tmp_path, "Ben", {"1": N, "7": N}, TRUTHS, 1)
    stats = item_analysis(load_cohort([tmp_path]))
    assert all(s.discrimination is None and s.point_biserial is None for s in stats)


def test_most_missed_orders_hardest_first(folder: Path) -> None:
    cohort = load_cohort([folder])
    qs = quiz_set(keys=("1", "7", "8"))
    write_trainee(qs, folder, "Eve", {"1": N, "7": N, "8": N}, TRUTHS, 9)
    cohort = load_cohort([folder])
    worst = most_missed(cohort, 2)
    assert cohort.most_missed(2) == worst
    assert [s.case_key for s in worst] == ["1", "7"]  # 2/5 correct, then 3/5 (key order)
    assert worst[0].difficulty == pytest.approx(0.4)


def test_bad_files_are_named_and_the_rest_merged(folder: Path, tmp_path: Path) -> None:
    files = sorted(folder.iterdir())
    ana = next(f for f in files if "-ana-" in f.name)
    shutil.copy(ana, folder / "zz-copy-of-ana.bstresult")  # duplicate
    (folder / "notes.txt").write_text("bring coffee")  # unrelated
    (folder / "cut.bstresult").write_bytes(ana.read_bytes()[:200])  # truncated
    edited = json.loads(next(f for f in files if "-dee-" in f.name).read_text())
    edited["trainee"] = "Zed"
    (folder / "edited.bstresult").write_text(json.dumps(edited))
    write_trainee(
        quiz_set(keys=("1", "7"), qid="quiz-2", title="Week 2"),
        folder,
        "Fay",
        {"1": M, "7": N},
        TRUTHS,
        30,
    )
    old = json.loads(next(f for f in files if "-cy-" in f.name).read_text())
    old.pop("checksum")
    old["app_version"], old["trainee"] = "0.0.1", "Gus"
    old["checksum"] = checksum_of(old)
    (folder / "gus-old.bstresult").write_text(json.dumps(old))

    cohort = load_cohort([folder])
    assert cohort.trainees == ("Ana", "Ben", "Cy", "Dee", "Gus")
    problems = {p.path.name: p.message for p in cohort.problems}
    assert set(problems) == {
        "zz-copy-of-ana.bstresult",
        "notes.txt",
        "cut.bstresult",
        "edited.bstresult",
        next(f.name for f in folder.iterdir() if "-fay-" in f.name),
    }
    assert "duplicate of" in problems["zz-copy-of-ana.bstresult"]
    assert "truncated" in problems["cut.bstresult"]
    assert "edited or damaged" in problems["edited.bstresult"]
    assert "not a results file" in problems["notes.txt"]
    fay = next(m for n, m in problems.items() if "-fay-" in n)
    assert "another quiz set" in fay and "Week 2" in fay
    assert any(
        "gus-old.bstresult" in n and "older bonescan-tutor (0.0.1)" in n for n in cohort.notes
    )


def test_a_trainee_sending_twice_counts_once_with_the_latest(folder: Path) -> None:
    qs = quiz_set(keys=("1", "7", "8"))
    write_trainee(qs, folder, "ana", {"1": N, "7": M, "8": M}, TRUTHS, 50)
    cohort = load_cohort([folder])
    assert len(cohort.results) == 4
    ana = next(r for r in cohort.results if r.trainee.casefold() == "ana")
    assert all(not a.correct for a in ana.attempts)
    [several] = cohort.duplicates
    assert several.used == ana.path and len(several.files) == 2


def test_missing_path_and_empty_cohort(tmp_path: Path) -> None:
    cohort = load_cohort([tmp_path / "nowhere"])
    assert cohort.results == () and "no such file" in cohort.problems[0].message


def test_workbook_sheets_numbers_charts_and_thumbnails(folder: Path, tmp_path: Path) -> None:
    cohort = load_cohort([folder])
    buf = io.BytesIO()
    Image.new("L", (32, 128), 200).save(buf, format="PNG")
    out = write_cohort_workbook(cohort, tmp_path / "cohort.xlsx", {"1": buf.getvalue()})
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["Summary", "Trainees", "Items", "Most missed", "Answers"]
    trainees = sheets["Trainees"].set_index("trainee")
    for name, s in trainee_summaries(cohort).items():
        assert trainees.loc[name, "accuracy"] == pytest.approx(s.metrics.accuracy.estimate)
        assert trainees.loc[name, "sensitivity"] == pytest.approx(s.metrics.sensitivity.estimate)
    items = sheets["Items"].set_index("case_key")
    assert items.loc[1, "difficulty"] == pytest.approx(0.5)
    assert items.loc[1, "point_biserial_uncorrected"] == pytest.approx(1 / math.sqrt(1.25))
    # item-rest: x = [1, 1, 0, 0] with rest scores [2, 1, 1, 0] -> .25 / (.5 sqrt(.5))
    assert items.loc[1, "point_biserial_corrected"] == pytest.approx(1 / math.sqrt(2))
    answers = sheets["Answers"].set_index("trainee")
    assert list(answers.columns[:4]) == ["correct", "1", "7", "8"]
    assert answers.loc["physician", "1"] == "M" and answers.loc["physician", "8"] == "N"
    assert answers.loc["Cy", "8"] == "-" and answers.loc["Ben", "7"] == "M80"
    assert answers.loc["Ana", "correct"] == 3 and answers.loc["Dee", "correct"] == 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) == 3
    assert any(n.startswith("xl/media/") for n in names)


def test_workbook_to_an_unwritable_path(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="blocker"):
        write_cohort_workbook(load_cohort([folder]), blocker / "c.xlsx")
    assert not list(blocker.parent.glob(".bst-partial-*"))


def test_accuracy_histogram_bins() -> None:
    bins = dict(accuracy_histogram([0.0, 0.05, 0.5, 0.99, 1.0]))
    assert bins["0-10 %"] == 2 and bins["50-60 %"] == 1 and bins["90-100 %"] == 2


def test_three_trainees_take_a_quiz_set_end_to_end(tmp_path: Path) -> None:
    """Quiz set on a built dataset -> QuizSession -> ProgressStore -> results -> cohort."""
    from bonescan_tutor.datasets.detect import open_dataset

    dataset, _ = open_dataset(build(tmp_path / "ds", Spec(n_met=2, n_normal=3)))
    spec = QuizSpec.create("Scripted", ("1", "2", "3", "4"), QuizMode.EXAM, seed=5)
    qs = QuizSet.for_dataset(spec, dataset, results_folder=str(tmp_path / "inbox"))
    # Decisions per trainee for case "1" (metastatic): two right, one wrong.
    plan = {"Ana": M, "Ben": M, "Cy": N}
    with ProgressStore.open(tmp_path / "progress.sqlite3") as store:
        for name, on_case_1 in plan.items():
            trainee = store.get_or_create_trainee(name)
            sid = store.start_session(trainee, spec, dataset.name, dataset.fingerprint)
            session = QuizSession(spec, name)
            now = 100.0
            session.start(now)
            for _ in range(session.total):
                key = session.current_case_key
                truth = dataset.case(key).diagnosis
                decision = on_case_1 if key == "1" else truth
                now += 3
                attempt = session.answer(decision, 90, now)
                store.record_attempt(sid, attempt, truth, dataset.fingerprint)
                if session.unanswered_positions():
                    session.next(now)
            session.submit(now)
            store.finish_session(sid, submitted=True)
            write_results(qs, name, store.attempts(session_id=sid))
    cohort = load_cohort([tmp_path / "inbox"])
    assert cohort.trainees == ("Ana", "Ben", "Cy") and cohort.problems == []
    one = next(s for s in item_analysis(cohort) if s.case_key == "1")
    # Hand count: 3 trainees, 2 right -> 2/3; Cy (lowest total, 3) is the lower group.
    assert one.n == 3 and one.difficulty == pytest.approx(2 / 3)
    assert one.answer_spread == {"metastases": 2, "no_metastases": 1, "unanswered": 0}
    assert one.discrimination == pytest.approx(1.0)
    assert one.mean_certainty == pytest.approx(90.0)
    cy = trainee_summaries(cohort)["Cy"]
    assert cy.metrics.accuracy.k == 3 and cy.metrics.accuracy.n == 4


def test_most_missed_never_lists_a_case_everyone_got_right(tmp_path: Path) -> None:
    qs = quiz_set(keys=("1", "7", "8"))
    truths = {"1": M, "7": N, "8": N}
    for i, name in enumerate(("Ana", "Ben")):  # both right on 1 and 8, Ben wrong on 7
        write_trainee(qs, tmp_path, name, {"1": M, "7": N if name == "Ana" else M, "8": N},
                      truths, i + 1)
    cohort = load_cohort([tmp_path])
    assert [s.case_key for s in most_missed(cohort, 10)] == ["7"]


def test_hostile_files_are_listed_and_the_rest_merged(folder: Path) -> None:
    ana = next(f for f in folder.iterdir() if "-ana-" in f.name)
    text = ana.read_text()
    (folder / "huge-number.bstresult").write_text(
        text.replace('"time_on_case_s": 5.0', '"time_on_case_s": ' + "9" * 5000, 1)
    )
    (folder / "deep.bstresult").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "list.bstresult").write_text("[1, 2]")
    (folder / "bom.bstresult").write_bytes(b"\xef\xbb\xbf" + text.encode())
    os.mkfifo(folder / "pipe.bstresult")  # opening it would wait for a writer forever
    cohort = load_cohort([folder])
    assert cohort.trainees == ("Ana", "Ben", "Cy", "Dee")
    problems = {p.path.name: p.message for p in cohort.problems}
    assert "5000 characters long" in problems["huge-number.bstresult"]
    assert "levels deep" in problems["deep.bstresult"]
    assert "not a bonescan-tutor results file" in problems["list.bstresult"]
    assert "not a regular file" in problems["pipe.bstresult"]
    assert "duplicate of bom.bstresult" in problems[ana.name]  # the BOM copy read fine
