"""What the expert marked on a case, set against the trainee's marks (no Qt here).

``case_feedback`` labels each trainee mark a *hit* (it localizes a lesion: same view,
within the lesion's radius plus ``core.localization.TOLERANCE_PX``; one hit per lesion,
the usual FROC rule) or a *false mark* (any other mark; noted when it falls on a benign
look-alike), and each annotated lesion *found* or *missed*. The scoring itself is
``core.localization.score_marks``, so the overlay says exactly what the figures count.

``quiz_localization`` gives the figures of a whole quiz (the end screen's); and
``load_annotations`` finds and reads ``annotations.bstann`` beside a dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.localization import TOLERANCE_PX, Localization, ReadCase, score_marks
from bonescan_tutor.storage.annotations import annotations_beside, read_annotations

HIT = "hit"
FALSE_MARK = "false mark"
UNSCORED = "mark"
FOUND = "found"
MISSED = "miss"

TraineeMark = tuple[Projection, float, float]


@dataclass(frozen=True)
class LabelledMark:
    """One of the trainee's marks and what it was: ``HIT``, ``FALSE_MARK`` or
    ``UNSCORED`` (a metastatic case with no annotated lesion cannot be scored)."""

    view: Projection
    x: float
    y: float
    label: str
    lesion: int = 0  # the lesion number it hits (1-based), 0 for none
    on_finding: str = ""  # the kind of benign finding a false mark fell on

    @property
    def text(self) -> str:
        if self.label == HIT:
            return f"hit (lesion {self.lesion})"
        if self.label == FALSE_MARK and self.on_finding:
            return f"false mark (on a {self.on_finding})"
        return self.label


@dataclass(frozen=True)
class LabelledLesion:
    """An annotated lesion, numbered from 1, and whether the trainee found it."""

    number: int
    mark: Mark
    found: bool

    @property
    def label(self) -> str:
        return FOUND if self.found else MISSED


@dataclass(frozen=True)
class CaseFeedback:
    """Everything the overlay and its list show for one case."""

    lesions: tuple[LabelledLesion, ...]
    findings: tuple[Mark, ...]
    marks: tuple[LabelledMark, ...]
    teaching_point: str

    @property
    def summary(self) -> str:
        """One line: lesions found, false marks."""
        parts = []
        if self.lesions:
            found = sum(1 for les in self.lesions if les.found)
            parts.append(f"{found} of {len(self.lesions)} lesion(s) found")
        false = sum(1 for m in self.marks if m.label == FALSE_MARK)
        parts.append(f"{false} false mark(s)")
        return ", ".join(parts)

    def entries(self) -> list[tuple[str, str]]:
        """(kind, line) for the list beside the scans: lesions, findings, then marks."""
        out: list[tuple[str, str]] = []
        for les in self.lesions:
            m = les.mark
            where = ", ".join(p for p in (m.region, m.view.value) if p)
            out.append(("lesion", f"Lesion {les.number} ({where}): {les.label}"
                        + (f" — {m.note}" if m.note else "")))
        for i, m in enumerate(self.findings, start=1):
            where = ", ".join(p for p in (m.region, m.view.value) if p)
            out.append(("finding", f"Finding {i}: {m.kind} ({where}), benign"
                        + (f" — {m.note}" if m.note else "")))
        for i, mark in enumerate(self.marks, start=1):
            out.append((mark.label, f"Your mark {i} ({mark.view.value}): {mark.text}"))
        return out


def case_feedback(
    case_key: str, metastatic: bool, marks: Sequence[TraineeMark], annotations: CaseAnnotations
) -> CaseFeedback:
    """Label ``marks`` against one case's ``annotations`` (see the module docstring).

    A normal case has no target, whatever a faulty file puts on it: every mark on it
    is a false mark, as in the figures."""
    lesions = annotations.lesions if metastatic else ()
    if metastatic and not lesions:
        labelled = tuple(LabelledMark(v, x, y, UNSCORED) for v, x, y in marks)
        return CaseFeedback((), annotations.findings, labelled, annotations.teaching_point)
    one = AnnotationSet("", "", {case_key: annotations})
    _, scores = score_marks([ReadCase(case_key, metastatic, 0.0, tuple(marks))], one)
    found = set(int(n) for n in scores.lesion if n > 0)
    finding_kinds = _finding_kinds(marks, annotations.findings)
    labelled = tuple(
        LabelledMark(v, x, y, HIT, int(n)) if n > 0
        else LabelledMark(v, x, y, FALSE_MARK, 0, kind if on else "")
        for (v, x, y), n, on, kind in zip(marks, scores.lesion, scores.on_finding,
                                          finding_kinds, strict=True)
    )
    return CaseFeedback(
        tuple(LabelledLesion(i, m, i in found) for i, m in enumerate(lesions, start=1)),
        annotations.findings, labelled, annotations.teaching_point)


def _finding_kinds(marks: Sequence[TraineeMark], findings: Sequence[Mark]) -> list[str]:
    """The kind of the nearest finding each mark is within reach of ("" for none); only
    read where ``score_marks`` says the mark is on a finding."""
    out = []
    for v, x, y in marks:
        near = [(((x - f.x) ** 2 + (y - f.y) ** 2) ** 0.5, f.kind) for f in findings
                if f.view is v and ((x - f.x) ** 2 + (y - f.y) ** 2) ** 0.5 <= f.radius
                + TOLERANCE_PX]
        out.append(min(near)[1] if near else "")
    return out


def load_annotations(
    dataset_root: Path | str | None, fingerprint: str | None = None
) -> tuple[AnnotationSet | None, str]:
    """The annotations beside the dataset at ``dataset_root`` and a message: (None, "")
    when there are none, (None, the reason naming the file) when they cannot be read, and
    a warning naming the file with them when they were made on another version of the
    dataset than ``fingerprint`` (the marks may no longer fit the images)."""
    if dataset_root is None:
        return None, ""
    path = annotations_beside(dataset_root)
    if path is None:
        return None, ""
    try:
        annotations = read_annotations(path)
    except BonescanError as e:
        return None, f"{e} The scans are shown without the expert's marks."
    if fingerprint is None or annotations.dataset_fingerprint == fingerprint:
        return annotations, ""
    return annotations, (
        f"{path}: made on dataset version {annotations.dataset_fingerprint}, the open dataset "
        f"is version {fingerprint}: cases or images have changed since, so check the marks "
        "(Instructor > Annotate cases).")


def feedback_for(
    annotations: AnnotationSet | None, case_key: str, metastatic: bool,
    marks: Sequence[TraineeMark],
) -> CaseFeedback | None:
    """The case's feedback when ``annotations`` annotate it, else None."""
    case = annotations.get(case_key) if annotations is not None else None
    return None if case is None else case_feedback(case_key, metastatic, marks, case)


def quiz_localization(
    annotations: AnnotationSet | None, case_keys: Sequence[str], answered: Sequence[ReadCase]
) -> Localization | None:
    """The localization figures of a quiz's ``answered`` cases, or None when none of its
    ``case_keys`` is annotated (then there is nothing to say about lesions)."""
    if annotations is None or not any(annotations.get(k) is not None for k in case_keys):
        return None
    return score_marks(answered, annotations)[0]
