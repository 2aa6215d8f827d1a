"""``.bstann`` annotation files on disk: read (guarded), write (atomic), find beside a dataset.

The format is ``resources/formats/bstann.md``; the model and its checks are
``core.annotations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bonescan_tutor.core.annotations import (
    BESIDE_NAME,
    AnnotationsError,
    AnnotationSet,
    from_json,
    merge,
)
from bonescan_tutor.files.json_file import read_json
from bonescan_tutor.storage.atomic_file import write_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024
WHAT = "an annotations file (.bstann)"

__all__ = [
    "AnnotationsError",
    "annotations_beside",
    "path_beside",
    "read_annotations",
    "read_merged",
    "write_annotations",
]


def read_annotations(path: Path | str) -> AnnotationSet:
    """The annotations in ``path``, or ``AnnotationsError`` naming the file and the field."""
    path = Path(path)
    obj = read_json(path, what=WHAT, error=AnnotationsError, max_bytes=MAX_FILE_BYTES)
    return from_json(obj, where=str(path), error=AnnotationsError)


def read_merged(paths: Sequence[Path | str]) -> tuple[AnnotationSet, list[str]]:
    """Several annotation files as one set (see ``core.annotations.merge``), with warnings
    naming the files made on another dataset version than the first."""
    sets = [read_annotations(p) for p in paths]
    merged, _ = merge(sets)
    warnings = [
        f"{p}: made on dataset version {s.dataset_fingerprint}, {paths[0]} on "
        f"{sets[0].dataset_fingerprint}."
        for p, s in zip(paths[1:], sets[1:], strict=True)
        if s.dataset_fingerprint != sets[0].dataset_fingerprint
    ]
    return merged, warnings


def write_annotations(path: Path | str, annotations: AnnotationSet) -> None:
    """Write ``annotations`` to ``path`` whole or not at all (deterministic bytes)."""
    write_bytes(Path(path), annotations.to_bytes(), AnnotationsError)


def path_beside(dataset_root: Path | str) -> Path:
    """Where a dataset's ``annotations.bstann`` goes: in its folder, or beside its zip or
    manifest file (whether or not it exists yet)."""
    root = Path(dataset_root)
    return (root if root.is_dir() else root.parent) / BESIDE_NAME


def annotations_beside(dataset_root: Path | str) -> Path | None:
    """``annotations.bstann`` in a dataset folder, or beside its zip or manifest file;
    None when there is none."""
    candidate = path_beside(dataset_root)
    return candidate if candidate.is_file() else None
