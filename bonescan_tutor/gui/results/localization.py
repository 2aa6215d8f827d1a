"""The dashboard's lesion-finding figures: FROC and wAFROC from the trainee's marks (no Qt).

Only answers whose label the trainee has seen count (``storage.rjafroc.read_cases``:
the latest revealed answer per case), scored against the dataset's expert annotations
by ``core.localization``. The curves are shown only when there is something to plot:
annotations, and at least one mark on an annotated case of the filtered answers.
Localization scoring always counts the latest answer per case (one rating per case is
what FROC analysis assumes), whatever the "Every answer" box says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.localization import (
    Localization,
    OperatingPoints,
    operating_points,
    score_marks,
)
from bonescan_tutor.gui.results.model import DashboardFilter
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.progress_records import SessionRecord, StoredAttempt, Trainee
from bonescan_tutor.storage.rjafroc import read_cases

NO_ANNOTATIONS = ("No lesion annotations for this dataset, so your marks cannot be scored. "
                  "An instructor can add them (Instructor > Annotate cases), saved as "
                  "annotations.bstann beside the dataset.")
NO_MARKS = ("No marks on annotated cases yet. Click the suspicious spots when you read a "
            "case: your lesion-finding curves (FROC and wAFROC) will appear here.")


@dataclass(frozen=True, eq=False)
class LocalizationSeries:
    """What the lesion-finding tab draws; ``message`` is its empty state when set."""

    summary: Localization | None = None
    points: OperatingPoints | None = None
    message: str = ""

    @property
    def empty(self) -> bool:
        return self.summary is None or self.points is None

    @property
    def figures(self) -> str:
        """One line of figures above the curves."""
        s = self.summary
        if s is None:
            return ""
        parts = [f"Lesions found (LLF): {s.lesions_hit} of {s.lesions}"
                 + (f" = {100 * s.llf:.0f} %" if s.llf is not None else ""),
                 f"false marks per case (NLF): {s.nlf:.2f}" if s.nlf is not None else "",
                 f"wAFROC figure of merit: {s.wafroc:.2f}" if s.wafroc is not None
                 else "wAFROC needs both normal and metastatic cases"]
        line = "; ".join(p for p in parts if p) + f" — over {s.cases} case(s)."
        if s.nl_on_findings:
            line += f" {s.nl_on_findings} false mark(s) fell on benign look-alikes."
        if s.unannotated:
            line += (f" {len(s.unannotated)} metastatic case(s) without annotated lesions "
                     "are left out.")
        return line


def localization_series(
    attempts: Sequence[StoredAttempt], annotations: AnnotationSet | None
) -> LocalizationSeries:
    """Score ``attempts`` (one trainee's, already filtered) against ``annotations``."""
    if annotations is None:
        return LocalizationSeries(message=NO_ANNOTATIONS)
    per_trainee = read_cases(attempts)
    cases = [c for reads in per_trainee.values() for c in reads]
    summary, scores = score_marks(cases, annotations)
    if summary.cases == 0 or scores.lesion.size == 0 or summary.lesions == 0:
        return LocalizationSeries(message=NO_MARKS)
    return LocalizationSeries(summary, operating_points(scores))


def filtered(
    attempts: Sequence[StoredAttempt], sessions: Sequence[SessionRecord], flt: DashboardFilter
) -> list[StoredAttempt]:
    """The attempts the dashboard's filter keeps (the same rules as the other figures)."""
    low, high = flt.time_bounds()
    titles = {s.id: s.quiz_title for s in sessions}
    return [
        s for s in attempts
        if low <= s.answer.answered_at < high
        and (flt.session_id is None or s.session_id == flt.session_id)
        and (flt.dataset_fingerprint is None or s.dataset_fingerprint == flt.dataset_fingerprint)
        and (flt.quiz_title is None or titles.get(s.session_id) == flt.quiz_title)
    ]


LocalizationLoader = Callable[[DashboardFilter], LocalizationSeries]


def localization_loader(
    store: ProgressStore, trainee: Trainee, annotations: Callable[[], AnnotationSet | None]
) -> LocalizationLoader:
    """The app's loader: the trainee's filtered answers scored against ``annotations()``
    (the open dataset's, read when the dashboard refreshes)."""

    def load(flt: DashboardFilter) -> LocalizationSeries:
        ann = annotations()
        if ann is None:
            return LocalizationSeries(message=NO_ANNOTATIONS)
        low, _ = flt.time_bounds()
        rows = store.attempts(trainee=trainee, since=None if flt.since is None else low,
                              session_id=flt.session_id)
        return localization_series(filtered(rows, store.sessions(trainee), flt), ann)

    return load
