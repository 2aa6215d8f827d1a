"""Each problem and note a manifest row's view can raise, pinned word for word (kind,
severity, file, case and message), with what becomes of the view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import manifest

HEAD = "case,anterior,posterior,image,anterior box,posterior box,order,diagnosis\n"


def _png(path: Path, size: tuple[int, int] = (256, 1024), mode: str = "I;16") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "I;16":
        Image.fromarray(np.full((size[1], size[0]), 1000, dtype=np.uint16)).save(path)
    else:
        Image.new(mode, size, 40).save(path)
    return path


def _read(root: Path, rows: str):
    (root / "manifest.csv").write_text(HEAD + rows)
    report = ValidationReport()
    dataset = manifest.read(root, report)
    problems = [(p.kind, p.severity, p.file.replace(str(root), "<root>"), p.case_key, p.message)
                for p in report]
    return dataset, problems


def test_a_path_climbing_out_leaves_the_case_out(tmp_path: Path) -> None:
    _png(tmp_path / "p.png")
    _, problems = _read(tmp_path, "1,../a.png,p.png,,,,,normal\n2,,p.png,,,,,normal\n")
    assert problems[0] == (
        ProblemKind.BAD_VALUE, Severity.ERROR, "<root>/manifest.csv", "1",
        "manifest.csv row 2: the anterior path '../a.png' points outside the manifest's folder; "
        "the case was left out. Use a path relative to the manifest, without '..'.")


def test_a_missing_file_leaves_that_view_out(tmp_path: Path) -> None:
    _png(tmp_path / "p.png")
    dataset, problems = _read(tmp_path, "1,gone.png,p.png,,,,,normal\n")
    assert problems == [(
        ProblemKind.MISSING_VIEW, Severity.ERROR, "<root>/gone.png", "1",
        "manifest.csv row 2: the anterior file 'gone.png' does not exist; that view was left "
        "out. Check the spelling or copy the image next to the manifest.")]
    assert dataset.case("1").anterior is None and dataset.case("1").posterior is not None


def test_an_unreadable_file_leaves_that_view_out(tmp_path: Path) -> None:
    _png(tmp_path / "a.png")
    (tmp_path / "p.png").write_bytes(b"garbage")
    dataset, problems = _read(tmp_path, "1,a.png,p.png,,,,,normal\n")
    [(kind, severity, file, key, message)] = problems
    assert (kind, severity, file, key) == (ProblemKind.UNREADABLE_IMAGE, Severity.ERROR,
                                           "<root>/p.png", "1")
    assert message.startswith("manifest.csv row 2: ")
    assert dataset.case("1").posterior is None


def test_a_truncated_file_leaves_that_view_out(tmp_path: Path) -> None:
    _png(tmp_path / "a.png")
    p = _png(tmp_path / "p.png")
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    dataset, problems = _read(tmp_path, "1,a.png,p.png,,,,,normal\n")
    assert problems == [(
        ProblemKind.TRUNCATED_IMAGE, Severity.ERROR, "<root>/p.png", "1",
        "manifest.csv row 2: p.png is cut short (no end marker); it was probably truncated "
        "while copying; that view was left out. Copy it again.")]
    assert dataset.case("1").posterior is None


def test_a_view_of_another_size_is_shown_as_it_is(tmp_path: Path) -> None:
    _png(tmp_path / "a.png", (128, 512))
    _png(tmp_path / "p.png")
    dataset, problems = _read(tmp_path, "1,a.png,p.png,,,,,normal\n")
    assert problems == [(
        ProblemKind.UNEXPECTED_SIZE, Severity.WARNING, "<root>/a.png", "1",
        "manifest.csv row 2: a.png is 128 x 512 pixels, not the whole-body 256 x 1024; it is "
        "shown as it is.")]
    view = dataset.case("1").anterior
    assert (view.width, view.height, view.crop, view.combined) == (128, 512, None, None)


def test_boxes_cut_a_combined_image_noted_once_and_a_box_outside_is_named(
        tmp_path: Path) -> None:
    _png(tmp_path / "c.png", (600, 1100), mode="L")
    dataset, problems = _read(
        tmp_path,
        '1,,,c.png,"10,20,266,1044","300,20,556,1044",,normal\n'
        '2,,,c.png,"10,20,266,1044","300,20,700,1044",,normal\n'
        '3,,,c.png,"1,2,3",,,normal\n')
    assert problems == [
        (ProblemKind.COMBINED_IMAGE, Severity.INFO, "<root>/c.png", "1",
         "manifest.csv row 2: c.png is a combined image: the views are cut out by the boxes "
         "given."),
        (ProblemKind.DISPLAY_CAPTURE, Severity.INFO, "<root>/c.png", "1",
         "manifest.csv row 2: c.png is a 600 x 1100 8-bit grey PNG; windowing presets mean % "
         "of each view's maximum."),
        (ProblemKind.BAD_VALUE, Severity.ERROR, "<root>/c.png", "2",
         "manifest.csv row 3: the posterior box 300,20,700,1044 reaches outside c.png "
         "(600 x 1100 pixels); that view was left out. Correct the box."),
        (ProblemKind.BAD_VALUE, Severity.ERROR, "<root>/manifest.csv", "3",
         "manifest.csv row 4: anterior box '1,2,3': write four whole numbers x0,y0,x1,y1 "
         "(pixels, x1 and y1 exclusive); the case was left out."),
    ]
    one = dataset.case("1")
    assert (one.anterior.crop, one.anterior.width, one.anterior.height) == (
        (10, 20, 266, 1044), 256, 1024)
    assert one.anterior.combined is None
    assert dataset.case("2").posterior is None and "3" not in dataset


def test_an_image_without_boxes_is_split_in_the_order_given(tmp_path: Path) -> None:
    _png(tmp_path / "c.png", (600, 1100), mode="RGB")
    _png(tmp_path / "d.png", (600, 1100), mode="RGB")
    dataset, problems = _read(tmp_path, "1,,,c.png,,,Posterior / Anterior,normal\n"
                                        "2,,,d.png,,,a/p,normal\n")
    assert problems == [
        (ProblemKind.COMBINED_IMAGE, Severity.INFO, "<root>/c.png", "1",
         "manifest.csv row 2: c.png is a combined image: the views are split automatically "
         "into the two tall body columns, anterior on the right; spot views and margins are "
         "left out."),
        (ProblemKind.DISPLAY_CAPTURE, Severity.INFO, "<root>/c.png", "1",
         "manifest.csv row 2: c.png is a 600 x 1100 8-bit colour PNG read as luminance; "
         "windowing presets mean % of each view's maximum."),
        (ProblemKind.COMBINED_IMAGE, Severity.INFO, "<root>/d.png", "2",
         "manifest.csv row 3: d.png is a combined image: the views are split automatically "
         "into the two tall body columns, anterior on the left; spot views and margins are "
         "left out."),
        (ProblemKind.DISPLAY_CAPTURE, Severity.INFO, "<root>/d.png", "2",
         "manifest.csv row 3: d.png is a 600 x 1100 8-bit colour PNG read as luminance; "
         "windowing presets mean % of each view's maximum."),
    ]
    one, two = dataset.case("1"), dataset.case("2")
    assert (one.anterior.combined, one.posterior.combined, two.anterior.combined) == (
        "PA", "PA", "AP")
    assert (one.anterior.width, one.anterior.height, one.anterior.crop) == (None, None, None)


def test_a_view_s_own_column_wins_over_the_row_s_image(tmp_path: Path) -> None:
    _png(tmp_path / "a.png")
    _png(tmp_path / "c.png", (600, 1100), mode="L")
    dataset, _ = _read(tmp_path, "1,a.png,,c.png,,,,normal\n")
    case = dataset.case("1")
    assert case.anterior.combined is None and case.anterior.width == 256
    assert case.posterior.combined == "AP"
