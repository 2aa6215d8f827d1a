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
``cases.xlsx`` in the dataset folder, or the file itself.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

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
from bonescan_tutor.datasets.images import ImageHeader, read_header
from bonescan_tutor.files import tables

MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx", "cases.csv", "cases.xlsx")
SUFFIXES = frozenset({".csv", ".xlsx"})
EXPECTED_SIZE = (256, 1024)

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


def _table(path: Path) -> tuple[int, dict[str, int], list[tuple[Cell, ...]]]:
    """(header row index, columns, all rows of the first sheet); the header is the first
    row near the top with every needed column, else the row naming the most of them."""
    sheets = sheet.read_table(path)
    rows = sheets[0] if sheets else []
    for i, row in enumerate(rows[: tables.HEADER_SEARCH_ROWS]):
        cols = tables.match_columns(row, COLUMNS)
        if _usable(cols):
            return i, cols, rows
    return -1, tables.best_header(rows, COLUMNS), rows


def find_manifest(root: Path) -> Path | None:
    """The manifest file: ``root`` itself when it is a CSV/XLSX, else a known name inside."""
    root = Path(root)
    if root.is_file():
        return root if root.suffix.lower() in SUFFIXES else None
    if not root.is_dir():
        return None
    present = {p.name.lower(): p for p in root.iterdir() if p.is_file()}
    for name in MANIFEST_NAMES:
        if name in present:
            return present[name]
    return None


def looks_like_manifest(path: Path) -> bool:
    """True for a CSV/XLSX file naming at least two manifest columns near its top (a
    manifest with a column missing, worth a message naming it)."""
    try:
        _, columns, _ = _table(path)
    except DatasetError:
        return False
    return len(columns) >= 2


def recognises(root: Path) -> bool:
    """True for a CSV/XLSX manifest (or a folder holding one) with the needed columns."""
    manifest = find_manifest(Path(root))
    if manifest is None:
        return False
    try:
        _, columns, _ = _table(manifest)
    except DatasetError:
        return False
    return _usable(columns)


def _safe_relative(base: Path, text: str) -> Path | None:
    """``base``/``text`` when ``text`` stays inside ``base``; None when it escapes."""
    posix = text.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        return None
    parts = PurePosixPath(posix).parts
    if ".." in parts:
        return None
    candidate = base.joinpath(*parts)
    if not candidate.resolve().is_relative_to(base.resolve()):
        return None  # a symbolic link pointing out of the folder
    return candidate


class _Refused(enum.Enum):
    """A path cell that must not be followed: its case is left out."""

    REFUSED = "refused"


class _RowReader:
    """Turns manifest rows into cases, reporting each problem with its row number."""

    def __init__(self, manifest: Path, columns: dict[str, int], report: ValidationReport) -> None:
        self.manifest = manifest
        self.base = manifest.parent
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
        where = f"{self.manifest.name} row {line}: "
        self.report.add(file or str(self.manifest), kind, where + message, severity, key)

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
        """The view; None when the cell is empty; REFUSED when the case must be left out."""
        column, text = self.source(row, proj)
        if not text:
            return None
        box = self.box(row, line, key, proj)
        if box is _Refused.REFUSED:
            return _Refused.REFUSED
        path = _safe_relative(self.base, text)
        if path is None:
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"the {column} path {text!r} points outside the manifest's folder; the "
                "case was left out. Use a path relative to the manifest, without '..'.",
                key,
            )
            return _Refused.REFUSED
        if not path.is_file():
            self.problem(
                line,
                ProblemKind.MISSING_VIEW,
                f"the {column} file {text!r} does not exist; that view was left out. "
                "Check the spelling or copy the image next to the manifest.",
                key,
                file=str(path),
            )
            return None
        try:
            header = read_header(path)
        except ImageError as exc:
            self.problem(line, ProblemKind.UNREADABLE_IMAGE, str(exc), key, file=str(path))
            return None
        combined = None
        if column == "image" and box is None:
            order = tables.cell_text(self.cell(row, "order")).replace("/", "").replace(" ", "")
            combined = "PA" if order.upper() in ("PA", "POSTERIORANTERIOR") else "AP"
        if box is not None and (box[2] > header.width or box[3] > header.height):
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"the {proj.value} box {','.join(map(str, box))} reaches outside {text} "
                f"({header.width} x {header.height} pixels); that view was left out. "
                "Correct the box.",
                key,
                file=str(path),
            )
            return None
        self.capture_notes(line, key, text, path, header, combined, box)
        if box is None and combined is None and (header.width, header.height) != EXPECTED_SIZE:
            self.problem(
                line,
                ProblemKind.UNEXPECTED_SIZE,
                f"{text} is {header.width} x {header.height} pixels, not the whole-body "
                f"{EXPECTED_SIZE[0]} x {EXPECTED_SIZE[1]}; it is shown as it is.",
                key,
                severity=Severity.WARNING,
                file=str(path),
            )
        width: int | None = box[2] - box[0] if box else header.width
        height: int | None = box[3] - box[1] if box else header.height
        if combined is not None:
            width = height = None  # known once the capture is split
        return View(
            proj, str(path), None, path.stat().st_size, width, height, header.mode,
            crop=box, combined=combined,
        )

    def capture_notes(
        self, line: int, key: str, text: str, path: Path, header: ImageHeader,
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
                         severity=Severity.INFO, file=str(path))
        if header.is_colour or header.bit_depth < 16 or header.format == "JPEG":
            kind = "colour" if header.is_colour else "grey"
            self.problem(line, ProblemKind.DISPLAY_CAPTURE,
                         f"{text} is a {header.width} x {header.height} {header.bit_depth}-bit "
                         f"{kind} {header.format or 'image'}"
                         + (" read as luminance" if header.is_colour else "")
                         + "; windowing presets mean % of each view's maximum.",
                         key, severity=Severity.INFO, file=str(path))

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


def read(root: Path, report: ValidationReport) -> Dataset:
    """Index the cases a manifest lists (image headers only); bad rows reported, left out."""
    root = Path(root)
    manifest = find_manifest(root)
    if manifest is None:
        raise DatasetError(
            f"{root}: no manifest found (looked for {', '.join(MANIFEST_NAMES)}). Put one of "
            "these beside the images, or open the CSV/XLSX file itself."
        )
    header_at, columns, rows = _table(manifest)
    if not _usable(columns):
        missing = [f for f in ("key", "diagnosis") if f not in columns]
        if not {"anterior", "posterior", "image"} & columns.keys():
            missing.append("anterior or posterior (or image)")
        message = (
            f"the manifest has no column for {', '.join(missing)}. Its first row must name "
            "the columns, e.g. case, anterior, posterior, diagnosis."
        )
        report.add(str(manifest), ProblemKind.MISSING_COLUMN, message)
        raise DatasetError(f"{manifest}: {message}")
    reader = _RowReader(manifest, columns, report)
    seen: dict[str, int] = {}
    cases: list[Case] = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if all(tables.cell_text(c) == "" for c in row):
            continue
        case = reader.case(row, index + 1, seen)
        if case is not None:
            cases.append(case)
    cases.sort(key=lambda c: natural_key(c.key))
    return Dataset(
        name=manifest.parent.name or manifest.stem,
        layout=Layout.MANIFEST,
        root=str(manifest.parent),
        cases=tuple(cases),
        fingerprint=fingerprint_cases(cases, salt=Layout.MANIFEST.value),
    )
