"""Per-lesion item analysis of a cohort: which annotated lesion how many trainees found.

With case annotations (``.bstann``), each trainee's click marks in their results file are
scored by ``core.localization.score_marks`` (a mark hits a lesion within its radius plus
the tolerance); a lesion's row says how many of the trainees who answered its case found
it ("lesion 2 of case 41 found by 3 of 12"). Each trainee's localization figures come
with it. A trainee's answer counts when it has a decision (an unanswered case has no
rating); the label is the one the cohort scored against (the dataset's when given).

The cohort workbook's Lesions sheet (``lesions_sheet``) is defined here; the localization
columns of its per-trainee table (and of the CSV) are metrics of ``core.metric_registry``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.answers import p_metastases
from bonescan_tutor.core.cases import Diagnosis, natural_key
from bonescan_tutor.core.localization import Localization, ReadCase, score_marks
from bonescan_tutor.storage.cohort import Cohort
from bonescan_tutor.storage.results import ResultsFile


@dataclass(frozen=True)
class LesionRow:
    """One annotated lesion across the cohort."""

    case_key: str
    lesion: int  # 1-based, the order of the annotation file
    view: str
    region: str
    found_by: int
    readers: int  # trainees who answered the case
    note: str = ""

    @property
    def share_found(self) -> float | None:
        """found_by / readers; None when nobody answered the case."""
        return self.found_by / self.readers if self.readers else None

    @property
    def text(self) -> str:
        return (f"lesion {self.lesion} of case {self.case_key} found by {self.found_by} "
                f"of {self.readers}")

    def as_dict(self) -> dict[str, object]:
        return {"case_key": self.case_key, "lesion": self.lesion, "view": self.view,
                "region": self.region, "found_by": self.found_by, "readers": self.readers,
                "note": self.note, "text": self.text}


LESION_COLUMNS = ("case_key", "lesion", "view", "region", "found_by", "readers",
                  "share_found", "note", "text")


def lesion_row(row: LesionRow) -> list[object]:
    """One row of the Lesions sheet, in ``LESION_COLUMNS`` order."""
    return [row.case_key, row.lesion, row.view, row.region, row.found_by, row.readers,
            row.share_found, row.note, row.text]


def lesions_sheet(ws: Any, rows: Sequence[LesionRow]) -> None:
    """Fill an openpyxl worksheet with the per-lesion rows (fewest found first is the
    reader's sort to make; the sheet keeps case and lesion order)."""
    ws.append(list(LESION_COLUMNS))
    for row in rows:
        ws.append(lesion_row(row))
    ws.freeze_panes = "A2"




def read_cases(result: ResultsFile) -> list[ReadCase]:
    """A results file's answered cases with their ratings and marks (a mark on a view the
    app does not have, which only a damaged or edited file holds, was dropped when the
    file was read)."""
    return [
        ReadCase(a.case_key, a.truth is Diagnosis.METASTASES,
                 round(100.0 * p_metastases(a.decision, a.certainty), 6), a.marks)
        for a in result.attempts if a.decision is not None
    ]


def lesion_analysis(
    cohort: Cohort, annotations: AnnotationSet
) -> tuple[list[LesionRow], dict[str, Localization]]:
    """Per-lesion rows (case by case in natural key order, lesions in file order) and each
    trainee's localization figures."""
    readers: dict[str, int] = {}
    found: dict[tuple[str, int], int] = {}
    figures: dict[str, Localization] = {}
    for result in cohort.results:
        loc, scores = score_marks(read_cases(result), annotations)
        figures[result.trainee] = loc
        for case in scores.cases:
            readers[case.case_key] = readers.get(case.case_key, 0) + 1
        hit = {(scores.cases[i].case_key, lesion)
               for i, lesion in zip(scores.case_index.tolist(), scores.lesion.tolist(),
                                    strict=True) if lesion}
        for spot in hit:
            found[spot] = found.get(spot, 0) + 1
    rows = []
    for key in sorted(readers, key=natural_key):
        ann = annotations.get(key)
        if ann is None:
            continue
        for n, mark in enumerate(ann.lesions, start=1):
            rows.append(LesionRow(key, n, mark.view.value, mark.region, found.get((key, n), 0),
                                  readers[key], mark.note))
    return rows, figures
