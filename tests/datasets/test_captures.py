"""Clinic captures: polarity read uptake-bright, two views cut from one image, burned-in
text kept out of the analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bonescan_tutor.core.body import as_float_image, find_body, label_components
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.core.symmetry import analyze_view
from bonescan_tutor.core.validation import ProblemKind, ValidationReport
from bonescan_tutor.core.windowing import preset_window
from bonescan_tutor.datasets import captures, manifest
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.capture_report import summarize
from bonescan_tutor.datasets.images import decode_note, load_view
from bonescan_tutor.datasets.phantom import symmetric_phantom
from tests.clinic_captures import (
    LEFT,
    LESION,
    TOP,
    clinic_manifest,
    make_capture,
    phantom_views,
)

A, P = Projection.ANTERIOR, Projection.POSTERIOR


def _one_view_manifest(folder: Path, image: np.ndarray, name: str = "a.png") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(folder / name)
    (folder / "manifest.csv").write_text(f"case,anterior,diagnosis\n1,{name},Bone metastases\n")
    return folder


def _anterior(folder: Path):
    ds = manifest.read(folder, ValidationReport())
    view = ds.case("1").anterior
    assert view is not None
    return view


def test_both_polarities_of_one_phantom_give_the_same_windows_overlays_and_numbers(
    tmp_path: Path,
) -> None:
    counts = symmetric_phantom(seed=1, spot=LESION, spot_gain=2.0)
    assert counts.min() == 0  # the background of a count image
    negative = (counts.max() - counts).astype(np.uint16)  # uptake dark on white
    normal = load_view(_anterior(_one_view_manifest(tmp_path / "n", counts)))
    view = _anterior(_one_view_manifest(tmp_path / "i", negative))
    turned = load_view(view)
    assert captures.is_display_inverted(negative) and not captures.is_display_inverted(counts)
    note = decode_note(view)
    assert note is not None and note.inverted and note.box is None
    np.testing.assert_array_equal(turned, normal)
    for preset in ("full", "bone-35", "skeleton-auto"):
        assert preset_window(preset, turned) == preset_window(preset, normal)
    a, b = analyze_view(turned, A), analyze_view(normal, A)
    assert a.as_dict() == b.as_dict()
    np.testing.assert_array_equal(a.asymmetry, b.asymmetry)
    assert a.hotspots and a.hotspots[0].side == "right"


def test_an_8_bit_capture_reads_alike_in_both_polarities(tmp_path: Path) -> None:
    normal = make_capture(tmp_path / "n.png", inverted=False, spot_view=False)
    make_capture(tmp_path / "i.png", inverted=True, spot_view=False)
    with Image.open(normal.path) as im:
        assert np.asarray(im)[TOP + 500, LEFT + 128] > 0
    rows = ["case,image,diagnosis", "n,n.png,Bone metastases", "i,i.png,Bone metastases"]
    (tmp_path / "manifest.csv").write_text("\n".join(rows) + "\n")
    ds = manifest.read(tmp_path, ValidationReport())
    for projection in Projection:
        got_n = analyze_view(load_view(ds.case("n").view(projection)), projection)
        got_i = analyze_view(load_view(ds.case("i").view(projection)), projection)
        note_n, note_i = decode_note(ds.case("n").view(projection)), decode_note(
            ds.case("i").view(projection))
        assert note_n is not None and note_i is not None
        assert not note_n.inverted and note_i.inverted
        # The same hot spots, in capture coordinates.
        spots_n = [(h.x + note_n.box[0], h.y + note_n.box[1], h.side) for h in got_n.hotspots]
        spots_i = [(h.x + note_i.box[0], h.y + note_i.box[1], h.side) for h in got_i.hotspots]
        assert len(spots_n) == len(spots_i)
        for (xn, yn, sn), (xi, yi, si) in zip(spots_n, spots_i, strict=True):
            assert sn == si and abs(xn - xi) <= 2 and abs(yn - yi) <= 2


def test_a_count_image_and_a_flat_image_are_never_turned_over() -> None:
    for image in (symmetric_phantom(seed=2), np.full((1024, 256), 1000, np.uint16),
                  np.zeros((1024, 256), np.uint16)):
        out, inverted = captures.uptake_bright(image)
        assert not inverted and out is image


def test_a_combined_image_splits_into_both_views_dropping_spot_views_and_text(
    tmp_path: Path,
) -> None:
    for order in ("AP", "PA"):
        cap = make_capture(tmp_path / f"{order}.png", inverted=False, order=order)
        with Image.open(cap.path) as im:
            split = captures.split_capture(np.asarray(im), order)
        for projection in Projection:
            x0, y0, x1, y1 = split.box(projection)
            ox, oy = cap.origin[projection]
            # The box holds the body (where the 8-bit display rises above 2 % of its range,
            # rows 126..920 of the 256 x 1024 view) and no more than the canvas around it:
            # never the other view.
            assert x0 <= ox + 20 and x1 >= ox + 236 and y0 <= oy + 126 and y1 >= oy + 920
            assert x1 - x0 <= 256 + 64
        assert split.box(A)[0] < split.box(P)[0] if order == "AP" else split.box(A)[0] > split.box(P)[0]
        # The spot view and the lines of text above the views are dropped.
        spot = [b for b in split.dropped if b[2] - b[0] > 100 and b[3] - b[1] > 100]
        assert len(spot) == 1 and spot[0][0] > split.box(A)[2]
        assert any(b[3] <= TOP for b in split.dropped)


def test_an_image_without_two_tall_views_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="anterior box"):
        captures.split_capture(symmetric_phantom(seed=2)[:, :128].repeat(2, axis=0)[:1024])


def test_manifest_image_column_gives_both_views_and_notes_size_and_bit_depth(
    tmp_path: Path,
) -> None:
    caps = clinic_manifest(tmp_path)
    report = ValidationReport()
    ds = manifest.read(tmp_path, report)
    assert {c.key for c in ds.quiz_cases} == {"normal", "inverted", "jpeg", "pa", "sep"}
    jpeg = ds.case("jpeg")
    assert jpeg.anterior is not None and jpeg.anterior.combined == "AP"
    assert ds.case("pa").anterior.combined == "PA"
    notes = [p.message for p in report if p.kind is ProblemKind.DISPLAY_CAPTURE]
    assert any("inverted.jpg is a 856 x 1132 8-bit colour JPEG read as luminance" in m for m in notes)
    combined = [p.file for p in report if p.kind is ProblemKind.COMBINED_IMAGE]
    assert len(combined) == 4 and not any("sep_" in f for f in combined)
    for case in ds:
        for view in case.views:
            assert load_view(view).shape[0] > 800
    summary = summarize(ds)
    assert len(summary.inverted) == 4 and all("inverted" in s for s in summary.inverted)
    assert "4 views were display-inverted; read with uptake bright" in summary.lines()[0]
    assert set(summary.patient_details) == {str(c.path) for c in caps.values()}


def test_explicit_boxes_cut_the_views_and_a_bad_box_is_named(tmp_path: Path) -> None:
    cap = make_capture(tmp_path / "c.png", inverted=True)
    (ax, ay), (px, py) = cap.origin[A], cap.origin[P]
    (tmp_path / "manifest.csv").write_text(
        "case,image,anterior box,posterior box,diagnosis\n"
        f'1,c.png,"{ax},{ay},{ax + 256},{ay + 1024}","{px},{py},{px + 256},{py + 1024}",Bone metastases\n'
        '2,c.png,"1,2,3",,No bone metastases\n'
        '3,c.png,"0,0,5000,10",,No bone metastases\n')
    report = ValidationReport()
    ds = manifest.read(tmp_path, report)
    one = ds.case("1")
    assert one.anterior.crop == (ax, ay, ax + 256, ay + 1024)
    views = phantom_views()
    got = load_view(one.anterior)
    assert got.shape == (1024, 256)
    # The 8-bit display of the same phantom, turned back uptake-bright.
    expected = np.rint(views[A] * (255.0 / views[A].max()))
    inside = np.ones_like(got, bool)
    inside[690:730, :40] = False  # the burned-in R marker
    assert np.abs(got.astype(float) - expected)[inside].max() <= 1
    assert "2" not in ds and "box '1,2,3'" in " ".join(p.message for p in report)
    assert any("reaches outside c.png" in p.message for p in report)


def test_two_views_of_one_capture_are_cached_apart(tmp_path: Path) -> None:
    clinic_manifest(tmp_path)
    ds = manifest.read(tmp_path, ValidationReport())
    cache = ImageCache(workers=1)
    try:
        case = ds.case("pa")
        a, p = cache.get(case.anterior), cache.get(case.posterior)
        assert len(cache) == 2 and not np.array_equal(a[:, : min(a.shape[1], p.shape[1])],
                                                      p[:, : min(a.shape[1], p.shape[1])])
    finally:
        cache.close()


def test_burned_in_letters_beside_the_body_never_count_as_uptake() -> None:
    clean = symmetric_phantom(seed=5, spot=LESION, spot_gain=2.0)
    img = Image.fromarray(clean.astype(np.int32), "I")
    draw = ImageDraw.Draw(img)
    top = int(clean.max())
    for y in (20, 985):  # above the head and below the feet
        draw.text((6, y), "DOE JOHN 0012345", fill=top)
    draw.rectangle((230, 30, 245, 80), fill=top)  # a side marker beside the head
    marked = np.asarray(img).astype(np.uint16)
    assert (marked != clean).sum() > 300
    body = find_body(as_float_image(marked)).body
    assert body is not None and body.marks > 50
    a, b = analyze_view(marked, A), analyze_view(clean, A)
    assert [(h.x, h.y, h.side) for h in a.hotspots] == [(h.x, h.y, h.side) for h in b.hotspots]
    assert abs(a.midline.a - b.midline.a) < 0.5
    for ra, rb in zip(a.regions, b.regions, strict=True):
        assert ra.index == pytest.approx(rb.index, abs=0.01)
    assert np.all(a.asymmetry[marked != clean] == 0)


def test_label_components_counts_separate_regions() -> None:
    mask = np.zeros((9, 9), bool)
    mask[1:3, 1:3] = True
    mask[5:8, 5] = True
    mask[5, 5:8] = True
    mask[0, 8] = True
    labels, n = label_components(mask)
    assert n == 3
    assert len({labels[1, 1], labels[5, 7], labels[0, 8]}) == 3
    assert labels[7, 5] == labels[5, 7] and (labels == 0).sum() == (~mask).sum()


def test_a_single_view_capture_with_text_in_its_margin_may_show_patient_details(
    tmp_path: Path,
) -> None:
    views = phantom_views()
    v8 = np.rint(views[A] * (255.0 / views[A].max())).astype(np.uint8)
    canvas = np.zeros((1100, 300), np.uint8)
    canvas[60:1084, 20:276] = v8
    img = Image.fromarray(canvas)
    ImageDraw.Draw(img).text((24, 70), "DOE^JOHN 0012345", fill=255)
    plain = Image.fromarray(canvas)
    img.save(tmp_path / "text.png")
    plain.save(tmp_path / "plain.png")
    (tmp_path / "manifest.csv").write_text(
        "case,anterior,diagnosis\n1,text.png,Bone metastases\n2,plain.png,Bone metastases\n")
    ds = manifest.read(tmp_path, ValidationReport())
    for key, flagged in (("1", True), ("2", False)):
        view = ds.case(key).anterior
        load_view(view)
        note = decode_note(view)
        assert note is not None and note.may_show_patient_details is flagged


def test_label_components_agrees_with_scipy_on_random_masks() -> None:
    from scipy import ndimage

    rng = np.random.default_rng(0)
    for _ in range(200):
        mask = rng.random((int(rng.integers(1, 40)), int(rng.integers(1, 40)))) < rng.uniform(0.2, 0.7)
        ours, n = label_components(mask)
        theirs, expected = ndimage.label(mask)
        assert n == expected
        assert len(set(zip(ours[mask].tolist(), theirs[mask].tolist(), strict=True))) == n
        assert (ours[~mask] == 0).all()


def test_a_capture_inverted_as_a_whole_on_white_splits_and_reads_alike(tmp_path: Path) -> None:
    cap = make_capture(tmp_path / "n.png", inverted=False)
    with Image.open(cap.path) as im:
        white = 255 - np.asarray(im)  # white canvas, dark bodies, dark text
    split = captures.split_capture(white)
    x0, y0, x1, y1 = split.anterior
    view, inverted = captures.uptake_bright(white[y0:y1, x0:x1].astype(np.uint16))
    assert inverted
    spot = analyze_view(view, A).hotspots[0]
    ox, oy = cap.origin[A]
    assert spot.side == "right"
    assert abs(spot.x + x0 - (ox + LESION[0])) <= 8 and abs(spot.y + y0 - (oy + LESION[1])) <= 8


@pytest.mark.parametrize("size", [1, 2, 3, 4, 101, 1000])
def test_ring_median_is_numpys_median(size: int) -> None:
    from bonescan_tutor.datasets.captures import _median

    values = np.random.default_rng(size).random(size).astype(np.float32) * 1000
    assert _median(values) == pytest.approx(float(np.median(values)), abs=1e-6)
