"""A manifest's rows turned into cases: one ``RowReader`` per reading, each problem
reported with its row number (the format is described in ``manifest``)."""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Sequence

from bonescan_tutor.core.cases import (
    Case,
    ClinicalInfo,
    Diagnosis,
    Projection,
    View,
    check_case_key,
)
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import captures
from bonescan_tutor.datasets.images import ImageHeader
from bonescan_tutor.datasets.tree import FileTree, Probe
from bonescan_tutor.files import tables

EXPECTED_SIZE = (256, 1024)
_DRIVE = re.compile(r"^[A-Za-z]:")

Cell = object


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


def _view_size(box: captures.Box | None, combined: str | None, header: ImageHeader
               ) -> tuple[int | None, int | None]:
    """A view's size in pixels: its box's, the whole image's, or not known yet for a
    combined image split when it is loaded."""
    if box is not None:
        return box[2] - box[0], box[3] - box[1]
    if combined is None:
        return header.width, header.height
    return None, None


class _Refused(enum.Enum):
    """A path cell that must not be followed: its case is left out."""

    REFUSED = "refused"


class RowReader:
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
        rel = self.path_inside(line, key, column, text)
        if rel is None:
            return _Refused.REFUSED
        combined = self.combined_order(row) if column == "image" and box is None else None
        shown = self.tree.display(rel)
        probe = self.probe_file(line, key, column, text, rel, shown)
        if probe is None or not self.box_fits(line, key, proj, text, shown, box, probe.header):
            return None
        header = probe.header
        self.capture_notes(line, key, text, shown, header, combined, box)
        if box is None and combined is None:
            self.note_size(line, key, text, shown, header)
        width, height = _view_size(box, combined, header)
        path, archive = self.tree.locate(rel)
        return View(proj, path, archive, probe.size, width, height, header.mode, crop=box,
                    combined=combined)

    def path_inside(self, line: int, key: str, column: str, text: str) -> str | None:
        """The tree path of a view's file; None (reported) when it leads out of the
        manifest's folder."""
        rel = _safe_relative(self.base, text)
        if rel is None or not self.tree.inside(rel):
            self.problem(
                line,
                ProblemKind.BAD_VALUE,
                f"the {column} path {text!r} points outside the manifest's folder; the "
                "case was left out. Use a path relative to the manifest, without '..'.",
                key,
            )
            return None
        return rel

    def combined_order(self, row: Sequence[Cell]) -> str:
        """How the row's combined image is laid out: ``"PA"`` when its order says posterior
        first, else ``"AP"``."""
        order = tables.cell_text(self.cell(row, "order")).replace("/", "").replace(" ", "")
        return "PA" if order.upper() in ("PA", "POSTERIORANTERIOR") else "AP"

    def probe_file(self, line: int, key: str, column: str, text: str, rel: str, shown: str
              ) -> Probe | None:
        """The file's header; None (reported) when it is missing, unreadable or cut short."""
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
        if probe.truncated:
            self.problem(line, ProblemKind.TRUNCATED_IMAGE,
                         f"{text} is cut short (no end marker); it was probably truncated "
                         "while copying; that view was left out. Copy it again.", key,
                         file=shown)
            return None
        return probe

    def box_fits(self, line: int, key: str, proj: Projection, text: str, shown: str,
                 box: captures.Box | None, header: ImageHeader) -> bool:
        """False (reported) when the view's box reaches outside its image."""
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
            return False
        return True

    def note_size(self, line: int, key: str, text: str, shown: str, header: ImageHeader
                  ) -> None:
        """Warn when a view of its own is not the whole-body size (it is shown as it is)."""
        if (header.width, header.height) != EXPECTED_SIZE:
            self.problem(
                line,
                ProblemKind.UNEXPECTED_SIZE,
                f"{text} is {header.width} x {header.height} pixels, not the whole-body "
                f"{EXPECTED_SIZE[0]} x {EXPECTED_SIZE[1]}; it is shown as it is.",
                key,
                severity=Severity.WARNING,
                file=shown,
            )

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
