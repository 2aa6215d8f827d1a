"""What the reports say about clinic captures: inverted views, combined images, and
images that may show patient details.

Combined images are known from the index; polarity and burned-in text are known once a
view was decoded (``validate --deep`` decodes all of them, the app the views shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.datasets.images import decode_note


@dataclass(frozen=True)
class CaptureSummary:
    inverted: tuple[str, ...]  # "file (view)" of each display-inverted view
    combined: tuple[str, ...]  # files holding both views
    patient_details: tuple[str, ...]  # files with burned-in text beside the bodies
    decoded: int  # views whose pixels were read

    def lines(self) -> list[str]:
        out = []
        if self.inverted:
            n = len(self.inverted)
            out.append(f"{n} view{'s were' if n != 1 else ' was'} display-inverted; read with "
                       f"uptake bright: {', '.join(self.inverted)}")
        if self.combined:
            out.append(f"{len(self.combined)} combined image(s) (both views in one file, cut "
                       f"apart): {', '.join(self.combined)}")
        if self.patient_details:
            out.append(f"{len(self.patient_details)} image(s) may show patient details (burned-in "
                       "text beside the body); Instructor > Prepare teaching images writes "
                       f"de-identified copies: {', '.join(self.patient_details)}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "display_inverted": list(self.inverted),
            "combined_images": list(self.combined),
            "may_show_patient_details": list(self.patient_details),
        }


def summarize(dataset: Dataset) -> CaptureSummary:
    """The capture findings for every view of ``dataset`` decoded so far."""
    inverted: list[str] = []
    combined: dict[str, None] = {}
    details: dict[str, None] = {}
    decoded = 0
    for case in dataset.cases:
        for view in case.views:
            if view.combined is not None:
                combined[view.display_path] = None
            note = decode_note(view)
            if note is None:
                continue
            decoded += 1
            if note.inverted:
                inverted.append(f"{view.display_path} ({view.projection.value})")
            if note.may_show_patient_details:
                details[view.display_path] = None
    return CaptureSummary(tuple(inverted), tuple(combined), tuple(details), decoded)
