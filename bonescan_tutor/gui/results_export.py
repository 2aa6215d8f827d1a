"""The dashboard's Export menu: the trainee's answers as xlsx, CSV or iMRMC input, and
their marks as RJafroc's JAFROC workbook, written by the same functions as
``bonescan-tutor report --export/--imrmc/--rjafroc``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.cases import Layout
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.storage.progress import ProgressStore, Trainee

FILTERS = {
    "xlsx": ("Excel workbook (*.xlsx)", ".xlsx"),
    "csv": ("CSV file (*.csv)", ".csv"),
    "imrmc": ("iMRMC input (*.imrmc)", ".imrmc"),
    "rjafroc": ("RJafroc JAFROC workbook (*.xlsx)", ".xlsx"),
}


def export_results(parent: QWidget, store: ProgressStore, trainee: Trainee, kind: str,
                   fingerprint: str | None, layout: Layout | None = None,
                   annotations: AnnotationSet | None = None) -> Path | None:
    from bonescan_tutor.core.scoring import summary
    from bonescan_tutor.storage.export import (
        export_attempts_csv,
        export_imrmc,
        export_workbook,
        imrmc_key_paths,
    )

    if kind == "rjafroc" and annotations is None:
        QMessageBox.information(
            parent, "Export results",
            "The RJafroc workbook scores lesion marks against an expert's annotations, and "
            "the open dataset has none: put annotations.bstann beside it, open one with File "
            "> Open annotations, or make one with Instructor > Annotate cases.")
        return None
    name_filter, suffix = FILTERS[kind]
    default = f"{trainee.name}-bonescan{suffix}".replace(" ", "_")
    path_text, _ = QFileDialog.getSaveFileName(parent, "Export results", default, name_filter)
    if not path_text:
        return None
    path = Path(path_text)
    attempts = [a for a in store.attempts(trainee=trainee) if a.label_shown]
    names = {trainee.id: trainee.name}
    path_note = ""
    try:
        if kind == "xlsx":
            export_workbook(attempts, {trainee.name: summary([s.answer for s in attempts])}, path,
                            trainee_names=names, current_fingerprint=fingerprint,
                            current_layout=layout)
        elif kind == "csv":
            export_attempts_csv(attempts, path, trainee_names=names, current_fingerprint=fingerprint,
                                current_layout=layout)
        elif kind == "rjafroc":
            from bonescan_tutor.storage.rjafroc import export_rjafroc, rjafroc_key_paths

            assert annotations is not None
            path, notes = export_rjafroc(attempts, annotations, path, names)
            readers, cases = rjafroc_key_paths(path)
            path_note = "".join(f"\n{n}" for n in notes)
            path_note += f"\n(reader and case keys: {readers.name}, {cases.name})"
        else:
            path = export_imrmc(attempts, path, trainee_names=names,
                                current_fingerprint=fingerprint, current_layout=layout)
            readers, cases = imrmc_key_paths(path)
            path_note = f"\n(reader and case keys: {readers.name}, {cases.name})"
    except BonescanError as exc:
        QMessageBox.warning(parent, "Export results", str(exc))
        return None
    QMessageBox.information(parent, "Export results", f"Wrote {len(attempts)} answers to\n{path}{path_note}")
    return path
