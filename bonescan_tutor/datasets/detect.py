"""``open_dataset(path)``: pick the reader by layout, return the cases and the report."""

from __future__ import annotations

import os
from pathlib import Path

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets import iics
from bonescan_tutor.datasets.tree import FileTree

EXPECTED = (
    "Expected one of: the IICS-UNA dataset (its folder or the zip from Zenodo, with "
    "'Bone metastases' / 'No bone metastases' folders of A<n>.png and P<n>.png images)."
)


def open_dataset(path: str | os.PathLike[str]) -> tuple[Dataset, ValidationReport]:
    """Open a dataset folder or zip. Raises ``DatasetError`` when ``path`` is no dataset.

    A bad case is reported in the ``ValidationReport`` and left out; the rest load.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"{p}: no such file or folder. Check the path and try again.")
    report = ValidationReport()
    with FileTree.open(p) as tree:
        if not tree.files():
            raise DatasetError(f"{p}: the {'zip' if tree.is_zip else 'folder'} is empty. {EXPECTED}")
        if iics.recognises(tree):
            return iics.read(tree, report), report
    raise DatasetError(f"{p}: not a dataset this app can read. {EXPECTED}")
