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

import enum
import os
import posixpath
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from bonescan_tutor.core.cases import (
    Case,
    ClinicalInfo,
    Dataset,
    Diagnosis,
    Layout,
    Projection,
    View,
    check_case_key,
    fingerprint_cases,
    natural_key,
)
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import captures, sheet
from bonescan_tutor.datasets.images import ImageHeader
from bonescan_tutor.datasets.reader import NO_PROGRESS, NOT_RECOGNISED, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree
from bonescan_tutor.files import tables

LAYOUT = Layout.MANIFEST
LOOKS_FOR = ("a case manifest: manifest.csv, manifest.xlsx, cases.csv or cases.xlsx (or the "
             "CSV/XLSX file itself) with case, anterior, posterior (or image) and diagnosis "
             "columns")

MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx", "cases.csv", "cases.xlsx")
SUFFIXES = frozenset({".csv", ".xlsx"})
EXPECTED_SIZE = (256, 1024)
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
_DRIVE = re.compile(r"^[A-Za-z]:")

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


def _safe_relative(base: str, text: str) -> str | None:
    """``text`` under ``base`` (relative to the tree) when it stays inside ``base``; None
    when it climbs out (``..``, absolute, a drive letter)."""
    posix = text.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        return None
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if ".." in parts or not parts:
        return None
    return "/".join([base, *parts] if base else parts)


class _Refused(enum.Enum):
    """A path cell that must not be followed: its case is left out."""

    REFUSED = "refused"


class _RowReader:
    """Turns manifest rows into cases, reporting each problem with its row number."""

    def __init__(self, tree: FileTree, manifest: str, columns: dict[str, int],
                 report: ValidationReport) -> None:
        self.tree = tree
        self.manifest = manifest
        self.manifest_name = posixpath.basename(manifest)
        self.base = posixpath.dirname(manifest)
        self.columns = columns
        self.report = report
        self.noted: set[str] = set()

    def cell(self, row: Sequence[Cell], field: str) -> Cell:
        i = self.columns.get(field)
        return row[i] if i is not None and i < len(row) else None

    def problem(
        self,
        line: int,
        kind: ProblemKind,
        message: str,
        key: str | None = None,
        *,
        severity: Severity = Severity.ERROR,
        file: str | None = None,
    ) -> None:
        where = f"{self.manifest_name} row {line}: "
        self.report.add(file or self.tree.display(self.manifest), kind, where + message,
                        severity, key)

    def source(self, row: Sequence[Cell], proj: Projection) -> tuple[str, str]:
        """(column, file text) a view comes from: its own column, else the row's image."""
        own = tables.cell_text(self.cell(row, proj.value))
        if own:
            return proj.value, own
        return "image", tables.cell_text(self.cell(row, "image"))

    def box(self, row: Sequence[Cell], line: int, key: str, proj: Projection
            ) -> captures.Box | _Refused | None:
        field = f"{proj.value}box"
        text = tables.cell_text(self.cell(row, field))
        if not text:
            return None
        try:
            return captures.parse_box(text)
        except ValueError as exc:
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"{proj.value} box {text[:40]!r}: {exc} (pixels, x1 and y1 exclusive); the "
                "case was left out.",
                key,
            )
            return _Refused.REFUSED

    def view(
        self, row: Sequence[Cell], line: int, key: str, proj: Projection
    ) -> View | _Refused | None:
        """The view; None when the cell is empty or the file fails its checks; REFUSED
        when the case must be left out."""
        column, text = self.source(row, proj)
        if not text:
            return None
        box = self.box(row, line, key, proj)
        if box is _Refused.REFUSED:
            return _Refused.REFUSED
        rel = _safe_relative(self.base, text)
        if rel is None or not self.tree.inside(rel):
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"the {column} path {text!r} points outside the manifest's folder; the "
                "case was left out. Use a path relative to the manifest, without '..'.",
                key,
            )
            return _Refused.REFUSED
        combined = None
        if column == "image" and box is None:
            order = tables.cell_text(self.cell(row, "order")).replace("/", "").replace(" ", "")
            combined = "PA" if order.upper() in ("PA", "POSTERIORANTERIOR") else "AP"
        path, archive = self.tree.locate(rel)
        width: int | None = box[2] - box[0] if box else None
        height: int | None = box[3] - box[1] if box else None
        shown = self.tree.display(rel)
        if not self.tree.is_file(rel):
            self.problem(
                line,
                ProblemKind.MISSING_VIEW,
                f"the {column} file {text!r} does not exist; that view was left out. "
                "Check the spelling or copy the image next to the manifest.",
                key,
                file=shown,
            )
            return None
        try:
            probe = self.tree.probe(rel)
        except ImageError as exc:
            self.problem(line, ProblemKind.UNREADABLE_IMAGE, str(exc), key, file=shown)
            return None
        header = probe.header
        if probe.truncated:
            self.problem(line, ProblemKind.TRUNCATED_IMAGE,
                         f"{text} is cut short (no end marker); it was probably truncated "
                         "while copying; that view was left out. Copy it again.", key,
                         file=shown)
            return None
        if box is not None and (box[2] > header.width or box[3] > header.height):
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"the {proj.value} box {','.join(map(str, box))} reaches outside {text} "
                f"({header.width} x {header.height} pixels); that view was left out. "
                "Correct the box.",
                key,
                file=shown,
            )
            return None
        self.capture_notes(line, key, text, shown, header, combined, box)
        if box is None and combined is None and (header.width, header.height) != EXPECTED_SIZE:
            self.problem(
                line,
                ProblemKind.UNEXPECTED_SIZE,
                f"{text} is {header.width} x {header.height} pixels, not the whole-body "
                f"{EXPECTED_SIZE[0]} x {EXPECTED_SIZE[1]}; it is shown as it is.",
                key,
                severity=Severity.WARNING,
                file=shown,
            )
        if box is None and combined is None:
            width, height = header.width, header.height
        return View(proj, path, archive, probe.size, width, height, header.mode, crop=box,
                    combined=combined)

    def capture_notes(
        self, line: int, key: str, text: str, shown: str, header: ImageHeader,
        combined: str | None, box: captures.Box | None,
    ) -> None:
        """Say once per file what the reader does with a capture (both views in one
        image; an 8-bit, colour or JPEG screen capture read as luminance)."""
        if text in self.noted:
            return
        self.noted.add(text)
        if combined is not None or box is not None:
            how = ("split automatically into the two tall body columns, anterior on the "
                   + ("right" if combined == "PA" else "left") + "; spot views and margins "
                   "are left out") if combined is not None else "cut out by the boxes given"
            self.problem(line, ProblemKind.COMBINED_IMAGE,
                         f"{text} is a combined image: the views are {how}.", key,
                         severity=Severity.INFO, file=shown)
        if header.is_colour or header.bit_depth < 16 or header.format == "JPEG":
            kind = "colour" if header.is_colour else "grey"
            self.problem(line, ProblemKind.DISPLAY_CAPTURE,
                         f"{text} is a {header.width} x {header.height} {header.bit_depth}-bit "
                         f"{kind} {header.format or 'image'}"
                         + (" read as luminance" if header.is_colour else "")
                         + "; windowing presets mean % of each view's maximum.",
                         key, severity=Severity.INFO, file=shown)

    def clinical(self, row: Sequence[Cell], line: int, key: str) -> ClinicalInfo:
        values: dict[str, float | None] = {}
        for field in ("age", "weight", "height"):
            raw = self.cell(row, field)
            try:
                values[field] = tables.parse_measure(raw, field)
            except ValueError as exc:
                values[field] = None
                self.bad_value(line, key, field, raw, str(exc))
        raw_date = self.cell(row, "date")
        date = tables.parse_date(raw_date)
        if date is None and tables.cell_text(raw_date):
            self.bad_value(line, key, "date", raw_date, "is not understood")
        age = values["age"]
        return ClinicalInfo(
            age=int(age) if age is not None else None,
            sex=tables.cell_text(self.cell(row, "sex"))[:40] or None,
            weight_kg=values["weight"],
            height_cm=values["height"],
            acquisition_date=date,
            note=tables.cell_text(self.cell(row, "note")) or None,
        )

    def bad_value(self, line: int, key: str, field: str, raw: Cell, why: str) -> None:
        self.problem(
            line,
            ProblemKind.BAD_VALUE,
            f"{field} {tables.cell_text(raw)[:40]!r} {why}; it was left blank.",
            key,
            severity=Severity.WARNING,
        )

    def case(self, row: Sequence[Cell], line: int, seen: dict[str, int]) -> Case | None:
        key = tables.cell_text(self.cell(row, "key"))
        if not key:
            self.problem(line, ProblemKind.BAD_VALUE, "no case key; the row was skipped.")
            return None
        why = check_case_key(key)
        if why is not None:
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"case key {why}; the row was left out. Give the case a plain name "
                "such as 12 or A-12.",
            )
            return None
        if key in seen:
            self.problem(
                line,
                ProblemKind.DUPLICATE_KEY,
                f"case key {key!r} is already used on row {seen[key]}; this row was left out. "
                "Give every case its own key.",
                key,
            )
            return None
        seen[key] = line
        raw_label = self.cell(row, "diagnosis")
        diagnosis = Diagnosis.parse(raw_label)
        if diagnosis is None:
            self.problem(
                line,
                ProblemKind.UNKNOWN_LABEL,
                f"diagnosis {tables.cell_text(raw_label)!r} is not understood; the case was left out. "
                "Write 'Bone metastases' or 'No bone metastases'.",
                key,
            )
            return None
        ant = self.view(row, line, key, Projection.ANTERIOR)
        post = self.view(row, line, key, Projection.POSTERIOR)
        if ant is _Refused.REFUSED or post is _Refused.REFUSED:
            return None
        # The views a row names are the views it promises; one that failed keeps the
        # case out of quizzes (it can still be browsed).
        missing = tuple(
            proj for proj, got in ((Projection.ANTERIOR, ant), (Projection.POSTERIOR, post))
            if self.source(row, proj)[1] and not isinstance(got, View)
        )
        if not isinstance(ant, View) and not isinstance(post, View):
            self.problem(
                line,
                ProblemKind.ROW_WITHOUT_IMAGES,
                "no usable image for this case; it was left out.",
                key,
            )
            return None
        return Case(
            key=key,
            diagnosis=diagnosis,
            anterior=ant if isinstance(ant, View) else None,
            posterior=post if isinstance(post, View) else None,
            clinical=self.clinical(row, line, key),
            missing_views=missing,
        )


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
        reader = _RowReader(tree, manifest, columns, report)
        return _dataset(tree, manifest, _cases(tree, manifest, reader, body, progress))


def _cases(tree: FileTree, manifest: str, reader: _RowReader,
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
