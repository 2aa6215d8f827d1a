"""The cohort workbook (native Excel charts on a Summary sheet, one sheet per table), and
the per-trainee table as CSV.

Both begin with where the labels came from (``Cohort.banner``): the first line of the
CSV when they are the trainees' own, unverified; the first row of the Summary sheet
always. Every text cell goes through ``storage.cells`` (formula-like text stays text).

Sheets: Summary (headline figures, an accuracy distribution table, three charts),
Trainees, Items, Most missed (with case thumbnails when given), Answers (the response
matrix: trainees x cases, each cell the decision and certainty, e.g. "M80"), and with
case annotations a Lesions sheet (each annotated lesion and how many trainees found it)
and localization columns (LLF, NLF, wAFROC, ...) in the per-trainee table. The charts
are openpyxl chart objects that reference the sheets' cells, so Excel and LibreOffice
draw them natively and they stay live if a cell is corrected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.localization import Localization
from bonescan_tutor.core.scoring import Summary
from bonescan_tutor.storage.atomic_file import replacing
from bonescan_tutor.storage.cells import csv_cell, text_cells
from bonescan_tutor.storage.cohort import (
    Cohort,
    ItemStats,
    accuracies,
    item_analysis,
    most_missed,
    trainee_summaries,
)
from bonescan_tutor.storage.cohort_lesions import LesionRow, lesions_sheet
from bonescan_tutor.storage.export import ExportError, summary_row

OUT_SUFFIXES = (".xlsx", ".csv")

MOST_MISSED = 10
HIST_BINS = 10  # accuracy distribution in tenths: 0-10 %, ..., 90-100 %

ITEM_COLUMNS = (
    "case_key",
    "truth",
    "n",
    "difficulty",
    "discrimination",
    "point_biserial_corrected",  # item-rest: the item left out of the total
    "point_biserial_uncorrected",  # item-total: the item included (reads higher)
    "metastases",
    "no_metastases",
    "unanswered",
    "mean_certainty",
)
ANSWER_LEGEND = "M = metastases, N = no metastases, then the certainty %; - = no answer"


def item_row(s: ItemStats) -> list[Any]:
    return [
        s.case_key,
        s.truth.value,
        s.n,
        s.difficulty,
        s.discrimination,
        s.point_biserial_corrected,
        s.point_biserial,
        s.answer_spread["metastases"],
        s.answer_spread["no_metastases"],
        s.answer_spread["unanswered"],
        s.mean_certainty,
    ]


def accuracy_histogram(accuracies: list[float]) -> list[tuple[str, int]]:
    """Counts of trainees per tenth of accuracy; 100 % falls in the last bin."""
    counts = [0] * HIST_BINS
    for acc in accuracies:
        counts[min(HIST_BINS - 1, int(acc * HIST_BINS))] += 1
    step = 100 // HIST_BINS
    return [(f"{i * step}-{(i + 1) * step} %", counts[i]) for i in range(HIST_BINS)]


def write_cohort_workbook(
    cohort: Cohort,
    path: Path,
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    items: Sequence[ItemStats] | None = None,
    summaries: Mapping[str, Summary] | None = None,
    lesions: Sequence[LesionRow] | None = None,
    localization: Mapping[str, Localization] | None = None,
) -> Path:
    """Write the cohort workbook to ``path`` atomically (``ExportError`` if it cannot be).

    ``thumbnails`` maps case keys to PNG bytes for the Most missed sheet. ``items`` and
    ``summaries`` may be passed when already computed (``item_analysis``,
    ``trainee_summaries`` of this cohort) to save recomputing them. With annotations,
    ``lesions`` and ``localization`` (``storage.cohort_lesions.lesion_analysis``) add
    the Lesions sheet and the trainees' localization columns.
    """
    from openpyxl import Workbook

    items = list(items) if items is not None else item_analysis(cohort)
    summaries = summaries if summaries is not None else trainee_summaries(cohort)
    wb = Workbook()
    summary_ws: Any = wb.active
    summary_ws.title = "Summary"

    trainees = wb.create_sheet("Trainees")
    t_header, t_rows = trainee_table(cohort, summaries, localization)
    trainees.append(t_header)
    for row in t_rows:
        trainees.append(row)

    items_ws = wb.create_sheet("Items")
    items_ws.append(list(ITEM_COLUMNS))
    for s in items:
        items_ws.append(item_row(s))

    missed_ws = wb.create_sheet("Most missed")
    _most_missed_sheet(missed_ws, most_missed(items, MOST_MISSED), thumbnails or {})

    _answers_sheet(wb.create_sheet("Answers"), cohort, [s.case_key for s in items])
    if lesions is not None:
        lesions_sheet(wb.create_sheet("Lesions"), lesions)

    hist_row = _summary_sheet(summary_ws, cohort, accuracies(summaries), items)
    _charts(summary_ws, trainees, items_ws, t_header, len(t_rows), len(items), hist_row)
    for ws in wb.worksheets:
        text_cells(ws)
    path = Path(path)
    with replacing(path, ExportError) as tmp:
        wb.save(tmp)
    return path


def trainee_table(
    cohort: Cohort, summaries: Mapping[str, Summary],
    localization: Mapping[str, Localization] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of the per-trainee table: figures, status, file, app version, and
    the localization figures when ``localization`` is given (annotations were)."""
    rows = []
    for r in cohort.results:
        loc = localization.get(r.trainee) if localization is not None else None
        row = summary_row(r.trainee, summaries[r.trainee], loc, localized=localization is not None)
        row["status"] = r.status.value
        row["file"] = r.path.name if r.path else ""
        row["app_version"] = r.app_version
        rows.append(row)
    header = list(rows[0]) if rows else ["trainee"]
    return header, [[row[c] for c in header] for row in rows]


def write_cohort_csv(
    cohort: Cohort, path: Path, summaries: Mapping[str, Summary] | None = None,
    localization: Mapping[str, Localization] | None = None,
) -> Path:
    """Write the per-trainee table as CSV (UTF-8), atomically.

    When the labels are the trainees' own, the first line says so (one cell); then the
    header row and one row per trainee (with the localization columns when given).
    """
    summaries = summaries if summaries is not None else trainee_summaries(cohort)
    header, rows = trainee_table(cohort, summaries, localization)
    path = Path(path)
    with replacing(path, ExportError) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        if not cohort.truth_verified:
            out.writerow([cohort.banner])
        out.writerow(header)
        out.writerows([csv_cell(v) for v in row] for row in rows)
    return path


def check_out_path(path: Path) -> Path:
    """``path`` if it ends in .xlsx or .csv; else ``ExportError`` saying what to use."""
    path = Path(path)
    if path.suffix.lower() not in OUT_SUFFIXES:
        raise ExportError(
            f"{path}: a cohort is written as .xlsx (the workbook) or .csv (the per-trainee "
            f"table), not {path.suffix or 'a name without an extension'}. Choose one of those."
        )
    return path


def _summary_sheet(
    ws: Any, cohort: Cohort, accuracies: list[float], items: list[ItemStats]
) -> int:
    """Fill the Summary sheet; return the row of the accuracy distribution's header."""
    from openpyxl.styles import Alignment, Font

    mean_acc = sum(accuracies) / len(accuracies) if accuracies else None
    ws.append([cohort.banner])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=not cohort.truth_verified)
    ws.row_dimensions[1].height = 48
    ws.append(["Quiz set", cohort.quiz_set_title])
    ws.append(["Quiz set id", cohort.quiz_set_id])
    ws.append(["Trainees", len(cohort.results)])
    ws.append(["Cases", len(items)])
    ws.append(["Mean accuracy", mean_acc])
    ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
    ws.append(["Files not merged", len(cohort.problems)])
    ws.append([])
    ws.append(["Accuracy", "Trainees"])  # the distribution table the histogram reads
    hist_row: int = ws.max_row
    for label, count in accuracy_histogram(accuracies):
        ws.append([label, count])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    # Print (and PDF) the summary with its charts on one page width, landscape.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if cohort.problems or cohort.notes or cohort.warnings or cohort.duplicates:
        ws.append([])
        ws.append(["Files and notes"])
        for d in cohort.duplicates:
            ws.append(["several files", str(d)])
        for p in cohort.problems:
            ws.append([p.path.name, p.message])
        for w in cohort.warnings:
            ws.append([w.path.name, w.message])
        for note in cohort.notes:
            ws.append(["note", note])
    return hist_row


def _charts(
    summary: Any,
    trainees: Any,
    items: Any,
    t_header: list[str],
    n_tr: int,
    n_items: int,
    hist_row: int,
) -> None:
    from openpyxl.chart import BarChart, Reference, ScatterChart, Series

    if n_tr:
        bar = BarChart()
        bar.type = "col"
        bar.title = "Accuracy, sensitivity, specificity per trainee"
        bar.y_axis.title = "share"
        bar.y_axis.scaling.min = 0
        bar.y_axis.scaling.max = 1
        for name in ("accuracy", "sensitivity", "specificity"):
            col = t_header.index(name) + 1
            bar.add_data(
                Reference(trainees, min_col=col, min_row=1, max_row=n_tr + 1), titles_from_data=True
            )
        bar.set_categories(Reference(trainees, min_col=1, min_row=2, max_row=n_tr + 1))
        bar.y_axis.number_format = "0%"
        bar.width, bar.height = 18, 8
        _show_axes(bar)
        summary.add_chart(bar, "D1")

    hist = BarChart()
    hist.type = "col"
    hist.title = "Accuracy distribution"
    hist.x_axis.title = "accuracy"
    hist.y_axis.title = "trainees"
    hist.gapWidth = 10
    hist.legend = None
    hist.add_data(
        Reference(summary, min_col=2, min_row=hist_row, max_row=hist_row + HIST_BINS),
        titles_from_data=True,
    )
    hist.set_categories(
        Reference(summary, min_col=1, min_row=hist_row + 1, max_row=hist_row + HIST_BINS)
    )
    hist.width, hist.height = 18, 7
    _show_axes(hist)
    summary.add_chart(hist, "D18")

    if n_items:
        scatter = ScatterChart()
        scatter.title = "Item difficulty vs discrimination"
        scatter.style = 13
        scatter.x_axis.title = "difficulty (share correct)"
        scatter.y_axis.title = "discrimination"
        scatter.x_axis.scaling.min = 0
        scatter.x_axis.scaling.max = 1
        scatter.y_axis.scaling.min = -1
        scatter.y_axis.scaling.max = 1
        scatter.x_axis.number_format = "0%"
        scatter.x_axis.crosses = "min"  # difficulty labels along the bottom, not at y = 0
        xs = Reference(items, min_col=4, min_row=2, max_row=n_items + 1)
        ys = Reference(items, min_col=5, min_row=2, max_row=n_items + 1)
        series = Series(ys, xs, title="cases")
        series.marker.symbol = "circle"
        series.marker.size = 7
        series.marker.graphicalProperties.solidFill = "1F77B4"
        series.marker.graphicalProperties.line.solidFill = "1F77B4"
        series.graphicalProperties.line.noFill = True
        scatter.series.append(series)
        scatter.legend = None
        scatter.width, scatter.height = 18, 8
        _show_axes(scatter)
        summary.add_chart(scatter, "D33")


def _show_axes(chart: Any) -> None:
    """openpyxl 3.1 leaves ``delete`` unset, which Excel reads as "hide the axis"."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _most_missed_sheet(ws: Any, worst: list[ItemStats], thumbnails: Mapping[str, bytes]) -> None:
    from openpyxl.drawing.image import Image as XlImage

    ws.append(["rank", *ITEM_COLUMNS, "anterior view"])
    thumb_col = "L"
    ws.column_dimensions[thumb_col].width = 14
    for rank, s in enumerate(worst, start=1):
        ws.append([rank, *item_row(s)])
        png = thumbnails.get(s.case_key)
        if png:
            img = XlImage(io.BytesIO(png))
            ws.add_image(img, f"{thumb_col}{rank + 1}")
            ws.row_dimensions[rank + 1].height = max(15.0, img.height * 0.75 + 4)


def answer_code(decision: Diagnosis | None, certainty: int | None) -> str:
    """ "M80" / "N60" (decision and certainty), "M" without a certainty, "-" for no answer."""
    if decision is None:
        return "-"
    letter = "M" if decision.is_positive else "N"
    return letter if certainty is None else f"{letter}{certainty}"


def _answers_sheet(ws: Any, cohort: Cohort, keys: list[str]) -> None:
    """The response matrix: one row per trainee, one column per case (compact: a cohort of
    200 x 100 is 20,000 cells, where a long table would be 220,000 and slow to write)."""
    col = {k: j for j, k in enumerate(keys)}
    truth: dict[str, str] = {}
    ws.append(["trainee", "correct", *keys])
    rows = []
    for r in cohort.results:
        cells: list[Any] = [""] * len(keys)
        for a in r.attempts:
            cells[col[a.case_key]] = answer_code(a.decision, a.certainty)
            truth.setdefault(a.case_key, "M" if a.known_truth.is_positive else "N")
        rows.append([r.trainee, sum(a.correct for a in r.attempts), *cells])
    ws.append(["physician", None, *(truth.get(k, "") for k in keys)])
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append([ANSWER_LEGEND])
    ws.freeze_panes = "C3"
