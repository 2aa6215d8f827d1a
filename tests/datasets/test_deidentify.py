"""De-identified teaching copies: nothing of the burned-in text is left."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets import manifest
from bonescan_tutor.datasets.deidentify import deidentify_view, write_teaching_copy
from bonescan_tutor.datasets.images import decode_note
from tests.clinic_captures import LESION, make_capture


@pytest.mark.parametrize("inverted", [False, True])
def test_no_text_pixel_is_left_in_a_teaching_copy(tmp_path: Path, inverted: bool) -> None:
    marked = make_capture(tmp_path / "marked.png", inverted=inverted)
    clean = make_capture(tmp_path / "clean.png", inverted=inverted, text=False)
    with Image.open(marked.path) as a, Image.open(clean.path) as b:
        text = np.asarray(a) != np.asarray(b)  # every pixel the burned-in text touched
    assert text.sum() > 1000
    (tmp_path / "manifest.csv").write_text("case,image,diagnosis\n1,marked.png,Bone metastases\n")
    ds = manifest.read(tmp_path, ValidationReport())
    for projection in Projection:
        view = ds.case("1").view(projection)
        result = deidentify_view(view)
        note = decode_note(view)
        assert note is not None and note.box is not None
        x0, y0, x1, y1 = note.box
        inside = text[y0:y1, x0:x1]
        assert inside.any()  # the R / L marker lies inside the view's crop
        assert np.all(result.after[inside] == 0)
        assert np.count_nonzero(result.before[inside]) > 20  # the letter was there
        body = result.after > 0
        assert body.sum() > 0.5 * (result.before > 0.02 * result.before.max()).sum()
    lesion = deidentify_view(ds.case("1").anterior)
    note = decode_note(ds.case("1").anterior)
    ox, oy = marked.origin[Projection.ANTERIOR]
    x, y = int(LESION[0]) + ox - note.box[0], int(LESION[1]) + oy - note.box[1]
    assert lesion.after[y, x] == lesion.before[y, x] > 0  # the body is kept as it was


def test_teaching_copies_form_a_dataset_written_with_the_umask(tmp_path: Path) -> None:
    make_capture(tmp_path / "src" / "c.jpg", inverted=True)
    (tmp_path / "src" / "manifest.csv").write_text("case,image,diagnosis\n7,c.jpg,Bone metastases\n")
    ds = manifest.read(tmp_path / "src", ValidationReport())
    old = os.umask(0o027)
    try:
        copy = write_teaching_copy(ds, tmp_path / "out")
    finally:
        os.umask(old)
    assert copy.cases == 1 and {p.name for p in copy.files} == {
        "7_anterior.png", "7_posterior.png", "manifest.csv"}
    assert all((p.stat().st_mode & 0o777) == 0o640 for p in copy.files)
    with Image.open(copy.folder / "7_anterior.png") as im:
        assert im.mode == "I;16" and not im.info.get("exif") and not getattr(im, "text", {})
    again = manifest.read(copy.folder, ValidationReport())
    assert again.case("7").anterior is not None and again.case("7").anterior.combined is None
    with pytest.raises(UsageError, match="not an empty folder"):
        write_teaching_copy(ds, tmp_path / "out")
    assert (copy.folder / "manifest.csv").read_text().startswith("case,anterior,posterior")
