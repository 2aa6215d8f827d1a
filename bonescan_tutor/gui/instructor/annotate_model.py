"""Authoring case annotations: the logic of Instructor > Annotate cases (no Qt here).

``AnnotationEditor`` holds the annotations being edited for one dataset, the case on
screen, the selected mark and the kind the next mark gets. Every change is a
``Change`` (a case's annotations before and after) handed to ``push``: the widget puts
it on a ``QUndoStack`` whose commands call ``apply``; without a widget ``push`` applies
it at once. ``save`` writes the whole set atomically as ``annotations.bstann`` beside
the dataset (``storage.annotations``), made on the dataset's current version.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bonescan_tutor.core.annotations import (
    FINDING_KINDS,
    AnnotationsError,
    AnnotationSet,
    CaseAnnotations,
    Mark,
    check,
)
from bonescan_tutor.core.cases import Case, Dataset, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.storage.annotations import path_beside, read_annotations, write_annotations

LESION = "lesion"
KINDS: tuple[str, ...] = (LESION, *FINDING_KINDS)
DEFAULT_RADIUS = 8.0  # image pixels: a click without a drag
MIN_RADIUS = 2.0


@dataclass(frozen=True)
class Selection:
    """A mark of the case on screen: ``group`` is "lesions" or "findings"."""

    group: str
    index: int


@dataclass(frozen=True)
class Change:
    """One undoable edit of one case."""

    text: str
    key: str
    before: CaseAnnotations
    after: CaseAnnotations
    selection: Selection | None = None  # what is selected once the change is done


class EditorView(Protocol):
    def show_case(self, case: Case, annotations: CaseAnnotations) -> None: ...
    def show_marks(self, annotations: CaseAnnotations, selected: Selection | None) -> None: ...
    def show_status(self, text: str) -> None: ...


def _marks(ann: CaseAnnotations, group: str) -> tuple[Mark, ...]:
    return ann.lesions if group == "lesions" else ann.findings


def _with(ann: CaseAnnotations, group: str, marks: tuple[Mark, ...]) -> CaseAnnotations:
    return replace(ann, lesions=marks) if group == "lesions" else replace(ann, findings=marks)


class AnnotationEditor:
    """The editor's state and rules; the widget only draws and forwards input."""

    def __init__(self, view: EditorView, dataset: Dataset,
                 push: Callable[[Change], None] | None = None) -> None:
        self.view = view
        self.dataset = dataset
        self.push = push or self.apply
        self.path = path_beside(dataset.root)
        self.cases: dict[str, CaseAnnotations] = {}
        self.kind = LESION
        self.selected: Selection | None = None
        self.key: str | None = None
        self.saved: dict[str, CaseAnnotations] = {}
        self.load()

    # --- loading and saving -----------------------------------------------------------
    def load(self) -> None:
        """Read the file beside the dataset, if any; a broken one is named in the status
        and left untouched until the instructor saves over it."""
        self.cases = {}
        if self.path.is_file():
            try:
                self.cases = dict(read_annotations(self.path).cases)
            except BonescanError as exc:
                self.view.show_status(f"{exc} Saving will replace it.")
        self.saved = dict(self.cases)

    @property
    def dirty(self) -> bool:
        return self._clean(self.cases) != self._clean(self.saved)

    @staticmethod
    def _clean(cases: dict[str, CaseAnnotations]) -> dict[str, CaseAnnotations]:
        return {k: v for k, v in cases.items() if v != CaseAnnotations()}

    def annotation_set(self) -> AnnotationSet:
        return AnnotationSet(self.dataset.name, self.dataset.fingerprint, self._clean(self.cases))

    def save(self) -> Path:
        """Write every annotated case; errors of ``core.annotations.check`` stop it."""
        result = self.annotation_set()
        errors = [p for p in check(result, self.dataset) if p.severity == "error"]
        if errors:
            self.view.show_status("Not saved: " + "; ".join(p.message for p in errors))
            raise AnnotationsError(f"{self.path}: not saved: {errors[0].message}")
        write_annotations(self.path, result)
        self.saved = dict(self.cases)
        self.view.show_status(f"Saved {len(result.cases)} annotated case(s) to {self.path}.")
        return self.path

    # --- navigation ---------------------------------------------------------------------
    def current(self) -> CaseAnnotations:
        return self.cases.get(self.key or "", CaseAnnotations())

    def open_case(self, key: str) -> None:
        case = self.dataset.case(key)
        self.key = key
        self.selected = None
        self.view.show_case(case, self.current())
        self.view.show_marks(self.current(), None)

    def apply(self, change: Change, undo: bool = False) -> None:
        """Make ``change`` (or undo it): the widget's undo commands call this."""
        self.cases[change.key] = change.before if undo else change.after
        if change.key != self.key:
            self.open_case(change.key)
        self.selected = None if undo else change.selection
        self._follow_selection()
        self.view.show_marks(self.current(), self.selected)

    def _change(self, text: str, after: CaseAnnotations, selection: Selection | None) -> None:
        if self.key is None or after == self.current():
            return
        self.push(Change(text, self.key, self.current(), after, selection))

    # --- edits ----------------------------------------------------------------------------
    def hit(self, view: Projection, x: float, y: float) -> Selection | None:
        """The mark of the case on screen under (x, y) on ``view`` (the smallest first)."""
        ann = self.current()
        near = [(m.radius, Selection(group, i))
                for group in ("lesions", "findings")
                for i, m in enumerate(_marks(ann, group))
                if m.view is view and math.hypot(m.x - x, m.y - y) <= max(m.radius, 4.0)]
        return min(near, key=lambda t: t[0])[1] if near else None

    def select(self, selection: Selection | None) -> None:
        self.selected = selection
        self._follow_selection()
        self.view.show_marks(self.current(), selection)

    def _follow_selection(self) -> None:
        """The kind shown is the selected mark's: the next mark gets it too."""
        mark = self.selected_mark()
        if mark is not None:
            self.kind = mark.kind

    def selected_mark(self) -> Mark | None:
        s = self.selected
        if s is None:
            return None
        marks = _marks(self.current(), s.group)
        return marks[s.index] if s.index < len(marks) else None

    def place(self, view: Projection, x: float, y: float, radius: float = DEFAULT_RADIUS) -> None:
        """A new mark of the current kind centred at (x, y), selected. A case labelled
        without metastases takes benign findings only."""
        if self.key is None:
            return
        if self.kind == LESION and not self.dataset.case(self.key).diagnosis.is_positive:
            self.view.show_status("This case is labelled without metastases: it has no "
                                  "lesion. Pick a finding kind to mark a benign look-alike.")
            return
        mark = Mark(view, x, y, max(radius, MIN_RADIUS), kind=self.kind).rounded()
        group = "lesions" if self.kind == LESION else "findings"
        ann = self.current()
        marks = (*_marks(ann, group), mark)
        self._change(f"Place {self.kind}", _with(ann, group, marks),
                     Selection(group, len(marks) - 1))

    def _edit_selected(self, text: str, **fields: object) -> None:
        s, mark = self.selected, self.selected_mark()
        if s is None or mark is None:
            return
        ann = self.current()
        marks = list(_marks(ann, s.group))
        marks[s.index] = replace(mark, **fields)  # type: ignore[arg-type]
        self._change(text, _with(ann, s.group, tuple(marks)), s)

    def resize(self, radius: float) -> None:
        self._edit_selected("Resize", radius=round(max(radius, MIN_RADIUS), 2))

    def set_note(self, note: str) -> None:
        self._edit_selected("Note", note=note.strip())

    def set_region(self, region: str) -> None:
        self._edit_selected("Region", region=region.strip())

    def set_kind(self, kind: str) -> None:
        """The kind of the next mark, and of the selected one (moving it between lesions
        and findings when it changes side)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        s, mark = self.selected, self.selected_mark()
        if s is None or mark is None or mark.kind == kind:
            return
        group = "lesions" if kind == LESION else "findings"
        if group == s.group:
            self._edit_selected("Kind", kind=kind)
            return
        ann = self.current()
        rest = tuple(m for i, m in enumerate(_marks(ann, s.group)) if i != s.index)
        moved = (*_marks(ann, group), replace(mark, kind=kind))
        after = _with(_with(ann, s.group, rest), group, moved)
        self._change("Kind", after, Selection(group, len(moved) - 1))

    def delete_selected(self) -> None:
        s = self.selected
        if s is None or self.selected_mark() is None:
            return
        ann = self.current()
        rest = tuple(m for i, m in enumerate(_marks(ann, s.group)) if i != s.index)
        self._change("Delete", _with(ann, s.group, rest), None)

    def set_teaching_point(self, text: str) -> None:
        self._change("Teaching point", replace(self.current(), teaching_point=text.strip()),
                     self.selected)
