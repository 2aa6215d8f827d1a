"""Item analysis: both point-biserials against scipy, and a 27 % cut that ignores names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import pointbiserialr

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.storage.cohort import load_cohort
from bonescan_tutor.storage.item_analysis import group_weights, item_analysis
from tests.storage.instructor_data import M, N, quiz_set, write_trainee


def _cohort(tmp_path: Path, answers: dict[str, dict[str, Diagnosis | None]],
            truths: dict[str, Diagnosis]):
    qs = quiz_set(keys=tuple(truths))
    for minute, (name, decisions) in enumerate(answers.items()):
        write_trainee(qs, tmp_path, name, decisions, truths, minute)
    cohort = load_cohort([tmp_path])
    assert cohort.problems == []
    return cohort


def test_both_point_biserials_equal_scipy(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    keys = [str(k) for k in range(1, 13)]
    truths = {k: (M if i % 2 else N) for i, k in enumerate(keys)}
    ability = np.linspace(0.3, 0.9, 14)
    answers = {}
    for t, p in enumerate(ability):
        answers[f"Trainee {t:02d}"] = {
            k: truths[k] if rng.random() < p else (N if truths[k] is M else M) for k in keys
        }
    cohort = _cohort(tmp_path, answers, truths)
    correct = np.array([[1.0 if a.correct else 0.0 for a in sorted(
        r.attempts, key=lambda a: int(a.case_key))] for r in cohort.results])
    totals = correct.sum(axis=1)
    checked = 0
    for j, s in enumerate(sorted(item_analysis(cohort), key=lambda s: int(s.case_key))):
        item = correct[:, j]
        if item.std() == 0:
            assert s.point_biserial is None and s.point_biserial_corrected is None
            continue
        rest = totals - item
        assert s.point_biserial_corrected == pytest.approx(pointbiserialr(item, rest)[0], abs=1e-12)
        assert s.point_biserial == pytest.approx(pointbiserialr(item, totals)[0], abs=1e-12)
        assert s.point_biserial_corrected < s.point_biserial  # the item no longer inflates it
        checked += 1
    assert checked >= 8
    assert {"point_biserial", "point_biserial_corrected"} <= set(item_analysis(cohort)[0].as_dict())


# Totals: Ana 3; Ben, Cy and Dee 1 each, each right on a different case. With 4
# trainees each group holds round(0.27 * 4) = 1 trainee, and three are tied for the
# lower place.
TRUTHS = {"1": M, "7": N, "8": N}
TIED = {
    "Ana": {"1": M, "7": N, "8": N},
    "Ben": {"1": M, "7": M, "8": M},  # right on 1 only
    "Cy": {"1": N, "7": N, "8": M},  # right on 7 only
    "Dee": {"1": N, "7": M, "8": N},  # right on 8 only
}


def test_trainees_tied_at_the_cut_share_the_group(tmp_path: Path) -> None:
    stats = item_analysis(_cohort(tmp_path, TIED, TRUTHS))
    # Upper: Ana (all right). Lower: Ben, Cy, Dee at 1/3 each, one of them right.
    assert [s.discrimination for s in stats] == pytest.approx([1 - 1 / 3] * 3)


def test_renaming_tied_trainees_changes_nothing(tmp_path: Path) -> None:
    before = item_analysis(_cohort(tmp_path / "a", TIED, TRUTHS))
    renamed = {"Ana": TIED["Ana"], "Zoe": TIED["Ben"], "Bob": TIED["Cy"], "Aaron": TIED["Dee"]}
    after = item_analysis(_cohort(tmp_path / "b", renamed, TRUTHS))
    assert [s.as_dict() for s in after] == [s.as_dict() for s in before]


@pytest.mark.parametrize(
    ("totals", "k", "upper", "expected"),
    [
        ([5, 4, 3, 2, 1], 1, True, [1, 0, 0, 0, 0]),
        ([5, 4, 3, 2, 1], 1, False, [0, 0, 0, 0, 1]),
        ([5, 5, 3, 2], 1, True, [0.5, 0.5, 0, 0]),
        ([6, 5, 5, 5, 1, 0, 0], 2, True, [1, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0]),
        ([6, 5, 5, 5, 1, 0, 0], 2, False, [0, 0, 0, 0, 0, 1, 1]),
        ([6, 5, 1, 1, 1], 2, False, [0, 0, 2 / 3, 2 / 3, 2 / 3]),
        ([2, 2, 2], 0, True, [0, 0, 0]),
    ],
)
def test_group_weights(totals: list[float], k: int, upper: bool, expected: list[float]) -> None:
    w = group_weights(np.array(totals, dtype=float), k, upper=upper)
    assert w == pytest.approx(expected)
    assert w.sum() == pytest.approx(k)
