"""The demo's ground truth as case annotations: where the generator planted each hot spot.

``phantom_annotations`` turns the ``Lesion`` list of each ``PhantomPatient`` into a
``core.annotations`` set: metastases become lesions, benign look-alikes become findings
(fracture, injection site, degenerative joint), each on the view where the generator drew
it visibly, at the pixel and radius it was drawn with. Nothing is guessed, so the demo's
localization scores are honest. ``write_phantom_annotations`` writes them as
``annotations.bstann`` into a finished demo folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bonescan_tutor.core.annotations import (
    BESIDE_NAME,
    AnnotationSet,
    CaseAnnotations,
    Mark,
)
from bonescan_tutor.datasets.phantom import Lesion, PhantomPatient

FINDING_KIND = {
    "fracture": "fracture",
    "injection": "injection site",
    "degenerative": "degenerative joint",
}
"""The generator's benign kinds, as ``.bstann`` finding kinds."""

FINDING_NOTE = {
    "fracture": "Healing rib fracture: one of a vertical line of small spots on consecutive "
                "ribs, typical of trauma, not of metastases.",
    "injection": "Tracer left at the injection site: a dense dot outside the skeleton.",
    "degenerative": "Degenerative joint: the same uptake on both sides.",
}


def _mark(les: Lesion, note: str = "", kind: str = "lesion") -> Mark:
    return Mark(les.projection, les.x, les.y, les.radius, les.region, note, kind).rounded()


def _teaching_point(p: PhantomPatient) -> str:
    mets = [les for les in p.lesions if les.kind == "metastasis"]
    benign = Counter(FINDING_KIND[les.kind] for les in p.lesions if les.kind != "metastasis")
    lines = []
    if p.superscan:
        lines.append("Superscan: intense uptake throughout the skeleton with faint kidneys "
                     "and bladder (diffuse metastatic disease), and focal deposits on top.")
    elif p.metastatic:
        regions = sorted({les.region for les in mets})
        lines.append("Metastases: focal asymmetric hot spots in the axial skeleton or "
                     f"proximal long bones ({', '.join(regions)}).")
    if mets:
        views = Counter(les.projection.value for les in mets)
        lines.append("Marked: " + ", ".join(f"{n} on the {view} view"
                                           for view, n in sorted(views.items())) + ".")
    else:
        lines.append("No metastases: no focal asymmetric uptake in the skeleton.")
    if benign:
        kinds = ", ".join(f"{kind} ({n} mark(s))" for kind, n in sorted(benign.items()))
        lines.append(f"Benign look-alikes not to call: {kinds}.")
    lines.append("Synthetic demo case: the marks are the generator's own truth.")
    return " ".join(lines)


def phantom_annotations(
    patients: Sequence[PhantomPatient], dataset_name: str, fingerprint: str
) -> AnnotationSet:
    """Every patient's planted hot spots, keyed by patient number (the demo's case keys)."""
    cases = {
        str(p.number): CaseAnnotations(
            lesions=tuple(_mark(les) for les in p.lesions if les.kind == "metastasis"),
            findings=tuple(_mark(les, FINDING_NOTE[les.kind], FINDING_KIND[les.kind])
                           for les in p.lesions if les.kind != "metastasis"),
            teaching_point=_teaching_point(p),
        )
        for p in patients
    }
    return AnnotationSet(dataset_name, fingerprint, cases)


def write_phantom_annotations(folder: Path, patients: Sequence[PhantomPatient]) -> Path:
    """Write ``annotations.bstann`` into the finished demo ``folder`` (images, spreadsheet and
    marker already there, so the dataset's name and fingerprint are those the app will see).
    """
    from bonescan_tutor.datasets.detect import open_dataset

    dataset, _ = open_dataset(folder)
    path = folder / BESIDE_NAME
    path.write_bytes(phantom_annotations(patients, dataset.name, dataset.fingerprint).to_bytes())
    return path
