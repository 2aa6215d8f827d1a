"""Localization scoring: which of a trainee's click marks found an expert's lesions.

Each answered case brings the trainee's marks (view, x, y in image pixels) and one
rating, the case's P(metastases) x 100 from the decision and certainty
(``core.answers.p_metastases``): every mark on a case carries that rating, so marks on
one case tie. Against the case annotations (``core.annotations``):

- a mark **hits** a lesion when it lies on the same view within the lesion's radius plus
  ``TOLERANCE_PX`` pixels of its centre (the tolerance allows for the size of a click,
  ~1 cm at IICS-UNA's 2.07 mm per pixel). A mark within reach of several lesions goes to
  the nearest. A lesion hit by several marks counts once, as one lesion localization
  (LL); its other marks are non-lesion localizations (NL), as is every mark that hits no
  lesion (the usual FROC scoring: one LL per lesion).
- **LLF** (lesion localization fraction) = lesions hit / lesions; **NLF** = NL marks /
  cases (normal and metastatic), both over the cases scored.
- **wAFROC figure of merit**, RJafroc's definition (Chakraborty; ``wAFROC`` in
  ``src/MyFOM.cpp`` of https://github.com/dpc10ster/RJafroc)::

      FOM = 1/(K1 K2) * sum_k2 sum_l W[k2,l] * sum_k1 psi(FP[k1], LL[k2,l])

  over the K1 normal and K2 metastatic cases, where FP[k1] is the highest NL rating on
  normal case k1 (-inf when it has no mark), LL[k2,l] the rating of lesion l of case k2
  (-inf when missed), psi(a, b) = 1 if a < b, 0.5 if a == b (so -inf against -inf is
  0.5), else 0, and W[k2,l] = 1/(lesions of k2), RJafroc's weights when none are given
  (``checkTruthTable`` in ``R/DfReadDataFile.R``). NLs on metastatic cases do not enter it.

Which cases are scored: answered ones (a case without a decision has no rating).
A metastatic case without annotated lesions has no target, so it is left out of the
localization figures and listed in ``Localization.unannotated``; it still counts at case
level. A normal case needs no annotation: every mark on it is an NL. Marks that are NLs
and fall on an annotated benign look-alike (a finding, same reach rule) are counted
separately as well, for teaching.

Pure numpy, no Qt: scoring is vectorized over all marks at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bonescan_tutor.core.annotations import AnnotationSet, Mark
from bonescan_tutor.core.cases import Projection

TOLERANCE_PX = 5.0
"""Pixels added to a lesion's radius when deciding whether a mark hits it."""


@dataclass(frozen=True)
class ReadCase:
    """One answered case as scored: its label, the trainee's rating and marks."""

    case_key: str
    metastatic: bool
    rating: float  # P(metastases) x 100 of the answer
    marks: tuple[tuple[Projection, float, float], ...] = ()


@dataclass(frozen=True, eq=False)
class MarkScores:
    """Every scored mark, in input order: its case (index into ``cases``), the lesion it
    localizes (1-based lesion number; 0 for an NL), whether it falls on a benign finding,
    and its rating; ``case_lesions`` is the number of lesions of each scored case."""

    cases: tuple[ReadCase, ...]
    case_index: NDArray[np.intp]
    lesion: NDArray[np.intp]
    on_finding: NDArray[np.bool_]
    rating: NDArray[np.float64]
    case_lesions: NDArray[np.intp]


@dataclass(frozen=True)
class Localization:
    """A trainee's localization figures over the scored cases."""

    cases: int
    normal_cases: int
    metastatic_cases: int
    lesions: int
    lesions_hit: int
    nl_marks: int
    nl_on_findings: int
    llf: float | None
    nlf: float | None
    wafroc: float | None
    unannotated: tuple[str, ...]
    tolerance_px: float = TOLERANCE_PX

    def as_dict(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "normal_cases": self.normal_cases,
            "metastatic_cases": self.metastatic_cases,
            "lesions": self.lesions,
            "lesions_hit": self.lesions_hit,
            "nl_marks": self.nl_marks,
            "nl_on_findings": self.nl_on_findings,
            "llf": self.llf,
            "nlf": self.nlf,
            "wafroc": self.wafroc,
            "unannotated_metastatic_cases": list(self.unannotated),
            "tolerance_px": self.tolerance_px,
        }


@dataclass(frozen=True, eq=False)
class _Targets:
    """Annotated circles of the scored cases, flattened and ordered by case."""

    case: NDArray[np.intp]
    number: NDArray[np.intp]  # 1-based within its case
    view: NDArray[np.int8]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    reach: NDArray[np.float64]  # radius + tolerance


def _mark_columns(
    rows: Sequence[tuple[Projection, float, float]],
) -> tuple[NDArray[np.int8], NDArray[np.float64], NDArray[np.float64]]:
    """View codes, x and y of (view, x, y) marks, transposed by numpy: no Python object per
    mark is made, so the garbage collector has nothing to do."""
    if not rows:
        return np.zeros(0, np.int8), np.zeros(0), np.zeros(0)
    table = np.fromiter(chain.from_iterable(rows), dtype=object, count=3 * len(rows))
    table = table.reshape(len(rows), 3)
    code = (table[:, 0] == Projection.POSTERIOR).astype(np.int8)
    return code, table[:, 1].astype(np.float64), table[:, 2].astype(np.float64)


def _targets(per_case: Sequence[tuple[Mark, ...]], tolerance: float) -> _Targets:
    counts = np.array([len(m) for m in per_case], dtype=np.intp)
    flat = [m for marks in per_case for m in marks]
    n = len(flat)
    case = np.repeat(np.arange(len(per_case), dtype=np.intp), counts)
    starts = np.cumsum(counts) - counts
    number = np.arange(n, dtype=np.intp) - np.repeat(starts, counts) + 1

    def column(name: str, dtype: type) -> NDArray[Any]:
        # one attribute at a time, in C: no tuple per mark, so no garbage-collector work
        return np.fromiter(map(attrgetter(name), flat), dtype=dtype, count=n)

    return _Targets(
        case=case,
        number=number,
        view=(column("view", object) == Projection.POSTERIOR).astype(np.int8),
        x=column("x", np.float64),
        y=column("y", np.float64),
        reach=column("radius", np.float64) + tolerance,
    )


def match(
    mark_case: NDArray[np.intp],
    mark_view: NDArray[np.int8],
    mark_x: NDArray[np.float64],
    mark_y: NDArray[np.float64],
    targets: _Targets,
    n_cases: int,
) -> NDArray[np.intp]:
    """For each mark, the index (into ``targets``) of the nearest target of its case and
    view within reach, or -1."""
    n_marks = mark_case.size
    out = np.full(n_marks, -1, dtype=np.intp)
    if n_marks == 0 or targets.case.size == 0:
        return out
    per_case = np.bincount(targets.case, minlength=n_cases)
    first = np.cumsum(per_case) - per_case
    k = per_case[mark_case]  # candidate targets per mark
    pair_mark = np.repeat(np.arange(n_marks, dtype=np.intp), k)
    offset = np.arange(pair_mark.size, dtype=np.intp) - np.repeat(np.cumsum(k) - k, k)
    pair_target = first[mark_case][pair_mark] + offset
    d = np.hypot(mark_x[pair_mark] - targets.x[pair_target],
                 mark_y[pair_mark] - targets.y[pair_target])
    ok = (mark_view[pair_mark] == targets.view[pair_target]) & (d <= targets.reach[pair_target])
    pair_mark, pair_target, d = pair_mark[ok], pair_target[ok], d[ok]
    order = np.lexsort((d, pair_mark))  # by mark, nearest first
    pair_mark, pair_target = pair_mark[order], pair_target[order]
    nearest = np.ones(pair_mark.size, dtype=bool)
    nearest[1:] = pair_mark[1:] != pair_mark[:-1]
    out[pair_mark[nearest]] = pair_target[nearest]
    return out


def score_marks(
    cases: Sequence[ReadCase], annotations: AnnotationSet, tolerance: float = TOLERANCE_PX
) -> tuple[Localization, MarkScores]:
    """Score one trainee's answered ``cases`` against ``annotations`` (see the module doc)."""
    kept: list[ReadCase] = []
    unannotated: list[str] = []
    targets: list[tuple[Mark, ...]] = []
    benign: list[tuple[Mark, ...]] = []
    by_key = annotations.cases
    for c in cases:
        ann = by_key.get(c.case_key)
        if ann is None:
            if c.metastatic:
                unannotated.append(c.case_key)
                continue
            targets.append(())
            benign.append(())
        elif c.metastatic and not ann.lesions:
            unannotated.append(c.case_key)
            continue
        else:
            # a normal case has no target, whatever a (faulty) file puts on it
            targets.append(ann.lesions if c.metastatic else ())
            benign.append(ann.findings)
        kept.append(c)
    n_cases = len(kept)
    lesions = _targets(targets, tolerance)
    findings = _targets(benign, tolerance)

    counts = np.array([len(c.marks) for c in kept], dtype=np.intp)
    mark_case = np.repeat(np.arange(n_cases, dtype=np.intp), counts)
    flat = [m for c in kept for m in c.marks]
    n = len(flat)
    view, x, y = _mark_columns(flat)
    case_rating = np.array([c.rating for c in kept], dtype=np.float64)

    hit = match(mark_case, view, x, y, lesions, n_cases)
    # one LL per lesion: the first mark on a lesion localizes it, the others are NLs
    hits = np.flatnonzero(hit >= 0)
    firsts = np.unique(hit[hits], return_index=True)[1]
    is_ll = np.zeros(n, dtype=bool)
    is_ll[hits[firsts]] = True
    seen = np.zeros(lesions.case.size, dtype=bool)
    seen[hit[is_ll]] = True
    lesion = np.zeros(n, dtype=np.intp)
    lesion[is_ll] = lesions.number[hit[is_ll]]
    on_finding = (~is_ll) & (match(mark_case, view, x, y, findings, n_cases) >= 0)
    rating = case_rating[mark_case]
    scores = MarkScores(tuple(kept), mark_case, lesion, on_finding, rating,
                        np.bincount(lesions.case, minlength=n_cases).astype(np.intp))

    metastatic = np.fromiter((c.metastatic for c in kept), dtype=bool, count=n_cases)
    k2 = int(metastatic.sum())
    k1 = n_cases - k2
    nl = int((~is_ll).sum())
    n_lesions = int(lesions.case.size)
    summary = Localization(
        cases=n_cases,
        normal_cases=k1,
        metastatic_cases=k2,
        lesions=n_lesions,
        lesions_hit=int(seen.sum()),
        nl_marks=nl,
        nl_on_findings=int(on_finding.sum()),
        llf=float(seen.sum()) / n_lesions if n_lesions else None,
        nlf=nl / n_cases if n_cases else None,
        wafroc=_wafroc(metastatic, mark_case, is_ll, rating, lesions, seen, case_rating),
        unannotated=tuple(unannotated),
        tolerance_px=tolerance,
    )
    return summary, scores


def _wafroc(
    metastatic: NDArray[np.bool_],
    mark_case: NDArray[np.intp],
    is_ll: NDArray[np.bool_],
    rating: NDArray[np.float64],
    lesions: _Targets,
    seen: NDArray[np.bool_],
    case_rating: NDArray[np.float64],
) -> float | None:
    """RJafroc's wAFROC FOM with equal lesion weights (see the module docstring)."""
    normal_index = np.flatnonzero(~metastatic)
    k1, k2 = normal_index.size, int(metastatic.sum())
    if k1 == 0 or k2 == 0 or lesions.case.size == 0:
        return None
    fp = np.full(metastatic.size, -np.inf)
    on_normal = ~metastatic[mark_case] & ~is_ll
    np.maximum.at(fp, mark_case[on_normal], rating[on_normal])
    fp_sorted = np.sort(fp[normal_index])
    ll = np.where(seen, case_rating[lesions.case], -np.inf)
    below = np.searchsorted(fp_sorted, ll, side="left")
    ties = np.searchsorted(fp_sorted, ll, side="right") - below
    per_case = np.bincount(lesions.case, minlength=metastatic.size)
    weight = 1.0 / per_case[lesions.case]
    return float(np.sum(weight * (below + 0.5 * ties)) / (k1 * k2))


@dataclass(frozen=True, eq=False)
class OperatingPoints:
    """Empirical operating points, one per distinct rating of a mark from the strictest
    threshold down, starting at (0, 0): FROC (``nlf``, ``llf``) and wAFROC (``fpf``, ``wllf``)."""

    threshold: NDArray[np.float64]
    nlf: NDArray[np.float64]
    llf: NDArray[np.float64]
    fpf: NDArray[np.float64]
    wllf: NDArray[np.float64]

    def as_dict(self) -> dict[str, list[float | None]]:
        """JSON-safe: the first threshold (above every rating) is None."""
        out: dict[str, list[float | None]] = {
            name: getattr(self, name).tolist() for name in ("nlf", "llf", "fpf", "wllf")}
        out["threshold"] = [None, *self.threshold[1:].tolist()]
        return out


def operating_points(scores: MarkScores) -> OperatingPoints:
    """The empirical FROC and wAFROC curves of one trainee, as RJafroc plots them.

    At threshold t (each distinct rating of a mark, highest first): NLF = NL marks rated >= t / cases;
    LLF = lesions localized with rating >= t / lesions; FPF = normal cases whose highest NL
    is >= t / normal cases; wLLF = sum over metastatic cases of the weights (1/lesions of
    the case) of their lesions localized with rating >= t, / metastatic cases. The first
    point is (0, 0). The wAFROC curve ends by a straight line to (1, 1), and its area (by
    trapezoids) is the wAFROC figure of merit. Empty arrays beyond (0, 0) when nothing
    was scored.
    """
    n_cases = len(scores.cases)
    metastatic = np.array([c.metastatic for c in scores.cases], dtype=bool)
    is_ll = scores.lesion > 0
    ll_rating = scores.rating[is_ll]
    ll_weight = 1.0 / scores.case_lesions[scores.case_index[is_ll]]
    nl_rating = scores.rating[~is_ll]
    fp = np.full(n_cases, -np.inf)
    on_normal = ~is_ll & ~metastatic[scores.case_index]
    np.maximum.at(fp, scores.case_index[on_normal], scores.rating[on_normal])
    fp = fp[~metastatic]
    thresholds = np.unique(scores.rating)[::-1]

    def at_or_above(values: NDArray[np.float64], weights: NDArray[np.float64] | None = None
                    ) -> NDArray[np.float64]:
        order = np.argsort(-values, kind="stable")
        ranked = -values[order]
        total = np.cumsum(np.ones(values.size) if weights is None else weights[order])
        upto = np.searchsorted(ranked, -thresholds, side="right")
        got = np.where(upto > 0, total[np.maximum(upto - 1, 0)] if total.size else 0.0, 0.0)
        return np.concatenate([[0.0], got])

    k2 = int(metastatic.sum())
    k1 = n_cases - k2
    n_lesions = int(scores.case_lesions.sum())
    return OperatingPoints(
        threshold=np.concatenate([[np.inf], thresholds]),
        nlf=at_or_above(nl_rating) / n_cases if n_cases else np.zeros(1),
        llf=at_or_above(ll_rating) / n_lesions if n_lesions else np.zeros(1),
        fpf=at_or_above(fp[np.isfinite(fp)]) / k1 if k1 else np.zeros(1),
        wllf=at_or_above(ll_rating, ll_weight) / k2 if k2 else np.zeros(1),
    )
