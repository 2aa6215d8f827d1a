"""An instructor's own teaching cases, listed in a CSV or XLSX manifest.

One row per case: key, anterior file, posterior file, diagnosis, and optionally age,
sex, weight, height, date and a teaching note. Instead of two files a row may name one
``image`` (also ``combined``, ``study``): a clinic capture holding both whole-body views
side by side, split when it is first decoded (anterior on the left unless ``order`` says
``PA``); ``anterior box`` / ``posterior box`` (``x0,y0,x1,y1`` in pixels) give the views'
boxes explicitly. JPEG and colour captures are read as luminance. Header names are matched without
regard to case, spaces, hyphens or underscores, with a few synonyms (``COLUMNS``).
File paths are relative to the manifest's folder; they are data, so a path that
escapes that folder (``../``, absolute, a drive letter) is refused and the case left
out. The manifest is ``manifest.csv``, ``manifest.xlsx``, ``cases.csv`` or
``cases.xlsx`` in the dataset folder (or in a zip, at its top or one folder in), or the
file itself.

Every row's images are checked (existence, header, size, end marker): for tens of
thousands of cases that takes seconds, so the reading reports its progress and, when
asked, previews the cases checked so far (in the manifest's order) as it goes.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import PurePosixPath

from bonescan_tutor.core.cases import (
    Case,
    Dataset,
    Layout,
    fingerprint_cases,
    natural_key,
)
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ProblemKind, ValidationReport
from bonescan_tutor.datasets import sheet
from bonescan_tutor.datasets.manifest_rows import RowReader
from bonescan_tutor.datasets.reader import NO_PROGRESS, NOT_RECOGNISED, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree
from bonescan_tutor.files import tables

LAYOUT = Layout.MANIFEST
LOOKS_FOR = ("a case manifest: manifest.csv, manifest.xlsx, cases.csv or cases.xlsx (or the "
             "CSV/XLSX file itself) with case, anterior, posterior (or image) and diagnosis "
             "columns")

MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx", "cases.csv", "cases.xlsx")
SUFFIXES = frozenset({".csv", ".xlsx"})
HEAD_BYTES = 64 * 1024  # enough of a CSV to find its header row when recognising it
STEP_ROWS = 250  # rows checked between two progress reports
PREVIEW_STEPS = 20  # progress reports between two previews of the cases so far
UNCHECKED = "unchecked"  # the fingerprint of a preview

# Field -> accepted header spellings, already squashed (lower case, no separators).
# The boxes come first: "anterior box" would otherwise be taken for "anterior ...".
COLUMNS: dict[str, tuple[str, ...]] = {
    "anteriorbox": ("anteriorbox", "antbox", "anteriorcrop"),
    "posteriorbox": ("posteriorbox", "postbox", "posteriorcrop"),
    "key": ("case", "key", "id", "casekey", "caseid", "patient"),
    "anterior": ("anterior", "anteriorfile", "ant", "anteriorview", "anteriorimage"),
    "posterior": ("posterior", "posteriorfile", "post", "posteriorview", "posteriorimage"),
    "diagnosis": ("diagnosis", "label", "diagnosisclassification"),
    "age": ("age",),
    "sex": ("sex", "gender"),
    "weight": ("weight", "weightkg"),
    "height": ("height", "heightcm"),
    "date": ("date", "acquisitiondate", "studydate"),
    "note": ("note", "notes", "teachingnote", "teachingnotes", "comment"),
    "image": ("image", "combined", "study", "capture", "combinedimage", "studyimage"),
    "order": ("order", "vieworder"),
}

Cell = object


def _usable(columns: dict[str, int]) -> bool:
    return {"key", "diagnosis"} <= columns.keys() and bool(
        {"anterior", "posterior", "image"} & columns.keys()
    )


def _table(tree: FileTree, rel: str, *, head_only: bool = False
           ) -> tuple[int, dict[str, int], list[tuple[Cell, ...]]]:
    """(header row index, columns, rows of the first sheet); the header is the first
    row near the top with every needed column, else the row naming the most of them.
    ``head_only`` reads only a CSV's first lines (enough to recognise it)."""
    data = tree.read_bytes(rel, max_bytes=tables.MAX_TABLE_BYTES)
    name = tree.display(rel)
    if rel.lower().endswith(".csv"):
        if head_only and len(data) > HEAD_BYTES:
            data = data[: data.rfind(b"\n", 0, HEAD_BYTES) + 1 or HEAD_BYTES]
        sheets = [tables.csv_rows(data, name)]
    else:
        sheets = sheet.xlsx_rows(data, name)
    rows = sheets[0] if sheets else []
    for i, row in enumerate(rows[: tables.HEADER_SEARCH_ROWS]):
        cols = tables.match_columns(row, COLUMNS)
        if _usable(cols):
            return i, cols, rows
    return -1, tables.best_header(rows, COLUMNS), rows


def _known_name(files: list[str]) -> str | None:
    present = {posixpath.basename(f).lower(): f for f in files}
    return next((present[n] for n in MANIFEST_NAMES if n in present), None)


def find_manifest(tree: FileTree) -> str | None:
    """The manifest in ``tree``: the named table itself, else a known name at the top
    (in a zip, also one folder in)."""
    if tree.named is not None:
        return tree.named if PurePosixPath(tree.named).suffix.lower() in SUFFIXES else None
    files, folders = tree.children()
    found = _known_name(files)
    if found is None and tree.is_zip:
        found = next((f for d in folders if (f := _known_name(tree.children(d)[0]))), None)
    return found


def recognises(tree: FileTree) -> Recognition:
    """Sure for a manifest with the needed columns; a little for one that names some of
    them (read then says which column is missing)."""
    rel = find_manifest(tree)
    if rel is None:
        return NOT_RECOGNISED
    name = posixpath.basename(rel)
    try:
        _, columns, _ = _table(tree, rel, head_only=True)
    except DatasetError:
        return Recognition(0.1, f"{name}, which could not be read")
    if _usable(columns):
        return Recognition(1.0, f"{name} with the case columns")
    if len(columns) >= 2 or tree.named is None:
        return Recognition(0.2 if len(columns) >= 2 else 0.1,
                           f"{name}, without all of the case columns")
    return NOT_RECOGNISED


def read(source: FileTree | str | os.PathLike[str], report: ValidationReport,
         progress: Progress = NO_PROGRESS) -> Dataset:
    """Index the cases a manifest lists (image headers only); bad rows reported, left out.
    A ``progress`` that wants them sees previews of the cases checked so far."""
    with FileTree.opened(source) as tree:
        manifest = find_manifest(tree)
        if manifest is None:
            raise DatasetError(
                f"{tree.root}: no manifest found (looked for {', '.join(MANIFEST_NAMES)}). Put "
                "one of these beside the images, or open the CSV/XLSX file itself."
            )
        header_at, columns, rows = _table(tree, manifest)
        if not _usable(columns):
            missing = [f for f in ("key", "diagnosis") if f not in columns]
            if not {"anterior", "posterior", "image"} & columns.keys():
                missing.append("anterior or posterior (or image)")
            message = (
                f"the manifest has no column for {', '.join(missing)}. Its first row must name "
                "the columns, e.g. case, anterior, posterior, diagnosis."
            )
            report.add(tree.display(manifest), ProblemKind.MISSING_COLUMN, message)
            raise DatasetError(f"{tree.display(manifest)}: {message}")
        body = [(index + 1, rows[index]) for index in range(header_at + 1, len(rows))
                if any(tables.cell_text(c) != "" for c in rows[index])]
        reader = RowReader(tree, manifest, columns, report)
        return _dataset(tree, manifest, _cases(tree, manifest, reader, body, progress))


def _cases(tree: FileTree, manifest: str, reader: RowReader,
           body: Sequence[tuple[int, Sequence[Cell]]], progress: Progress) -> list[Case]:
    """Every row's case, its images checked; the cases so far are previewed after the
    first ``STEP_ROWS`` rows and every ``PREVIEW_STEPS`` steps after that."""
    seen: dict[str, int] = {}
    cases: list[Case] = []
    total = len(body)
    for done, (line, row) in enumerate(body):
        if done % STEP_ROWS == 0 and done:
            progress.step(done, total)
            if progress.wants_preview and (done == STEP_ROWS
                                           or done % (STEP_ROWS * PREVIEW_STEPS) == 0):
                progress.preview(_dataset(tree, manifest, cases, checked=False),
                                 ValidationReport(list(reader.report)))
        case = reader.case(row, line, seen)
        if case is not None:
            cases.append(case)
    progress.step(total, total)
    cases.sort(key=lambda c: natural_key(c.key))
    return cases


def _dataset(tree: FileTree, manifest: str, cases: list[Case], *, checked: bool = True
             ) -> Dataset:
    """The dataset; a preview of the cases so far has the fingerprint ``UNCHECKED`` (the
    whole set is not known yet)."""
    folder = posixpath.dirname(manifest)
    if tree.is_zip:
        root, name = str(tree.root), posixpath.basename(folder) or tree.root.stem
    else:
        where = tree.root / folder if folder else tree.root
        root, name = str(where), where.name or PurePosixPath(manifest).stem
    return Dataset(
        name=name,
        layout=Layout.MANIFEST,
        root=root,
        cases=tuple(cases),
        fingerprint=fingerprint_cases(cases, salt=Layout.MANIFEST.value) if checked
        else UNCHECKED,
    )
