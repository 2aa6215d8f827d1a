"""``open_dataset(path)``: choose the reader by layout, return the cases and the report.

Every reader in ``READERS`` says how sure it is that the folder, zip or table is its
layout (``recognises``); the surest reads it (on a tie, the first listed). When another
reader also recognised it, the report says which layout was chosen and why. To add a
layout, see ``bonescan_tutor.datasets``.
"""

from __future__ import annotations

import os
from pathlib import Path

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import bs80k, iics, manifest
from bonescan_tutor.datasets.reader import NO_PROGRESS, DatasetReader, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree

#: The layouts the app reads, surest first on a tie.
READERS: list[DatasetReader] = [manifest, bs80k, iics]


class UnusableDataset(DatasetError):
    """A dataset found but unusable; ``report`` holds the problems that made it so (never
    empty)."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


def open_dataset(path: str | os.PathLike[str], progress: Progress = NO_PROGRESS
                 ) -> tuple[Dataset, ValidationReport]:
    """Open a dataset folder, zip or manifest. Raises ``DatasetError`` when ``path`` is
    no dataset, ``UnusableDataset`` (with its problems) when a reader found one but could
    load nothing. A bad case is reported in the ``ValidationReport`` and left out; the
    rest load. ``progress`` hears of long checks and may see the cases before them."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"{p}: no such file or folder. Check the path and try again.")
    report = ValidationReport()
    try:
        with FileTree.open(p) as tree:
            reader = choose(p, tree, report)
            return reader.read(tree, report, progress), report
    except DatasetError as exc:
        if not report or isinstance(exc, UnusableDataset):
            raise
        raise UnusableDataset(str(exc), report) from exc


def choose(path: Path, tree: FileTree, report: ValidationReport) -> DatasetReader:
    """The reader surest of ``tree``; a note in ``report`` when others recognised it too;
    ``DatasetError`` naming ``path`` and what each reader looked for when none did."""
    scored: list[tuple[DatasetReader, Recognition]] = [
        (reader, reader.recognises(tree)) for reader in READERS]
    found = sorted(((r, s) for r, s in scored if s), key=lambda rs: -rs[1].score)
    if not found:
        raise DatasetError(_unrecognised(path, tree))
    best, sure = found[0]
    others = found[1:]
    if others:
        also = "; ".join(f"{r.LAYOUT.value} ({s.found}, {s.score:.0%})" for r, s in others)
        report.add(str(path), ProblemKind.AMBIGUOUS_LAYOUT,
                   f"read as {best.LAYOUT.value} ({sure.found}, {sure.score:.0%} sure); it "
                   f"also looks like {also}. To read it as another layout, open a folder "
                   "that holds that layout alone.", Severity.INFO)
    return best


def _unrecognised(path: Path, tree: FileTree) -> str:
    looked = "Looked for " + "; or ".join(reader.LOOKS_FOR for reader in READERS) + "."
    if tree.named is not None:
        return (f"{path}: this spreadsheet is not a case manifest (no case, diagnosis and "
                f"image columns near its top). {looked}")
    kind = "zip" if tree.is_zip else "folder"
    if not tree.files():
        return f"{path}: the {kind} is empty. {looked}"
    return (f"{path}: not a dataset this app can read: no reader recognised this {kind}. "
            f"{looked} Open the folder (or zip) that holds one of these.")
