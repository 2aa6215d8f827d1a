"""Expert case annotations: where the lesions and the benign look-alikes are on a scan.

The model behind ``.bstann`` files (``resources/formats/bstann.md``): per case key, the
``lesions`` a reader should find (metastatic deposits), the ``findings`` a reader must
not call (benign look-alikes: degenerative joints, fractures, ...), and a teaching
point. Each mark is one circle on one view, in image pixels of the un-mirrored view
(x from the left, y from the top). A deposit seen on both views is two entries, one
per view: every entry is one target of localization scoring.

This module is pure: it turns a parsed JSON object into ``AnnotationSet`` (raising the
caller's error naming the file and the field), encodes a set to deterministic bytes,
merges sets, and checks a set against a dataset. Reading and writing files is
``storage.annotations``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bonescan_tutor.core.cases import Dataset, Projection, natural_key
from bonescan_tutor.core.errors import BonescanError

FORMAT = "bonescan-tutor annotations"
VERSION = 1
EXTENSION = ".bstann"
BESIDE_NAME = "annotations.bstann"
"""The file name looked for beside a dataset (in its folder, or next to its zip/manifest)."""

DIGITS = 2
"""Coordinates and radii are written rounded to 0.01 pixel, so the bytes do not depend on
the last bit of a floating-point computation."""

FINDING_KINDS: tuple[str, ...] = (
    "degenerative joint",
    "fracture",
    "injection site",
    "urinary contamination",
    "kidney",
    "bladder",
    "other",
)


class AnnotationsError(BonescanError):
    """An annotations file that cannot be read; the message names the file and the field."""


ErrorType = Callable[[str], BonescanError]


@dataclass(frozen=True)
class Mark:
    """One annotated circle on one view. ``kind`` is "lesion" or one of ``FINDING_KINDS``."""

    view: Projection
    x: float
    y: float
    radius: float
    region: str = ""
    note: str = ""
    kind: str = "lesion"

    @property
    def is_lesion(self) -> bool:
        return self.kind == "lesion"

    def rounded(self) -> Mark:
        return replace(self, x=round(self.x, DIGITS), y=round(self.y, DIGITS),
                       radius=round(self.radius, DIGITS))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "view": self.view.value,
            "x": round(float(self.x), DIGITS),
            "y": round(float(self.y), DIGITS),
            "radius": round(float(self.radius), DIGITS),
            "region": self.region,
        }
        if self.note:
            out["note"] = self.note
        if not self.is_lesion:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class CaseAnnotations:
    """What an expert marked on one case. Lesion number n (from 1) is ``lesions[n - 1]``."""

    lesions: tuple[Mark, ...] = ()
    findings: tuple[Mark, ...] = ()
    teaching_point: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesions": [m.to_dict() for m in self.lesions],
            "findings": [m.to_dict() for m in self.findings],
            "teaching_point": self.teaching_point,
        }


@dataclass(frozen=True)
class AnnotationSet:
    """Annotations of one dataset version, by case key."""

    dataset_name: str
    dataset_fingerprint: str
    cases: Mapping[str, CaseAnnotations] = field(default_factory=dict)

    def get(self, key: str) -> CaseAnnotations | None:
        return self.cases.get(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "dataset": {"name": self.dataset_name, "fingerprint": self.dataset_fingerprint},
            "cases": {k: self.cases[k].to_dict() for k in sorted(self.cases, key=natural_key)},
        }

    def to_bytes(self) -> bytes:
        """The file's bytes: sorted keys, two-space indent, UTF-8, one final newline.

        The same annotations always give the same bytes (no time, no path, no host).
        """
        text = json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False,
                          allow_nan=False)
        return (text + "\n").encode("utf-8")


def merge(sets: Sequence[AnnotationSet]) -> tuple[AnnotationSet, list[str]]:
    """One set holding every case of ``sets``, and warnings about what did not fit.

    A case annotated in several files gets the lesions and findings of all of them (an
    entry given twice, identically, is kept once) and their distinct teaching points,
    joined by a blank line. The dataset name and fingerprint are the first file's; a
    file made on another dataset version is named in a warning.
    """
    if not sets:
        raise ValueError("merge needs at least one annotation set")
    first = sets[0]
    warnings = [
        f"annotations {i + 1} were made on dataset version {s.dataset_fingerprint}, "
        f"annotations 1 on {first.dataset_fingerprint}"
        for i, s in enumerate(sets[1:], start=1)
        if s.dataset_fingerprint != first.dataset_fingerprint
    ]
    cases: dict[str, CaseAnnotations] = {}
    for s in sets:
        for key, case in s.cases.items():
            old = cases.get(key)
            if old is None:
                cases[key] = case
                continue
            points = [p for p in (old.teaching_point, case.teaching_point) if p]
            cases[key] = CaseAnnotations(
                lesions=_union(old.lesions, case.lesions),
                findings=_union(old.findings, case.findings),
                teaching_point="\n\n".join(dict.fromkeys(points)),
            )
    return AnnotationSet(first.dataset_name, first.dataset_fingerprint, cases), warnings


def _union(a: Iterable[Mark], b: Iterable[Mark]) -> tuple[Mark, ...]:
    return tuple(dict.fromkeys(m.rounded() for m in (*a, *b)))


# --- reading ---------------------------------------------------------------------------


def from_json(obj: Any, *, where: str, error: ErrorType = AnnotationsError) -> AnnotationSet:
    """The ``AnnotationSet`` of a parsed ``.bstann`` object, or ``error`` naming ``where``
    and the field at fault. Values are checked for type here; whether they make sense
    on the dataset (inside the image, a positive radius) is ``check``'s job, so that
    every such problem can be listed at once."""

    def fail(path: str, why: str) -> BonescanError:
        return error(f"{where}: {path}: {why}")

    if not isinstance(obj, dict):
        raise error(f"{where}: not an annotations file: it holds no JSON object.")
    if obj.get("format") != FORMAT:
        raise fail("format", f"expected {FORMAT!r}; this is not a bonescan-tutor annotations file.")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail("version", "missing or not a whole number.")
    if version > VERSION:
        raise fail("version", f"{version} is newer than this app reads ({VERSION}); "
                              "update bonescan-tutor.")
    dataset = obj.get("dataset")
    if not isinstance(dataset, dict):
        raise fail("dataset", "missing: an object with the dataset's name and fingerprint.")
    name = _text(dataset, "name", "dataset.name", fail, required=True)
    fingerprint = _text(dataset, "fingerprint", "dataset.fingerprint", fail, required=True)
    raw_cases = obj.get("cases")
    if not isinstance(raw_cases, dict):
        raise fail("cases", "missing: an object of case key -> annotations.")
    cases: dict[str, CaseAnnotations] = {}
    for key, raw in raw_cases.items():
        at = f"cases[{key!r}]"
        if not isinstance(raw, dict):
            raise fail(at, "must be an object with lesions, findings and teaching_point.")
        lesions = tuple(
            _mark(m, f"{at}.lesions[{i}]", fail, finding=False)
            for i, m in enumerate(_list(raw, "lesions", at, fail))
        )
        findings = tuple(
            _mark(m, f"{at}.findings[{i}]", fail, finding=True)
            for i, m in enumerate(_list(raw, "findings", at, fail))
        )
        point = _text(raw, "teaching_point", f"{at}.teaching_point", fail)
        cases[str(key)] = CaseAnnotations(lesions, findings, point)
    return AnnotationSet(name, fingerprint, cases)


Fail = Callable[[str, str], BonescanError]


def _list(raw: dict[str, Any], name: str, at: str, fail: Fail) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise fail(f"{at}.{name}", "must be a list.")
    return value


def _text(raw: dict[str, Any], name: str, at: str, fail: Fail, *, required: bool = False) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise fail(at, "must be text" + (" (not empty)." if required else "."))
    return value


def _number(raw: dict[str, Any], name: str, at: str, fail: Fail) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"{at}.{name}", "missing or not a number (pixels).")
    return float(value)


def _mark(raw: Any, at: str, fail: Fail, *, finding: bool) -> Mark:
    if not isinstance(raw, dict):
        raise fail(at, "must be an object with view, x, y, radius and region.")
    view_text = raw.get("view")
    try:
        view = Projection(view_text)
    except ValueError:
        raise fail(f"{at}.view", f"{view_text!r} is not a view; use 'anterior' or 'posterior'.") \
            from None
    kind = "lesion"
    if finding:
        kind = raw.get("kind")  # type: ignore[assignment]
        if kind not in FINDING_KINDS:
            raise fail(f"{at}.kind", f"{kind!r} is not a finding kind; use one of "
                                     + ", ".join(FINDING_KINDS) + ".")
    elif "kind" in raw and raw["kind"] != "lesion":
        raise fail(f"{at}.kind", "a lesion has no kind; put a benign look-alike in findings.")
    return Mark(
        view=view,
        x=_number(raw, "x", at, fail),
        y=_number(raw, "y", at, fail),
        radius=_number(raw, "radius", at, fail),
        region=_text(raw, "region", f"{at}.region", fail),
        note=_text(raw, "note", f"{at}.note", fail),
        kind=kind,
    )


# --- checking against a dataset -------------------------------------------------------


@dataclass(frozen=True)
class AnnotationProblem:
    """One thing wrong with an annotation set on a dataset, in a sentence."""

    severity: str  # "error" or "warning"
    message: str
    case_key: str | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"severity": self.severity, "case": self.case_key, "message": self.message}


def check(annotations: AnnotationSet, dataset: Dataset) -> list[AnnotationProblem]:
    """Every problem of ``annotations`` on ``dataset``: an unknown case, a mark outside its
    image, a lesion on a case labelled without metastases, a radius that is not a
    positive finite number, a centre that is not finite (errors); annotations made on
    another version of the dataset (a warning: marks may no longer fit the images)."""
    out: list[AnnotationProblem] = []
    if annotations.dataset_fingerprint != dataset.fingerprint:
        out.append(AnnotationProblem(
            "warning",
            f"these annotations were made on dataset {annotations.dataset_name!r} version "
            f"{annotations.dataset_fingerprint}, but {dataset.name!r} is version "
            f"{dataset.fingerprint}: cases or images have changed since, so check the marks "
            "(or annotate this version).",
        ))
    for key in sorted(annotations.cases, key=natural_key):
        ann = annotations.cases[key]
        case = dataset.get(key)
        if case is None:
            out.append(AnnotationProblem(
                "error", f"case {key}: no such case in the dataset (a typo in the key, or "
                "annotations of another dataset).", key))
            continue
        if ann.lesions and not case.diagnosis.is_positive:
            out.append(AnnotationProblem(
                "error", f"case {key}: {len(ann.lesions)} lesion(s) on a case labelled "
                f"'{case.diagnosis.label}'; move them to findings, or check the label.", key))
        marks = [(f"lesion {i}", m) for i, m in enumerate(ann.lesions, start=1)]
        marks += [(f"finding {i} ({m.kind})", m) for i, m in enumerate(ann.findings, start=1)]
        for name, m in marks:
            out.extend(_geometry_problems(key, name, m, case.view(m.view)))
    return out


def _geometry_problems(key: str, name: str, m: Mark, view: Any) -> list[AnnotationProblem]:
    where = f"case {key}, {name} on the {m.view.value} view"
    if not all(math.isfinite(v) for v in (m.x, m.y, m.radius)):
        return [AnnotationProblem("error", f"{where}: x, y and radius must be finite numbers.",
                                  key)]
    out: list[AnnotationProblem] = []
    if m.radius <= 0:
        out.append(AnnotationProblem(
            "error", f"{where}: radius {m.radius:g} px; a radius must be more than 0.", key))
    if view is None:
        out.append(AnnotationProblem(
            "error", f"{where}: the case has no {m.view.value} view.", key))
    elif view.width is not None and view.height is not None and not (
        0 <= m.x < view.width and 0 <= m.y < view.height
    ):
        out.append(AnnotationProblem(
            "error", f"{where}: centre ({m.x:g}, {m.y:g}) is outside the image "
            f"({view.width} x {view.height} pixels).", key))
    return out
