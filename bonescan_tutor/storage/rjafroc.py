"""Trainees' click marks as localization input, and RJafroc's JAFROC workbook.

``read_cases`` turns stored attempts into ``core.localization.ReadCase`` per trainee:
the latest revealed, answered attempt of each trainee on each case, rated with
P(metastases) x 100 from its decision and certainty (``core.answers.p_metastases``, as the
iMRMC export rates it), with the marks the trainee clicked.

``export_rjafroc`` writes the FROC data in the "new" JAFROC Excel format that RJafroc's
``DfReadDataFile(fileName, format = "JAFROC")`` reads (``ReadJAFROCNewFormat`` and
``checkTruthTable`` in ``R/DfReadDataFile.R`` of https://github.com/dpc10ster/RJafroc,
and its example workbooks ``inst/extdata/toyFiles/FROC/frocCr.xlsx`` and
``inst/extdata/Froc.xlsx``). The rules as written there:

- an ``.xlsx`` file with exactly three sheets whose sorted upper-case names are ``FP`` (or
  ``NL``), ``TP`` (or ``LL``) and ``TRUTH`` (the check ``sort(toupper(sheets))`` means the
  NL/LL spelling cannot pass it, so the example workbooks' ``TP``, ``FP``, ``TRUTH`` are
  used);
- ``TRUTH``: columns ``CaseID, LesionID, Weight, ReaderID, ModalityID, Paradigm``; a normal
  case is one row with ``LesionID`` 0 and ``Weight`` 0; a case with metastases one row per
  lesion, ``LesionID`` 1, 2, ... in sequence and weights summing to 1 (here equal,
  1/lesions); ``ReaderID`` and ``ModalityID`` list every reader and modality of the fully
  crossed study, comma-separated; ``Paradigm`` holds ``FROC`` in its first row and the
  design ``FCTRL`` in its second, the rest empty;
- ``FP``: ``ReaderID, ModalityID, CaseID, FP_Rating``, one row per non-lesion localization,
  on any case in ``TRUTH``;
- ``TP``: ``ReaderID, ModalityID, CaseID, LesionID, TP_Rating``, one row per localized
  lesion, never on a normal case, never two for one (reader, modality, case, lesion).

Readers and cases are numbers, as in the iMRMC export: readers 1, 2, ... in order of
trainee name (one per trainee), cases 1, 2, ... in natural key order; one modality,
``1``. Key tables beside the workbook: ``<name>.readers.csv`` (reader_id, trainee) and
``<name>.cases.csv`` (case_id, case_key, truth, lesions). ``TRUTH`` lists exactly the
cases some trainee answered and that can be scored (a metastatic case without annotated
lesions is left out and named), with exactly their annotated lesions. RJafroc takes the
study as fully crossed: a case one trainee did not answer counts, for that trainee, as
read without any mark; ``export_rjafroc`` says which trainees that concerns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.answers import p_metastases
from bonescan_tutor.core.cases import natural_key
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.localization import Localization, MarkScores, ReadCase, score_marks
from bonescan_tutor.storage.atomic_file import replacing, write_bytes
from bonescan_tutor.storage.cells import csv_cell, text_cells
from bonescan_tutor.storage.export import ExportError
from bonescan_tutor.storage.progress_records import StoredAttempt, latest_attempts

SUFFIX = ".xlsx"
MODALITY = "1"
TRUTH_COLUMNS = ("CaseID", "LesionID", "Weight", "ReaderID", "ModalityID", "Paradigm")
FP_COLUMNS = ("ReaderID", "ModalityID", "CaseID", "FP_Rating")
TP_COLUMNS = ("ReaderID", "ModalityID", "CaseID", "LesionID", "TP_Rating")


def read_cases(attempts: Sequence[StoredAttempt]) -> dict[int, list[ReadCase]]:
    """Per trainee id, the latest revealed answered attempt of each case as a ``ReadCase``."""
    # The winners are picked first and only they become ReadCases: a dashboard of 10,000
    # answers then allocates a third of the objects, and the garbage collector, which
    # would walk every stored mark, runs less often.
    latest = {(s.trainee_id, s.answer.case_key): s for s in latest_attempts(
        s for s in attempts if s.label_shown and s.answer.decision is not None)}
    out: dict[int, list[ReadCase]] = {}
    for trainee, case_key in sorted(latest, key=lambda k: (k[0], natural_key(k[1]))):
        s = latest[trainee, case_key]
        a, truth = s.answer, s.truth
        assert a.decision is not None
        rating = round(100.0 * p_metastases(a.decision, a.certainty), 6)
        out.setdefault(trainee, []).append(
            ReadCase(case_key, truth.is_positive, rating, tuple(a.marks)))
    return out


def localization_by_trainee(
    attempts: Sequence[StoredAttempt], annotations: AnnotationSet
) -> dict[int, tuple[Localization, MarkScores]]:
    """Each trainee's localization figures and scored marks."""
    return {t: score_marks(cases, annotations) for t, cases in read_cases(attempts).items()}


@dataclass(frozen=True)
class JafrocTables:
    """The three sheets and the key tables of a JAFROC workbook, as rows."""

    truth: list[tuple[Any, ...]]
    fp: list[tuple[Any, ...]]
    tp: list[tuple[Any, ...]]
    readers: dict[int, str]
    cases: dict[int, tuple[str, bool, int]]  # case id -> (key, metastatic, lesions)
    left_out: tuple[str, ...]  # metastatic cases without annotated lesions
    not_crossed: dict[str, int]  # trainee -> scored cases they did not answer


def jafroc_tables(
    attempts: Sequence[StoredAttempt],
    annotations: AnnotationSet,
    trainee_names: Mapping[int, str] | None = None,
) -> JafrocTables:
    """The rows of the workbook (see the module docstring for the rules)."""
    names = trainee_names or {}
    scored = localization_by_trainee(attempts, annotations)

    def name(trainee_id: int) -> str:
        return names.get(trainee_id, f"trainee{trainee_id}")

    trainees = sorted(scored, key=lambda t: (name(t).casefold(), name(t), t))
    reader_id = {t: i for i, t in enumerate(trainees, start=1)}
    metastatic: dict[str, bool] = {}
    left_out: set[str] = set()
    for loc, marks in scored.values():
        metastatic.update((c.case_key, c.metastatic) for c in marks.cases)
        left_out.update(loc.unannotated)
    keys = sorted(metastatic, key=lambda k: (natural_key(k), k))
    case_id = {k: i for i, k in enumerate(keys, start=1)}
    readers_cell = ",".join(str(i) for i in reader_id.values())
    truth: list[list[Any]] = []
    cases: dict[int, tuple[str, bool, int]] = {}
    for k in keys:
        ann = annotations.get(k)
        n = len(ann.lesions) if metastatic[k] and ann else 0
        cases[case_id[k]] = (k, metastatic[k], n)
        if n == 0:
            truth.append([case_id[k], 0, 0, readers_cell, MODALITY, None])
        else:
            truth.extend([case_id[k], lesion, 1.0 / n, readers_cell, MODALITY, None]
                         for lesion in range(1, n + 1))
    for row, paradigm in zip(truth, ("FROC", "FCTRL"), strict=False):
        row[5] = paradigm
    fp: list[tuple[Any, ...]] = []
    tp: list[tuple[Any, ...]] = []
    not_crossed: dict[str, int] = {}
    for t in trainees:
        _, marks = scored[t]
        reader = str(reader_id[t])
        for i, lesion, rating in zip(marks.case_index.tolist(), marks.lesion.tolist(),
                                     marks.rating.tolist(), strict=True):
            cid = case_id[marks.cases[i].case_key]
            if lesion:
                tp.append((reader, MODALITY, cid, lesion, rating))
            else:
                fp.append((reader, MODALITY, cid, rating))
        missing = len(keys) - len(marks.cases)
        if missing:
            not_crossed[name(t)] = missing
    return JafrocTables(
        truth=[tuple(r) for r in truth],
        fp=sorted(fp),
        tp=sorted(tp),
        readers={i: name(t) for t, i in reader_id.items()},
        cases=cases,
        left_out=tuple(sorted(left_out, key=natural_key)),
        not_crossed=not_crossed,
    )


def rjafroc_path(path: Path) -> tuple[Path, str | None]:
    """The workbook's name, and a note when ``.xlsx`` had to be added (RJafroc reads only
    ``.xlsx``)."""
    p = Path(path)
    if p.suffix.lower() == SUFFIX:
        return p, None
    fixed = p.with_name(p.name + SUFFIX)
    return fixed, (f"{p.name} does not end in {SUFFIX}, the only name RJafroc reads: "
                   f"wrote {fixed.name} instead.")


def rjafroc_key_paths(path: Path) -> tuple[Path, Path]:
    """The reader and case key tables written beside a workbook."""
    p, _ = rjafroc_path(path)
    stem = p.name[: -len(SUFFIX)]
    return p.with_name(f"{stem}.readers.csv"), p.with_name(f"{stem}.cases.csv")


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def export_rjafroc(
    attempts: Sequence[StoredAttempt],
    annotations: AnnotationSet,
    path: Path,
    trainee_names: Mapping[int, str] | None = None,
) -> tuple[Path, list[str]]:
    """Write the JAFROC workbook and its key tables; return its path and notes to show
    (a changed name, cases left out, trainees who did not read every case)."""
    from openpyxl import Workbook

    target, note = rjafroc_path(path)
    tables = jafroc_tables(attempts, annotations, trainee_names)
    if len(tables.truth) < 2:
        raise UsageError(
            "Nothing to export for RJafroc: it needs at least two scored cases (or lesions), "
            "answered with their label shown, on annotated cases.")
    notes = [note] if note else []
    if tables.left_out:
        notes.append("left out, metastatic but without annotated lesions: case(s) "
                     + ", ".join(tables.left_out))
    notes.extend(
        f"{who} did not answer {n} of the exported cases; RJafroc counts them as read "
        "without a mark" for who, n in tables.not_crossed.items())
    wb = Workbook()
    sheets = (("TP", TP_COLUMNS, tables.tp), ("FP", FP_COLUMNS, tables.fp),
              ("TRUTH", TRUTH_COLUMNS, tables.truth))
    wb.remove(wb.worksheets[0])  # the default empty sheet
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for row in rows:
            ws.append(list(row))
        text_cells(ws)
    with replacing(target, ExportError) as tmp:
        wb.save(tmp)
    readers_csv, cases_csv = rjafroc_key_paths(target)
    write_bytes(readers_csv, _csv_bytes(("reader_id", "trainee"), sorted(tables.readers.items())),
                ExportError)
    write_bytes(cases_csv, _csv_bytes(
        ("case_id", "case_key", "truth", "lesions"),
        [(i, key, "metastases" if met else "no_metastases", n)
         for i, (key, met, n) in sorted(tables.cases.items())]), ExportError)
    return target, notes
