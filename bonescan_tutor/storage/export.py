"""Exports of stored attempts for instructors and reader-study tools: CSV, xlsx, iMRMC.

Every writer is atomic (temp file in the same folder, then ``os.replace``); a path that
cannot be written raises ``ExportError`` naming it, and nothing half-written is left.
pandas and openpyxl are imported inside the functions that need them.

Label hiding: a case's label (``truth``, ``correct``) is written only for attempts whose
label was shown to the trainee; other rows leave those cells empty, and the iMRMC
export uses revealed, answered attempts only.

iMRMC input (the FDA/DIDSR iMRMC program, https://github.com/DIDSR/iMRMC): free-text
study description lines, ending with a line ``BEGIN DATA:``; then one row per
observation ``readerID,caseID,modalityID,score`` with no column-name row. Truth rows
have readerID ``-1`` and score 0 (no metastases) or 1 (metastases), as iMRMC requires
one per case; we give them modalityID ``truth``. A reader's score is P(metastases) x 100
from the decision and certainty ("no metastases, 90 %" scores 10); the latest revealed
answer of each trainee to each case is used, unanswered cases are left out (iMRMC
accepts designs that are not fully crossed). The description carries ``NR``, ``N0``,
``N1`` and ``NM`` lines (readers, cases without and with metastases, modalities).

Reader and case IDs are numbers (1, 2, ...): readers in order of trainee name, one per
trainee (two trainees are never merged, whatever their names), cases in natural key
order. Two key tables are written beside the file, ``<name>.readers.csv``
(reader_id, trainee) and ``<name>.cases.csv`` (case_id, case_key, truth, truth_label):
``truth`` is the code (``metastases``/``no_metastases``), ``truth_label`` the class as
the dataset names it when the case was answered on the dataset open now (BS-80K:
"Abnormal"/"Normal"), else the generic label. The file
name ends in ``.imrmc`` (added when the given name ends otherwise): iMRMC reads
``.imrmc`` (as well as ``.csv`` and ``.omrmc``), and RJafroc's iMRMC reader
(``DfReadDataFile(..., format = "iMRMC")``) reads only ``.imrmc`` files with numeric
reader and case IDs.

Names and case keys are written as typed, but formula-looking text never becomes a live
formula: every writer sends its cells through ``storage.cells`` (strings in xlsx, a
leading apostrophe in CSV, the iMRMC key tables and its modality ID).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bonescan_tutor.core.answers import p_metastases
from bonescan_tutor.core.cases import Diagnosis, Layout, natural_key
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.core.localization import Localization
from bonescan_tutor.core.metric_registry import Table, metrics_for
from bonescan_tutor.core.scoring import Summary
from bonescan_tutor.storage.atomic_file import replacing, write_bytes
from bonescan_tutor.storage.cells import csv_cell, text_cells
from bonescan_tutor.storage.progress_records import StoredAttempt, latest_attempts


class ExportError(BonescanError):
    """An export that could not be written; the message names the file."""


ATTEMPT_COLUMNS = (
    "trainee",
    "session_id",
    "case_key",
    "position",
    "decision",
    "certainty",
    "p_metastases",
    "truth",
    "truth_label",
    "correct",
    "time_on_case_s",
    "answered_at",
    "timed_out",
    "label_shown",
    "dataset_fingerprint",
    "older_dataset_version",
)


def iso_utc(epoch_s: float) -> str:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def attempt_rows(
    attempts: Sequence[StoredAttempt],
    trainee_names: Mapping[int, str] | None = None,
    current_fingerprint: str | None = None,
    current_layout: Layout | None = None,
) -> list[dict[str, Any]]:
    """One plain row per attempt (the columns of ``ATTEMPT_COLUMNS``).

    ``older_dataset_version`` is True when the attempt was recorded on another dataset
    fingerprint than ``current_fingerprint`` (None: not known, left empty). ``truth`` is
    the code (``metastases``/``no_metastases``) and ``truth_label`` the class in the words
    of the dataset it was answered on when that is the open one (``current_layout``:
    BS-80K's "Abnormal"), else the app's own label.
    """
    names = trainee_names or {}
    rows = []
    for s in attempts:
        a = s.answer
        truth = s.revealed_truth
        rows.append(
            {
                "trainee": names.get(s.trainee_id, str(s.trainee_id)),
                "session_id": s.session_id,
                "case_key": a.case_key,
                "position": a.position,
                "decision": a.decision.value if a.decision else "",
                "certainty": a.certainty,
                "p_metastases": a.p_metastases,
                "truth": truth.value if truth else "",
                "truth_label": (
                    truth.label_in(
                        current_layout if s.dataset_fingerprint == current_fingerprint else None
                    )
                    if truth
                    else ""
                ),
                "correct": (a.decision is truth) if truth else None,
                "time_on_case_s": a.time_on_case_s,
                "answered_at": iso_utc(a.answered_at),
                "timed_out": a.timed_out,
                "label_shown": s.label_shown,
                "dataset_fingerprint": s.dataset_fingerprint,
                "older_dataset_version": (
                    None
                    if current_fingerprint is None
                    else s.dataset_fingerprint != current_fingerprint
                ),
            }
        )
    return rows


def export_attempts_csv(
    attempts: Sequence[StoredAttempt],
    path: Path,
    trainee_names: Mapping[int, str] | None = None,
    current_fingerprint: str | None = None,
    current_layout: Layout | None = None,
) -> Path:
    """Write one CSV row per attempt (UTF-8, header row; columns ``ATTEMPT_COLUMNS``)."""
    import pandas as pd

    frame = pd.DataFrame(
        attempt_rows(attempts, trainee_names, current_fingerprint, current_layout),
        columns=list(ATTEMPT_COLUMNS),
    )
    path = Path(path)
    with replacing(path, ExportError) as tmp:
        frame.map(csv_cell).to_csv(tmp, index=False)
    return path


def summary_row(trainee: str, s: Summary, loc: Localization | None = None,
                localized: bool = False) -> dict[str, Any]:
    """The export's figures of one trainee as flat columns (``core.metric_registry``:
    every metric the summary export carries, interval ends as _low/_high); with
    ``localized`` (case annotations were given) the figures of the marks from ``loc``
    too, empty for a trainee without any."""
    row: dict[str, Any] = {"trainee": trainee}
    for metric in metrics_for(Table.EXPORT, localized):
        row.update(metric.columns(s, loc))
    return row


def export_workbook(
    attempts: Sequence[StoredAttempt],
    summary_by_trainee: Mapping[str, Summary],
    path: Path,
    trainee_names: Mapping[int, str] | None = None,
    current_fingerprint: str | None = None,
    current_layout: Layout | None = None,
) -> Path:
    """An xlsx with sheets Summary (per trainee), Attempts, and one per session."""
    import pandas as pd

    rows = attempt_rows(attempts, trainee_names, current_fingerprint, current_layout)
    summary_frame = pd.DataFrame([summary_row(t, s) for t, s in summary_by_trainee.items()])
    attempts_frame = pd.DataFrame(rows, columns=list(ATTEMPT_COLUMNS))
    path = Path(path)
    with replacing(path, ExportError) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        summary_frame.to_excel(xw, sheet_name="Summary", index=False)
        attempts_frame.to_excel(xw, sheet_name="Attempts", index=False)
        for session_id in sorted({r["session_id"] for r in rows}):
            part = attempts_frame[attempts_frame["session_id"] == session_id]
            part.to_excel(xw, sheet_name=f"Session {session_id}"[:31], index=False)
        for ws in xw.book.worksheets:
            text_cells(ws)
    return path


IMRMC_SUFFIX = ".imrmc"


def imrmc_path(path: Path) -> tuple[Path, str | None]:
    """The name an iMRMC file is written under, and a note when it differs from ``path``:
    ``.imrmc`` is added to a name that ends otherwise (RJafroc reads only ``.imrmc``)."""
    p = Path(path)
    if p.suffix.lower() == IMRMC_SUFFIX:
        return p, None
    fixed = p.with_name(p.name + IMRMC_SUFFIX)
    return fixed, (
        f"{p.name} does not end in {IMRMC_SUFFIX}, the name iMRMC and RJafroc read: "
        f"wrote {fixed.name} instead."
    )


def imrmc_key_paths(path: Path) -> tuple[Path, Path]:
    """The reader and case key tables written beside an iMRMC file."""
    p, _ = imrmc_path(path)
    stem = p.name[: -len(IMRMC_SUFFIX)]
    return p.with_name(f"{stem}.readers.csv"), p.with_name(f"{stem}.cases.csv")


@dataclass(frozen=True)
class ImrmcTable:
    """Numbered readers and cases and the rows of an iMRMC file.

    ``rows`` are (reader ID, case ID, modality, score); ``truths`` maps case ID to the
    label; ``readers`` maps reader ID to the trainee's name; ``cases`` case ID to key;
    ``fingerprints`` case ID to the dataset version of a latest answer to it.
    """

    rows: list[tuple[int, int, str, float]]
    truths: dict[int, Diagnosis]
    readers: dict[int, str]
    cases: dict[int, str]
    fingerprints: dict[int, str]


def imrmc_rows(
    attempts: Sequence[StoredAttempt],
    trainee_names: Mapping[int, str] | None = None,
    modality: str = "reader",
) -> ImrmcTable:
    """The iMRMC table of revealed, answered attempts: one reader per trainee id."""
    names = trainee_names or {}
    read = [s for s in attempts if s.label_shown and s.answer.decision is not None]
    winners = {(s.trainee_id, s.answer.case_key): s for s in latest_attempts(read)}
    # in the order each (trainee, case) is first read: which reader's dataset version
    # names a case read by several stays what it was
    latest: dict[tuple[int, str], tuple[float, Diagnosis, str]] = {}
    for key in dict.fromkeys((s.trainee_id, s.answer.case_key) for s in read):
        s = winners[key]
        a = s.answer
        assert a.decision is not None  # unanswered cases were left out above
        score = round(100.0 * p_metastases(a.decision, a.certainty), 6)
        latest[key] = (score, s.truth, s.dataset_fingerprint)

    def name(trainee_id: int) -> str:
        return names.get(trainee_id, f"trainee{trainee_id}")

    trainees = sorted({t for t, _ in latest}, key=lambda t: (name(t).casefold(), name(t), t))
    reader_id = {t: i for i, t in enumerate(trainees, start=1)}
    keys = sorted({k for _, k in latest}, key=lambda k: (natural_key(k), k))
    case_id = {k: i for i, k in enumerate(keys, start=1)}
    mod = re.sub(r"[\s,;\"']+", "_", modality.strip()) or "_"
    rows = sorted(
        (reader_id[t], case_id[k], mod, score) for (t, k), (score, _t, _f) in latest.items()
    )
    truths = {case_id[k]: truth for (_, k), (_, truth, _f) in latest.items()}
    return ImrmcTable(
        rows,
        truths,
        {i: name(t) for t, i in reader_id.items()},
        {i: k for k, i in case_id.items()},
        {case_id[k]: fp for (_, k), (_, _t, fp) in latest.items()},
    )


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def export_imrmc(
    attempts: Sequence[StoredAttempt],
    path: Path,
    modality: str = "reader",
    trainee_names: Mapping[int, str] | None = None,
    current_fingerprint: str | None = None,
    current_layout: Layout | None = None,
) -> Path:
    """Write an iMRMC input file and its two key tables (see the module doc); returns
    the path written, which ends in ``.imrmc`` (``imrmc_path`` says when it was added).

    ``current_fingerprint``/``current_layout``: the dataset open now, whose own class
    names fill ``truth_label`` for cases answered on it."""
    table = imrmc_rows(attempts, trainee_names, modality)
    if not table.rows:
        raise UsageError(
            "Nothing to export for iMRMC: no answered case whose label has been shown."
        )
    target, _note = imrmc_path(path)
    readers_path, cases_path = imrmc_key_paths(target)
    n1 = sum(1 for t in table.truths.values() if t.is_positive)
    lines = [
        "bonescan-tutor reader scores for iMRMC",
        "score = P(metastases) x 100 from the decision and certainty; truth 1 = bone metastases",
        f"reader and case IDs: see {readers_path.name} and {cases_path.name}",
        f"NR: {len(table.readers)}",
        f"N0: {len(table.truths) - n1}",
        f"N1: {n1}",
        "NM: 1",
        "BEGIN DATA:",
    ]
    for case in sorted(table.truths):
        lines.append(f"-1,{case},truth,{1 if table.truths[case].is_positive else 0}")
    lines.extend(f"{r},{c},{csv_cell(m)},{score:g}" for r, c, m, score in table.rows)
    write_bytes(
        readers_path,
        _csv_text(("reader_id", "trainee"), sorted(table.readers.items())),
        ExportError,
    )
    write_bytes(
        cases_path,
        _csv_text(
            ("case_id", "case_key", "truth", "truth_label"),
            [
                (i, k, table.truths[i].value, table.truths[i].label_in(
                    current_layout if table.fingerprints[i] == current_fingerprint else None))
                for i, k in sorted(table.cases.items())
            ],
        ),
        ExportError,
    )
    write_bytes(target, ("\n".join(lines) + "\n").encode("utf-8"), ExportError)
    return target
