"""The IICS-UNA layout (Zenodo record 13900966), from a folder or straight from the zip.

Class folders ("Bone metastases" / "No bone metastases") split by projection
("Anterior" / "Posterior"), files ``A<n>.png`` / ``P<n>.png`` paired by patient number,
and a spreadsheet with one row per patient. Every unconfirmed variant in DOMAIN.md is
tolerated: folder names in any case with spaces or underscores, any number of wrapper
folders, the header row anywhere near the top, dates as cells or text.

The spreadsheet is the source of the label. Where the folder a file sits in says
otherwise, the case is flagged doubtful and kept out of quizzes.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

from bonescan_tutor.core.cases import (
    Case,
    ClinicalInfo,
    Dataset,
    Diagnosis,
    Layout,
    Projection,
    View,
    fingerprint_cases,
)
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import sheet
from bonescan_tutor.datasets.reader import NO_PROGRESS, NOT_RECOGNISED, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree
from bonescan_tutor.files import tables

LAYOUT = Layout.IICS_UNA
LOOKS_FOR = ("IICS-UNA: images named A<n>.png / P<n>.png (in 'Bone metastases' / 'No bone "
             "metastases' folders, beside 'Bone Scan Images Dataset.xlsx'), as a folder or "
             "the zip from Zenodo")

EXPECTED_SIZE = (256, 1024)  # width, height
DEMO_MARKER = "SYNTHETIC_DEMO.txt"
IMAGE_NAME = re.compile(r"^([AP])[ _\-]?0*(\d+)\.png$", re.IGNORECASE)

COLUMNS: dict[str, tuple[str, ...]] = {
    "patient": ("patient", "patient number", "patient id", "paciente"),
    "anterior": ("image anterior view", "anterior view", "anterior"),
    "posterior": ("image posterior view", "posterior view", "posterior"),
    "format": ("format",),
    "date": ("acquisition date", "date"),
    "sex": ("sex", "gender"),
    "age": ("age",),
    "weight": ("weight",),
    "height": ("height",),
    "diagnosis": ("diagnosis classification", "diagnosis", "classification", "label"),
}


@dataclass
class _Image:
    rel: str
    projection: Projection
    folder_label: Diagnosis | None


@dataclass
class _Row:
    excel_row: int
    diagnosis: Diagnosis | None
    label_text: str
    clinical: ClinicalInfo


@dataclass
class _Patient:
    number: int
    images: dict[Projection, list[_Image]] = field(default_factory=lambda: defaultdict(list))
    rows: list[_Row] = field(default_factory=list)


def _folder_meaning(rel: str) -> tuple[Diagnosis | None, Projection | None]:
    label: Diagnosis | None = None
    projection: Projection | None = None
    for part in rel.split("/")[:-1]:
        words = tables.normalise(part)
        if words in {"anterior", "ant", "anterior view"}:
            projection = Projection.ANTERIOR
        elif words in {"posterior", "post", "posterior view"}:
            projection = Projection.POSTERIOR
        elif "metasta" in words:
            label = Diagnosis.parse(words) or label
    return label, projection


def _name(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def recognises(tree: FileTree) -> Recognition:
    """Likely with ``A<n>.png`` or ``P<n>.png`` images anywhere in the tree; more so when
    they sit in class folders or beside a spreadsheet."""
    files = tree.files()
    images = [f for f in files if IMAGE_NAME.match(_name(f))]
    if not images:
        return NOT_RECOGNISED
    classes = any("metasta" in tables.normalise(part) for f in images[:50]
                  for part in f.split("/")[:-1])
    book = any(f.lower().endswith((".xlsx", ".xlsm", ".xls")) for f in files)
    found = f"{len(images)} A<n>/P<n>.png image(s)" + (" in class folders" if classes else "") \
        + (" beside a spreadsheet" if book else "")
    return Recognition(0.8 if classes or book else 0.5, found)


def read(source: FileTree | str | os.PathLike[str], report: ValidationReport,
         progress: Progress = NO_PROGRESS) -> Dataset:
    """Index an IICS-UNA folder or zip (headers only); bad cases reported, left out."""
    with FileTree.opened(source) as tree:
        return _read(tree, report)


def _read(tree: FileTree, report: ValidationReport) -> Dataset:
    files = tree.files()
    patients: dict[int, _Patient] = {}
    for rel in files:
        m = IMAGE_NAME.match(_name(rel))
        if not m:
            if rel.lower().endswith((".png", ".jpg", ".jpeg", ".tif", ".tiff", ".dcm")):
                report.add(tree.display(rel), ProblemKind.UNRECOGNISED_FILE,
                           "image name is not A<number>.png or P<number>.png; ignored.",
                           Severity.INFO)
            continue
        projection = Projection.ANTERIOR if m.group(1).upper() == "A" else Projection.POSTERIOR
        folder_label, folder_projection = _folder_meaning(rel)
        if folder_projection is not None and folder_projection is not projection:
            report.add(tree.display(rel), ProblemKind.BAD_VALUE,
                       f"an {projection.value} image sits in a {folder_projection.value} folder; "
                       f"its name ({m.group(1).upper()}) was trusted.", Severity.WARNING,
                       m.group(2))
        number = int(m.group(2))
        patients.setdefault(number, _Patient(number)).images[projection].append(
            _Image(rel, projection, folder_label))
    if not patients:
        where = "zip" if tree.is_zip else "folder"
        raise DatasetError(
            f"{tree.root}: this {where} holds no scan images named A<number>.png / P<number>.png. "
            "Expected the IICS-UNA layout: 'Bone metastases' and 'No bone metastases' folders, each "
            "with 'Anterior' and 'Posterior' folders, plus 'Bone Scan Images Dataset.xlsx'."
        )

    have_labels = _read_spreadsheet(tree, files, patients, report)
    cases = [c for c in (_build_case(tree, p, have_labels, report)
                         for p in sorted(patients.values(), key=lambda p: p.number)) if c]
    if not cases:
        raise DatasetError(
            f"{tree.root}: none of the {len(patients)} patients found could be loaded"
            + ("; see the problems listed." if report.errors else "."))
    synthetic = any(_name(f) == DEMO_MARKER for f in files)
    name = "Synthetic demo (IICS-UNA layout)" if synthetic else "IICS-UNA bone scans"
    return Dataset(
        name=name,
        layout=Layout.IICS_UNA,
        root=str(tree.root),
        cases=tuple(cases),
        fingerprint=fingerprint_cases(cases, salt=Layout.IICS_UNA.value),
        synthetic=synthetic,
    )


def _read_spreadsheet(
    tree: FileTree, files: list[str], patients: dict[int, _Patient], report: ValidationReport
) -> bool:
    """Attach spreadsheet rows to patients. True when the sheet supplies the labels."""
    books = [f for f in files if f.lower().endswith((".xlsx", ".xlsm", ".xls"))]
    if not books:
        report.add(str(tree.root), ProblemKind.NO_SPREADSHEET,
                   "no spreadsheet found (expected 'Bone Scan Images Dataset.xlsx'); labels were "
                   "taken from the folder names and clinical details are missing.",
                   Severity.WARNING)
        return False
    table = None
    book = books[0]
    for book in books:
        try:
            sheets = sheet.xlsx_rows(tree.read_bytes(book), tree.display(book))
        except DatasetError as exc:
            report.add(tree.display(book), ProblemKind.BAD_SPREADSHEET,
                       f"{str(exc).split(': ', 1)[-1]} Labels were taken from the folder names.",
                       Severity.ERROR)
            continue
        for rows in sheets:
            table = tables.find_table(rows, COLUMNS, required=("patient",))
            if table is not None:
                break
        if table is not None:
            break
        report.add(tree.display(book), ProblemKind.MISSING_COLUMN,
                   "no header row with a PATIENT column in the first "
                   f"{tables.HEADER_SEARCH_ROWS} rows; labels were taken from the folder names.",
                   Severity.ERROR)
    if table is None:
        return False
    label_column = "diagnosis" in table.columns
    if not label_column:
        report.add(tree.display(book), ProblemKind.MISSING_COLUMN,
                   "the spreadsheet has no DIAGNOSIS CLASSIFICATION column; labels were taken from "
                   "the folder names.", Severity.ERROR)
    for excel_row, cells in table.rows:
        number = tables.parse_int(table.cell(cells, "patient"))
        where = f"{tree.display(book)} row {excel_row}"
        if number is None:
            report.add(where, ProblemKind.BAD_VALUE,
                       f"PATIENT is {table.cell(cells, 'patient')!r}, not a number; row ignored.",
                       Severity.WARNING)
            continue
        label_text = str(table.cell(cells, "diagnosis") or "").strip()
        clinical = _clinical(table, cells, where, str(number), report)
        row = _Row(excel_row, Diagnosis.parse(label_text) if label_column else None,
                   label_text, clinical)
        patients.setdefault(number, _Patient(number)).rows.append(row)
    return label_column


def _clinical(table: tables.Table, cells: tuple[object, ...], where: str, key: str,
              report: ValidationReport) -> ClinicalInfo:
    raw_date = table.cell(cells, "date")
    date = tables.parse_date(raw_date)
    if raw_date is not None and date is None:
        report.add(where, ProblemKind.BAD_VALUE,
                   f"ACQUISITION DATE {raw_date!r} is not a date; left blank.", Severity.INFO, key)
    measures = {field: _measure(table, cells, field, where, key, report)
                for field in ("age", "weight", "height")}
    age = measures["age"]
    return ClinicalInfo(
        age=int(age) if age is not None else None,
        sex=tables.parse_sex(table.cell(cells, "sex")),
        weight_kg=measures["weight"],
        height_cm=measures["height"],
        acquisition_date=date,
    )


def _measure(table: tables.Table, cells: tuple[object, ...], field: str, where: str, key: str,
             report: ValidationReport) -> float | None:
    raw = table.cell(cells, field)
    try:
        return tables.parse_measure(raw, field)
    except ValueError as exc:
        report.add(where, ProblemKind.BAD_VALUE,
                   f"{field.upper()} {tables.cell_text(raw)[:40]!r} {exc}; left blank.",
                   Severity.WARNING, key)
        return None


def _build_case(tree: FileTree, p: _Patient, have_labels: bool,
                report: ValidationReport) -> Case | None:
    """The patient's case, or None when it is left out (every reason reported)."""
    key = str(p.number)
    views, folder_labels = _index_views(tree, p, key, report)
    anchor = tree.display(p.images[next(iter(p.images))][0].rel) if p.images else str(tree.root)
    if not _has_row_and_images(tree, p, have_labels, anchor, key, report):
        return None
    clinical = p.rows[0].clinical if p.rows else ClinicalInfo()
    label = (_sheet_label(tree, p, folder_labels, anchor, key, report) if have_labels
             else _folder_label(folder_labels, anchor, key, report))
    if label is None or not views:
        return None
    diagnosis, doubtful = label
    _report_missing_views(p, anchor, key, report)
    # The layout promises both views: a case missing one (absent or failed) is browsed only.
    missing = tuple(proj for proj in Projection if proj not in views)
    return Case(key, diagnosis, views.get(Projection.ANTERIOR), views.get(Projection.POSTERIOR),
                clinical, label_doubtful=doubtful, missing_views=missing)


def _index_views(tree: FileTree, p: _Patient, key: str, report: ValidationReport
                 ) -> tuple[dict[Projection, View], set[Diagnosis]]:
    """The readable view of each projection (the first image of it) and the class folders
    the patient's images sit in."""
    views: dict[Projection, View] = {}
    folder_labels: set[Diagnosis] = set()
    for projection, images in p.images.items():
        if len(images) > 1:
            report.add(tree.display(images[0].rel), ProblemKind.DUPLICATE_KEY,
                       f"patient {key} has {len(images)} {projection.value} images ("
                       + ", ".join(i.rel for i in images) + "); the first was used.",
                       Severity.WARNING, key)
        folder_labels.update(i.folder_label for i in images if i.folder_label is not None)
        view = _index_view(tree, images[0], key, report)
        if view is not None:
            views[projection] = view
    return views, folder_labels


def _has_row_and_images(tree: FileTree, p: _Patient, have_labels: bool, anchor: str, key: str,
                        report: ValidationReport) -> bool:
    """False (reported) for images the labelling sheet has no row for, or a row without images."""
    if have_labels and not p.rows and p.images:
        report.add(anchor, ProblemKind.IMAGES_WITHOUT_ROW,
                   f"patient {key} has images but no spreadsheet row; left out (the spreadsheet "
                   "is the source of the label). Add the row to include it.", Severity.ERROR, key)
        return False
    if p.rows and not p.images:
        report.add(str(tree.root), ProblemKind.ROW_WITHOUT_IMAGES,
                   f"spreadsheet row {p.rows[0].excel_row} (patient {key}) has no images; "
                   f"expected A{key}.png and P{key}.png.", Severity.WARNING, key)
        return False
    return True


def _sheet_label(tree: FileTree, p: _Patient, folder_labels: set[Diagnosis], anchor: str,
                 key: str, report: ValidationReport) -> tuple[Diagnosis, bool] | None:
    """The spreadsheet's label and whether a class folder doubts it; None (reported) when the
    rows disagree or the label is neither class."""
    if not _rows_agree(tree, p, key, report):
        return None
    diagnosis = p.rows[0].diagnosis
    if diagnosis is None:
        report.add(str(tree.root), ProblemKind.UNKNOWN_LABEL,
                   f"patient {key}: the label {p.rows[0].label_text!r} on spreadsheet row "
                   f"{p.rows[0].excel_row} is neither 'Bone metastases' nor 'No bone "
                   "metastases'; left out.", Severity.ERROR, key)
        return None
    doubtful = bool(folder_labels) and folder_labels != {diagnosis}
    if doubtful:
        report.add(anchor, ProblemKind.LABEL_CONFLICT,
                   f"patient {key}: the spreadsheet says '{diagnosis.label}' but the image "
                   "sits in a folder that says otherwise; kept for browsing, left out of "
                   "quizzes.", Severity.WARNING, key)
    return diagnosis, doubtful


def _rows_agree(tree: FileTree, p: _Patient, key: str, report: ValidationReport) -> bool:
    """True unless the patient's spreadsheet rows carry different labels; a repeated row is
    reported either way."""
    if len(p.rows) <= 1:
        return True
    agree = len({r.diagnosis for r in p.rows}) == 1
    report.add(str(tree.root), ProblemKind.DUPLICATE_KEY,
               f"patient {key} appears on {len(p.rows)} spreadsheet rows ("
               + ", ".join(str(r.excel_row) for r in p.rows) + ")"
               + ("; the first row was used." if agree
                  else "; left out because their labels differ."),
               Severity.WARNING if agree else Severity.ERROR, key)
    return agree


def _folder_label(folder_labels: set[Diagnosis], anchor: str, key: str,
                  report: ValidationReport) -> tuple[Diagnosis, bool] | None:
    """Without a labelling sheet, the one class folder the images sit in; None (reported)
    when there is none or they disagree."""
    if len(folder_labels) != 1:
        why = "no class folder" if not folder_labels else "class folders that disagree"
        report.add(anchor, ProblemKind.UNKNOWN_LABEL,
                   f"patient {key}: the label cannot be told ({why}, and no spreadsheet "
                   "label); left out.", Severity.ERROR, key)
        return None
    return next(iter(folder_labels)), False


def _report_missing_views(p: _Patient, anchor: str, key: str, report: ValidationReport) -> None:
    for projection in Projection:
        if projection not in p.images:  # an unreadable image was reported where it was read
            report.add(anchor, ProblemKind.MISSING_VIEW,
                       f"patient {key} has no {projection.value} view "
                       f"({projection.letter}{key}.png); the case shows one view and is left "
                       "out of quizzes.", Severity.WARNING, key)


def _index_view(tree: FileTree, image: _Image, key: str, report: ValidationReport) -> View | None:
    name = tree.display(image.rel)
    try:
        probe = tree.probe(image.rel)
    except ImageError as exc:
        message = str(exc).split(": ", 1)[-1]
        kind = ProblemKind.EMPTY_FILE if "empty" in message else (
            ProblemKind.IMAGE_TOO_LARGE if "bomb" in message else ProblemKind.UNREADABLE_IMAGE)
        report.add(name, kind, message, Severity.ERROR, key)
        return None
    header = probe.header
    if probe.truncated:
        report.add(name, ProblemKind.TRUNCATED_IMAGE,
                   "the PNG is cut short (no end marker); it was probably truncated while "
                   "copying. Copy it again from the original dataset.", Severity.ERROR, key)
        return None
    if (header.width, header.height) != EXPECTED_SIZE:
        report.add(name, ProblemKind.UNEXPECTED_SIZE,
                   f"{header.width} x {header.height} pixels instead of "
                   f"{EXPECTED_SIZE[0]} x {EXPECTED_SIZE[1]}; shown as it is.", Severity.WARNING,
                   key)
    if header.is_colour:
        report.add(name, ProblemKind.COLOUR_IMAGE,
                   f"a colour ({header.mode}) image; converted to gray (luminance).",
                   Severity.INFO, key)
    return tree.view(image.projection, image.rel, header, probe.size)
