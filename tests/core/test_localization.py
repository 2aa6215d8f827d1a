"""Localization scoring: hits within radius + tolerance, LLF, NLF and RJafroc's wAFROC FOM,
on examples worked out by hand (the arithmetic is written beside each)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.answers import p_metastases
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.localization import TOLERANCE_PX, ReadCase, score_marks

A, P = Projection.ANTERIOR, Projection.POSTERIOR


def lesion(x: float, y: float, r: float = 10.0, view: Projection = A) -> Mark:
    return Mark(view, x, y, r)


def ann(cases: dict[str, CaseAnnotations]) -> AnnotationSet:
    return AnnotationSet("D", "f", cases)


def test_a_mark_hits_within_radius_plus_tolerance_on_the_same_view_only() -> None:
    truth = ann({"1": CaseAnnotations(lesions=(lesion(100, 100, 10),))})
    reach = 10 + TOLERANCE_PX  # 15 px

    def hit(marks: tuple[tuple[Projection, float, float], ...]) -> int:
        loc, _ = score_marks([ReadCase("1", True, 90.0, marks)], truth)
        return loc.lesions_hit

    assert hit(((A, 100 + reach, 100),)) == 1  # exactly on the edge of reach
    assert hit(((A, 100 + 9, 100 + 12),)) == 1  # sqrt(81 + 144) = 15
    assert hit(((A, 100 + reach + 0.01, 100),)) == 0
    assert hit(((P, 100, 100),)) == 0  # same pixel, other view
    assert hit(()) == 0


def test_a_mark_goes_to_the_nearest_lesion_and_a_lesion_counts_once() -> None:
    truth = ann({"1": CaseAnnotations(lesions=(lesion(100, 100), lesion(120, 100)))})
    # mark 1 at x 112 is within reach of both (12 and 8 px): the nearer, lesion 2.
    # mark 2 at x 121 also hits lesion 2: a second mark on a localized lesion is an NL.
    loc, scores = score_marks([ReadCase("1", True, 70.0, ((A, 112, 100), (A, 121, 100)))], truth)
    assert scores.lesion.tolist() == [2, 0]
    assert (loc.lesions, loc.lesions_hit, loc.nl_marks) == (2, 1, 1)
    assert loc.llf == 0.5  # 1 of 2 lesions
    assert loc.nlf == 1.0  # 1 NL on 1 case


def test_llf_nlf_and_wafroc_on_a_hand_worked_example() -> None:
    """Four answered cases, two normal (N1, N2), two metastatic (M1 with 2 lesions, M2 with 1).

    Ratings are P(metastases) x 100 of each answer:
      N1 "metastases, 70 %"     -> 70, one mark far from anything          -> NL rated 70
      N2 "no metastases, 90 %"  -> 10, no mark                             -> FP(N2) = -inf
      M1 "metastases, 80 %"     -> 80, marks on lesion 1 and on empty bone -> LL(M1,1) = 80,
                                                                              LL(M1,2) = -inf, 1 NL
      M2 "no metastases, 60 %"  -> 40, a mark on its lesion                -> LL(M2,1) = 40
    FP(N1) = 70 (its highest NL). Weights 1/2, 1/2 on M1, 1 on M2.
    psi(FP, LL): 1 if FP < LL, 0.5 if equal, 0 if above.
      M1 l1 (80): vs 70 -> 1, vs -inf -> 1      : 0.5 * 2   = 1.0
      M1 l2 (-inf): vs 70 -> 0, vs -inf -> 0.5  : 0.5 * 0.5 = 0.25
      M2 l1 (40): vs 70 -> 0, vs -inf -> 1      : 1.0 * 1   = 1.0
    wAFROC = (1.0 + 0.25 + 1.0) / (K1 * K2 = 2 * 2) = 2.25 / 4 = 0.5625
    LLF = 2 hit / 3 lesions; NLF = 2 NLs (N1, M1) / 4 cases = 0.5.
    """
    truth = ann({
        "M1": CaseAnnotations(lesions=(lesion(100, 100), lesion(100, 300))),
        "M2": CaseAnnotations(lesions=(lesion(50, 500, 8, P),)),
    })
    cases = [
        ReadCase("N1", False, 100 * p_metastases(True, 70), ((A, 10, 10),)),
        ReadCase("N2", False, 100 * p_metastases(False, 90)),
        ReadCase("M1", True, 100 * p_metastases(True, 80), ((A, 101, 99), (A, 200, 900))),
        ReadCase("M2", True, 100 * p_metastases(False, 60), ((P, 52, 497),)),
    ]
    loc, scores = score_marks(cases, truth)
    assert scores.rating.tolist() == pytest.approx([70, 80, 80, 40])
    assert scores.lesion.tolist() == [0, 1, 0, 1]
    assert (loc.cases, loc.normal_cases, loc.metastatic_cases) == (4, 2, 2)
    assert (loc.lesions, loc.lesions_hit, loc.nl_marks) == (3, 2, 2)
    assert loc.llf == pytest.approx(2 / 3)
    assert loc.nlf == pytest.approx(0.5)
    assert loc.wafroc == pytest.approx(0.5625)


def test_marks_on_one_case_tie_and_wafroc_counts_a_tie_as_half() -> None:
    """N1 rated 80 with an NL; M1 rated 80 with its one lesion hit.
    psi(80, 80) = 0.5, K1 = K2 = 1, W = 1: wAFROC = 0.5 / 1 = 0.5.
    Missed instead: psi(80, -inf) = 0 -> 0. Both unmarked: psi(-inf, -inf) = 0.5 -> 0.5."""
    truth = ann({"M1": CaseAnnotations(lesions=(lesion(100, 100),))})

    def fom(n_marks: tuple, m_marks: tuple) -> float | None:
        loc, _ = score_marks([ReadCase("N1", False, 80.0, n_marks),
                              ReadCase("M1", True, 80.0, m_marks)], truth)
        return loc.wafroc

    assert fom(((A, 5, 5),), ((A, 100, 100),)) == 0.5
    assert fom(((A, 5, 5),), ((A, 200, 700),)) == 0.0
    assert fom((), ()) == 0.5
    assert fom((), ((A, 100, 100),)) == 1.0  # psi(-inf, 80) = 1


def test_a_metastatic_case_without_annotations_is_left_out_and_listed() -> None:
    """M2 has no annotation (M3 only a finding): both leave the localization figures.
    Left: N1 (no mark) and M1 (lesion hit, rated 90): wAFROC = psi(-inf, 90) = 1 / (1 * 1)."""
    truth = ann({"M1": CaseAnnotations(lesions=(lesion(100, 100),)),
                 "M3": CaseAnnotations(findings=(Mark(A, 30, 30, 5, kind="fracture"),))})
    loc, scores = score_marks([
        ReadCase("N1", False, 10.0),
        ReadCase("M1", True, 90.0, ((A, 100, 100),)),
        ReadCase("M2", True, 90.0, ((A, 1, 1),)),
        ReadCase("M3", True, 90.0, ((A, 30, 30),)),
    ], truth)
    assert loc.unannotated == ("M2", "M3")
    assert (loc.cases, loc.lesions, loc.nl_marks, loc.wafroc) == (2, 1, 0, 1.0)
    assert [c.case_key for c in scores.cases] == ["N1", "M1"]


def test_a_false_mark_on_a_benign_look_alike_is_counted_for_teaching() -> None:
    truth = ann({"N1": CaseAnnotations(findings=(Mark(A, 60, 800, 12, kind="degenerative joint"),))})
    loc, scores = score_marks([ReadCase("N1", False, 60.0, ((A, 65, 805), (A, 200, 100)))], truth)
    assert scores.on_finding.tolist() == [True, False]
    assert (loc.nl_marks, loc.nl_on_findings) == (2, 1)
    assert loc.llf is None and loc.wafroc is None  # no lesion, no metastatic case


def _rjafroc_wafroc(nl: list[list[float]], ll: list[list[float]]) -> float:
    """A line-by-line transcription of RJafroc's wAFROC (src/MyFOM.cpp), equal weights:
    ``nl`` the NL ratings of each normal case, ``ll`` each metastatic case's lesion ratings
    (-inf = missed)."""
    ret = 0.0
    for lesions in ll:
        for normal in nl:
            for rating in lesions:
                fp = max(normal, default=-math.inf)
                psi = 1.0 if fp < rating else 0.5 if fp == rating else 0.0
                ret += psi / len(lesions)
    return ret / (len(nl) * len(ll))


def test_wafroc_equals_rjafrocs_loop_on_random_readings() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        cases, truth = [], {}
        nl: list[list[float]] = []
        ll: list[list[float]] = []
        for i in range(int(rng.integers(2, 12))):
            rating = float(rng.choice([0, 10, 20, 50, 80, 100]))
            if rng.random() < 0.5:
                marks = tuple((A, float(5 * j), 5.0) for j in range(int(rng.integers(0, 3))))
                cases.append(ReadCase(f"N{i}", False, rating, marks))
                nl.append([rating] * len(marks))
            else:
                n_les = int(rng.integers(1, 4))
                truth[f"M{i}"] = CaseAnnotations(
                    lesions=tuple(lesion(100, 100 + 100 * j, 5) for j in range(n_les)))
                found = rng.random(n_les) < 0.5
                marks = tuple((A, 100.0, 100.0 + 100 * j) for j in range(n_les) if found[j])
                cases.append(ReadCase(f"M{i}", True, rating, marks))
                ll.append([rating if f else -math.inf for f in found])
        loc, _ = score_marks(cases, ann(truth))
        if nl and ll:
            assert loc.wafroc == pytest.approx(_rjafroc_wafroc(nl, ll))
        else:
            assert loc.wafroc is None


def test_operating_points_on_the_hand_worked_example() -> None:
    """The four cases of the wAFROC example: NLs rated 70 (N1) and 80 (M1); LLs M1 l1 at 80
    (weight 1/2) and M2 l1 at 40 (weight 1); 3 lesions, 4 cases, K1 = K2 = 2.
      t = 80: NLF 1/4, LLF 1/3, FPF 0/2 (N1's highest NL is 70), wLLF 0.5/2
      t = 70: NLF 2/4, LLF 1/3, FPF 1/2,                         wLLF 0.5/2
      t = 40: NLF 2/4, LLF 2/3, FPF 1/2,                         wLLF 1.5/2
    wAFROC area: (0,0)-(0,.25)-(.5,.25)-(.5,.75)-(1,1) by trapezoids
      = 0 + .5 * .25 + 0 + .5 * (.75 + 1) / 2 = .125 + .4375 = .5625, the FOM."""
    from bonescan_tutor.core.localization import operating_points

    truth = ann({
        "M1": CaseAnnotations(lesions=(lesion(100, 100), lesion(100, 300))),
        "M2": CaseAnnotations(lesions=(lesion(50, 500, 8, P),)),
    })
    loc, scores = score_marks([
        ReadCase("N1", False, 70.0, ((A, 10, 10),)),
        ReadCase("N2", False, 10.0),
        ReadCase("M1", True, 80.0, ((A, 101, 99), (A, 200, 900))),
        ReadCase("M2", True, 40.0, ((P, 52, 497),)),
    ], truth)
    pts = operating_points(scores)
    assert pts.threshold.tolist() == [math.inf, 80, 70, 40]
    assert pts.nlf.tolist() == pytest.approx([0, 1 / 4, 2 / 4, 2 / 4])
    assert pts.llf.tolist() == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3])
    assert pts.fpf.tolist() == pytest.approx([0, 0, 1 / 2, 1 / 2])
    assert pts.wllf.tolist() == pytest.approx([0, 0.25, 0.25, 0.75])
    x = np.append(pts.fpf, 1.0)
    y = np.append(pts.wllf, 1.0)
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    assert area == pytest.approx(loc.wafroc) == pytest.approx(0.5625)


def test_the_wafroc_curve_area_is_the_fom_on_random_readings() -> None:
    from bonescan_tutor.core.localization import operating_points

    rng = np.random.default_rng(9)
    for _ in range(30):
        cases, truth = [], {}
        for i in range(int(rng.integers(2, 14))):
            rating = float(rng.choice([0, 10, 20, 50, 80, 100]))
            if rng.random() < 0.5:
                marks = tuple((A, float(5 * j), 5.0) for j in range(int(rng.integers(0, 3))))
                cases.append(ReadCase(f"N{i}", False, rating, marks))
            else:
                n_les = int(rng.integers(1, 4))
                truth[f"M{i}"] = CaseAnnotations(
                    lesions=tuple(lesion(100, 100 + 100 * j, 5) for j in range(n_les)))
                marks = tuple((A, 100.0, 100.0 + 100 * j) for j in range(n_les)
                              if rng.random() < 0.5)
                cases.append(ReadCase(f"M{i}", True, rating, marks))
        loc, scores = score_marks(cases, ann(truth))
        if loc.wafroc is None:
            continue
        pts = operating_points(scores)
        x, y = np.append(pts.fpf, 1.0), np.append(pts.wllf, 1.0)
        assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= -1e-12)
        area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
        assert area == pytest.approx(loc.wafroc)
