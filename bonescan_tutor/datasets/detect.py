"""``open_dataset(path)``: pick the reader by layout, return the cases and the report.

Checked in this order: a case manifest (a .csv/.xlsx file, or a folder holding
``manifest.csv``), a BS-80K whole-body folder, then the IICS-UNA layout (folder or zip).
"""

from __future__ import annotations

import os
from pathlib import Path

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets import bs80k, iics, manifest
from bonescan_tutor.datasets.tree import FileTree

EXPECTED = (
    "Expected one of: the IICS-UNA dataset (its folder or the zip from Zenodo, with "
    "'Bone metastases' / 'No bone metastases' folders of A<n>.png and P<n>.png images); "
    "a BS-80K folder with wholeBodyANT/ and wholeBodyPOST/; or a case manifest "
    "(manifest.csv or .xlsx with case, anterior, posterior and diagnosis columns)."
)


class UnusableDataset(DatasetError):
    """A dataset found but unusable; ``report`` holds the problems that made it so (never
    empty)."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


def open_dataset(path: str | os.PathLike[str]) -> tuple[Dataset, ValidationReport]:
    """Open a dataset folder, zip or manifest. Raises ``DatasetError`` when ``path`` is
    no dataset, ``UnusableDataset`` (with its problems) when a reader found one but could
    load nothing. A bad case is reported in the ``ValidationReport`` and left out; the
    rest load."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"{p}: no such file or folder. Check the path and try again.")
    report = ValidationReport()
    try:
        return _read(p, report), report
    except DatasetError as exc:
        if not report or isinstance(exc, UnusableDataset):
            raise
        raise UnusableDataset(str(exc), report) from exc


def _read(p: Path, report: ValidationReport) -> Dataset:
    if p.is_file() and p.suffix.lower() in (".csv", ".xlsx"):
        if manifest.recognises(p):
            return manifest.read(p, report)
        if manifest.looks_like_manifest(p):
            return manifest.read(p, report)  # raises, naming the missing column
        raise DatasetError(f"{p}: this spreadsheet is not a case manifest. {EXPECTED}")
    if p.is_dir():
        if manifest.find_manifest(p) is not None and manifest.recognises(p):
            return manifest.read(p, report)
        if bs80k.recognises(p):
            return bs80k.read(p, report)
    with FileTree.open(p) as tree:
        if not tree.files():
            kind = "zip" if tree.is_zip else "folder"
            raise DatasetError(f"{p}: the {kind} is empty. {EXPECTED}")
        if iics.recognises(tree):
            return iics.read(tree, report)
    if p.is_dir() and manifest.find_manifest(p) is not None:
        return manifest.read(p, report)  # raises, naming what the manifest lacks
    raise DatasetError(f"{p}: not a dataset this app can read. {EXPECTED}")
