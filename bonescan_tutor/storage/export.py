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
``N1`` and ``NM`` lines (readers, cases without and with metastases, modalities), which
older iMRMC versions and RJafroc's reader require. IDs are the trainee's name and the
case key with commas, quotes and blanks replaced by ``_``.

Names and case keys are written as typed, but formula-looking text never becomes a live
formula: every writer sends its cells through ``storage.cells`` (strings in xlsx, a
leading apostrophe in CSV and iMRMC IDs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bonescan_tutor.core.answers import ScoredAnswer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.core.quiz import p_metastases
from bonescan_tutor.core.scoring import Summary
from bonescan_tutor.storage.atomic_file import replacing, write_bytes
from bonescan_tutor.storage.cells import csv_cell, text_cells
from bonescan_tutor.storage.progress_records import StoredAttempt
from bonescan_tutor.storage.results import answered_certainty


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
) -> list[dict[str, Any]]:
    """One plain row per attempt (the columns of ``ATTEMPT_COLUMNS``).

    ``older_dataset_version`` is True when the attempt was recorded on another dataset
    fingerprint than ``current_fingerprint`` (None: not known, left empty).
    """
    names = trainee_names or {}
    rows = []
    for s in attempts:
        a = s.attempt
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
) -> Path:
    """Write one CSV row per attempt (UTF-8, header row; columns ``ATTEMPT_COLUMNS``)."""
    import pandas as pd

    frame = pd.DataFrame(
        attempt_rows(attempts, trainee_names, current_fingerprint), columns=list(ATTEMPT_COLUMNS)
    )
    path = Path(path)
    with replacing(path, ExportError) as tmp:
        frame.map(csv_cell).to_csv(tmp, index=False)
    return path


def scored_answers(attempts: Sequence[StoredAttempt]) -> list[ScoredAnswer]:
    """Attempts as scoring input. Use only attempts whose label was shown (finished cases)."""
    return [
        ScoredAnswer(
            case_key=s.attempt.case_key,
            truth=s.truth.is_positive,
            decision=None if s.attempt.decision is None else s.attempt.decision.is_positive,
            certainty=answered_certainty(s.attempt.decision, s.attempt.certainty),
            time_s=s.attempt.time_on_case_s,
            answered_at=s.attempt.answered_at,
        )
        for s in attempts
    ]


def summary_row(trainee: str, s: Summary) -> dict[str, Any]:
    """The headline figures of one summary as flat columns (interval ends as _low/_high)."""
    m = s.metrics
    row: dict[str, Any] = {"trainee": trainee, "cases": s.n_attempts, "answered": s.n_answered}
    for name, p in (
        ("accuracy", m.accuracy),
        ("sensitivity", m.sensitivity),
        ("specificity", m.specificity),
        ("ppv", m.ppv),
        ("npv", m.npv),
    ):
        row[name] = p.estimate
        row[f"{name}_low"] = p.low
        row[f"{name}_high"] = p.high
        row[f"{name}_k"] = p.k
        row[f"{name}_n"] = p.n
    row["balanced_accuracy"] = m.balanced_accuracy.value
    row["kappa"] = m.kappa.value
    row["auc"] = s.auc.value
    row["auc_low"] = s.auc.low
    row["auc_high"] = s.auc.high
    row["brier"] = s.brier.value
    row["median_time_s"] = s.time.median_s
    return row


def export_workbook(
    attempts: Sequence[StoredAttempt],
    summary_by_trainee: Mapping[str, Summary],
    path: Path,
    trainee_names: Mapping[int, str] | None = None,
    current_fingerprint: str | None = None,
) -> Path:
    """An xlsx with sheets Summary (per trainee), Attempts, and one per session."""
    import pandas as pd

    rows = attempt_rows(attempts, trainee_names, current_fingerprint)
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


def _imrmc_id(text: str) -> str:
    return re.sub(r"[\s,;\"']+", "_", text.strip()) or "_"


def imrmc_rows(
    attempts: Sequence[StoredAttempt],
    trainee_names: Mapping[int, str] | None = None,
    modality: str = "reader",
) -> tuple[list[tuple[str, str, str, float]], dict[str, Diagnosis], set[str]]:
    """(reader rows, truth by case ID, reader IDs) from revealed, answered attempts."""
    names = trainee_names or {}
    latest: dict[tuple[str, str], tuple[float, float, Diagnosis]] = {}
    for s in attempts:
        a, truth = s.attempt, s.revealed_truth
        if truth is None or a.decision is None:
            continue
        reader = _imrmc_id(names.get(s.trainee_id, f"trainee{s.trainee_id}"))
        key = (reader, _imrmc_id(a.case_key))
        score = round(100.0 * p_metastases(a.decision, a.certainty), 6)
        if key not in latest or a.answered_at >= latest[key][0]:
            latest[key] = (a.answered_at, score, truth)
    mod = _imrmc_id(modality)
    rows = [(reader, case, mod, score) for (reader, case), (_, score, _t) in sorted(latest.items())]
    truths = {case: truth for (_, case), (_, _, truth) in latest.items()}
    return rows, truths, {reader for reader, _ in latest}


def export_imrmc(
    attempts: Sequence[StoredAttempt],
    path: Path,
    modality: str = "reader",
    trainee_names: Mapping[int, str] | None = None,
) -> Path:
    """Write an iMRMC input file (see the module doc for the exact layout)."""
    rows, truths, readers = imrmc_rows(attempts, trainee_names, modality)
    if not rows:
        raise UsageError(
            "Nothing to export for iMRMC: no answered case whose label has been shown."
        )
    n1 = sum(1 for t in truths.values() if t.is_positive)
    lines = [
        "bonescan-tutor reader scores for iMRMC",
        "score = P(metastases) x 100 from the decision and certainty; truth 1 = bone metastases",
        f"NR: {len(readers)}",
        f"N0: {len(truths) - n1}",
        f"N1: {n1}",
        "NM: 1",
        "BEGIN DATA:",
    ]
    for case in sorted(truths):
        lines.append(f"-1,{csv_cell(case)},truth,{1 if truths[case].is_positive else 0}")
    lines.extend(
        f"{csv_cell(r)},{csv_cell(c)},{csv_cell(m)},{score:g}" for r, c, m, score in rows
    )
    write_bytes(Path(path), ("\n".join(lines) + "\n").encode("utf-8"), ExportError)
    return Path(path)
