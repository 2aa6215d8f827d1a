"""The synthetic demo: phantom images, their ground truth, and the IICS-UNA layout on disk."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.datasets import demo
from bonescan_tutor.datasets.demo import (
    MARKER_NAME,
    SHEET_NAME,
    PhantomPatient,
    demo_plan,
    generate_patient,
    metastatic_count,
    symmetric_phantom,
    write_demo,
)
from bonescan_tutor.datasets.images import decode_image

REPO = Path(__file__).resolve().parents[2]


def smooth(img: np.ndarray, r: int) -> np.ndarray:
    """Box mean over (2r+1)^2 pixels, same shape as ``img``."""
    a = img.astype(np.float64)
    k = 2 * r + 1
    c = np.cumsum(np.cumsum(np.pad(a, ((r + 1, r), (r + 1, r)), mode="edge"), 0), 1)
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def at(img: np.ndarray, x: float, y: float) -> float:
    return float(img[round(y), round(x)])


def mirror_ratio_map(p: PhantomPatient, proj: Projection, r: int) -> tuple[np.ndarray, ...]:
    """Smoothed image / smoothed image at the contralateral pixel, plus helpers."""
    s = smooth(p.image(proj), r)
    h, w = s.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    t = math.radians(p.pose.tilt_deg)
    nx, ny = math.cos(t), math.sin(t)
    xa = xs if proj is Projection.ANTERIOR else w - 1 - xs
    d = (xa - p.pose.cx) * nx + (ys - p.pose.cy) * ny
    mx, my = xa - 2 * d * nx, ys - 2 * d * ny
    if proj is Projection.POSTERIOR:
        mx = w - 1 - mx
    mxi = np.clip(np.rint(mx).astype(int), 0, w - 1)
    myi = np.clip(np.rint(my).astype(int), 0, h - 1)
    return s / np.maximum(s[myi, mxi], 1.0), s, xs, ys, d


@pytest.fixture(scope="module")
def patients() -> list[PhantomPatient]:
    return [generate_patient(p.number, p.metastatic, 2024, superscan=p.superscan)
            for p in demo_plan(24, 2024)]


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("fresh") / "demo", 24, 2024)


def files_of(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, as a SHA-256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


# --- images -----------------------------------------------------------------------------


def test_views_are_256_by_1024_uint16_stretched_to_the_top(patients):
    for p in patients:
        for img in (p.anterior, p.posterior):
            assert img.shape == (1024, 256)
            assert img.dtype == np.uint16
            assert img.max() == 65535
            # outside the body the field is (nearly) empty
            assert img[:, :4].mean() < 0.01 * 65535


def test_bladder_dominates_the_raw_maximum_except_in_a_superscan(patients):
    for p in patients:
        if p.superscan:
            continue
        bx, by = p.pose.to_image([0.0], [81.0])
        y, x = np.unravel_index(int(np.argmax(p.anterior)), p.anterior.shape)
        assert math.hypot(x - bx[0], y - by[0]) < 6 * p.pose.sx, p.number


def test_generation_is_deterministic_and_seeded():
    a = generate_patient(3, True, 99)
    b = generate_patient(3, True, 99)
    assert np.array_equal(a.anterior, b.anterior)
    assert np.array_equal(a.posterior, b.posterior)
    assert a.lesions == b.lesions and a.clinical == b.clinical
    c = generate_patient(3, True, 100)
    assert not np.array_equal(a.anterior, c.anterior)
    d = generate_patient(4, True, 99)
    assert not np.array_equal(a.anterior, d.anterior)


def test_generation_does_not_touch_the_global_rng():
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    generate_patient(1, True, 1)
    assert np.random.random() == expected


# --- ground truth -----------------------------------------------------------------------


def test_metastatic_patients_have_2_to_8_lesions_hotter_than_the_contralateral_side(patients):
    for p in patients:
        if not p.metastatic:
            continue
        mets = [les for les in p.lesions if les.kind == "metastasis"]
        spots = {(les.side, les.region, round(les.y)) for les in mets}
        assert 2 <= len(spots) <= 8, p.number
        hotter = 0
        for les in mets:
            s = smooth(p.image(les.projection), 2)
            mx, my = p.mirror(les.projection, les.x, les.y)
            if at(s, les.x, les.y) > 1.5 * at(s, mx, my):
                hotter += 1
        assert hotter >= 2 * 2, p.number  # at least two spots, each in both views


def test_metastases_sit_in_the_axial_skeleton_or_proximal_long_bones(patients):
    allowed = {"thoracic spine", "lumbar spine", "ribs", "pelvis", "skull", "proximal femur",
               "proximal humerus", "scapula"}
    regions = {les.region for p in patients for les in p.lesions if les.kind == "metastasis"}
    assert regions and regions <= allowed


def test_normal_trunks_are_near_symmetric_outside_the_look_alikes(patients):
    for p in patients:
        if p.metastatic:
            continue
        assert not any(les.kind == "metastasis" for les in p.lesions)
        for proj in Projection:
            ratio, s, xs, ys, d = mirror_ratio_map(p, proj, 4)
            trunk = (s > 0.1 * s.max()) & (np.abs(d) < 13 * p.pose.sx)
            trunk &= ys < p.pose.cy + 15 * p.pose.sy
            for les in p.lesions:
                if les.projection is proj:
                    for cx, cy in ((les.x, les.y), p.mirror(proj, les.x, les.y)):
                        trunk &= (xs - cx) ** 2 + (ys - cy) ** 2 > 20**2
            for u in (5.6, -5.6):  # the kidneys: the right one sits lower
                kx, ky = p.pose.to_image([u], [59.5])
                x0 = kx[0] if proj is Projection.ANTERIOR else 255 - kx[0]
                for cx, cy in ((x0, ky[0]), p.mirror(proj, x0, ky[0])):
                    trunk &= ~((np.abs(xs - cx) < 22) & (np.abs(ys - cy) < 40))
            assert ratio[trunk].max() < 2.0, (p.number, proj)


def test_look_alikes_are_what_they_claim(patients):
    looks = [les for p in patients for les in p.lesions if les.kind != "metastasis"]
    kinds = {les.kind for les in looks}
    assert kinds <= {"fracture", "injection", "degenerative"}
    for p in patients:
        fractures = [les for les in p.lesions
                     if les.kind == "fracture" and les.projection is Projection.POSTERIOR]
        if fractures:
            assert 3 <= len(fractures) <= 4
            assert len({les.side for les in fractures}) == 1
            ys = sorted(les.y for les in fractures)
            assert all(b > a for a, b in pairwise(ys))
            assert max(les.x for les in fractures) - min(les.x for les in fractures) < 15
        degenerative = [les for les in p.lesions if les.kind == "degenerative"]
        if degenerative:
            assert {les.side for les in degenerative} == {"left", "right"}
        injections = [les for les in p.lesions if les.kind == "injection"]
        assert all(les.projection is Projection.ANTERIOR for les in injections)
        assert len({les.side for les in injections}) <= 1


def test_a_generated_injection_site_is_hot_in_the_anterior_view():
    for n in range(1, 40):
        p = generate_patient(n, False, 3)
        inj = [les for les in p.lesions if les.kind == "injection"]
        if inj:
            s = smooth(p.anterior, 1)
            mx, my = p.mirror(Projection.ANTERIOR, inj[0].x, inj[0].y)
            assert at(s, inj[0].x, inj[0].y) > 2 * at(s, mx, my)
            return
    pytest.fail("no injection site in 39 normal patients")


def test_one_superscan_with_faint_kidneys(patients):
    plan = demo_plan(24, 2024)
    assert sum(p.superscan for p in plan) == 1
    assert all(p.metastatic for p in plan if p.superscan)
    assert not any(p.superscan for p in demo_plan(4, 2024))
    assert sum(p.superscan for p in demo_plan(5, 1)) == 1

    def kidney_to_spine(p: PhantomPatient) -> float:
        s = smooth(p.posterior, 3)
        kx, ky = p.pose.to_image([5.6], [58.5])
        sx, sy = p.pose.to_image([0.0], [66.6])  # a lumbar vertebra
        return at(s, 255 - kx[0], ky[0]) / at(s, 255 - sx[0], sy[0])

    superscan = next(p for p in patients if p.superscan)
    normal = [kidney_to_spine(p) for p in patients if not p.metastatic]
    assert kidney_to_spine(superscan) < 0.5 * min(normal)


def test_side_convention_between_the_two_views(patients):
    """Patient's left: image right in the anterior view, image left in the posterior view."""
    seen = set()
    for p in patients:
        for les in p.lesions:
            mx, _ = p.mirror(les.projection, les.x, les.y)
            on_image_right = les.x > mx
            if les.projection is Projection.ANTERIOR:
                assert on_image_right == (les.side == "left")
            else:
                assert on_image_right == (les.side == "right")
            seen.add((les.projection, les.side))
        pairs = {}
        for les in p.lesions:
            pairs.setdefault((les.kind, les.region, round(les.y, 3)), []).append(les)
        for pair in pairs.values():
            if len(pair) == 2:
                assert pair[0].x + pair[1].x == pytest.approx(255.0)
    assert len(seen) == 4


def test_a_left_sided_lesion_shows_on_the_anterior_image_right():
    for n in range(1, 30):
        p = generate_patient(n, True, 5)
        left = [les for les in p.lesions if les.kind == "metastasis" and les.side == "left"]
        if not left:
            continue
        ant = next((les for les in left if les.projection is Projection.ANTERIOR), None)
        post = next((les for les in left if les.projection is Projection.POSTERIOR), None)
        if ant and post:
            sa, sp = smooth(p.anterior, 2), smooth(p.posterior, 2)
            max_, may = p.mirror(Projection.ANTERIOR, ant.x, ant.y)
            mpx, mpy = p.mirror(Projection.POSTERIOR, post.x, post.y)
            # hot on the image's right in the anterior view, on its left in the posterior
            assert ant.x > max_ and at(sa, ant.x, ant.y) > 1.5 * at(sa, max_, may)
            assert post.x < mpx and at(sp, post.x, post.y) > 1.5 * at(sp, mpx, mpy)
            return
    pytest.fail("no left-sided metastasis seen in both views")


def test_symmetric_phantom_is_a_mirror_image_and_shows_a_planted_spot():
    clean = symmetric_phantom(0, noise=False).astype(np.int64)
    assert clean.shape == (1024, 256) and clean.max() == 65535
    assert np.abs(clean - clean[:, ::-1]).max() <= 1
    spotted = symmetric_phantom(0, spot=(100.0, 400.0), noise=False).astype(np.float64)
    assert spotted[400, 100] > 1.5 * spotted[400, 155]
    noisy = symmetric_phantom(1)
    assert np.array_equal(noisy, symmetric_phantom(1))
    assert not np.array_equal(noisy, symmetric_phantom(2))


def test_symmetric_phantom_tilt_turns_the_head_to_the_image_right():
    def head_x(img: np.ndarray) -> float:
        top = img[:250].astype(np.float64)
        return float((top.sum(axis=0) * np.arange(256)).sum() / top.sum())

    assert head_x(symmetric_phantom(0, 3.0, noise=False)) > 127.5 + 5
    assert head_x(symmetric_phantom(0, -3.0, noise=False)) < 127.5 - 5


# --- the dataset on disk ----------------------------------------------------------------


def test_metastatic_count_follows_the_real_prevalence():
    assert metastatic_count(291) == 60
    assert metastatic_count(24) == 5
    assert metastatic_count(2) == 1


def test_layout_matches_iics_una(fresh_demo):
    m = metastatic_count(24)
    for klass, numbers in (("Bone metastases", range(1, m + 1)),
                           ("No bone metastases", range(m + 1, 25))):
        for view, letter in (("Anterior", "A"), ("Posterior", "P")):
            folder = fresh_demo / klass / view
            assert sorted(p.name for p in folder.iterdir()) == sorted(
                f"{letter}{n}.png" for n in numbers)
    top = sorted(p.name for p in fresh_demo.iterdir())
    assert top == sorted([MARKER_NAME, SHEET_NAME, "Bone metastases", "No bone metastases",
                          "annotations.bstann"])
    png = fresh_demo / "Bone metastases" / "Anterior" / "A1.png"
    with Image.open(png) as img:
        assert img.mode == "I;16" and img.size == (256, 1024)
    arr = decode_image(str(png))
    assert arr.dtype == np.uint16 and arr.max() == 65535


def test_marker_says_synthetic_and_points_to_the_real_data(fresh_demo):
    text = (fresh_demo / MARKER_NAME).read_text(encoding="utf-8")
    for needle in ("synthetic", "not for clinical learning", "bonescan-tutor", "13900966",
                   "10.5281/zenodo.13900966", "CC-BY-4.0"):
        assert needle.lower() in text.lower()


def test_spreadsheet_rows_match_the_files(fresh_demo):
    from openpyxl import load_workbook

    wb = load_workbook(fresh_demo / SHEET_NAME)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert all(v is None for v in rows[0])
    assert rows[1] == demo.HEADERS
    body = rows[2:]
    assert [r[0] for r in body] == list(range(1, 25))
    m = metastatic_count(24)
    for r in body:
        n = r[0]
        assert (r[1], r[2], r[3]) == (f"A{n}", f"P{n}", ".png")
        assert isinstance(r[4], dt.datetime) and 2020 <= r[4].year <= 2024
        assert r[5] == "Female"
        assert 30 <= r[6] <= 85 and 35 <= r[7] <= 140 and 140 <= r[8] <= 185
        expected = Diagnosis.METASTASES if n <= m else Diagnosis.NO_METASTASES
        assert Diagnosis.parse(r[9]) is expected
        klass = "Bone metastases" if n <= m else "No bone metastases"
        assert (fresh_demo / klass / "Anterior" / f"A{n}.png").is_file()


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    a = files_of(write_demo(tmp_path / "a", 3, 11))
    b = files_of(write_demo(tmp_path / "b", 3, 11))
    assert a.keys() == b.keys() and len(a) == 3 + 3 * 2
    assert all(a[k] == b[k] for k in a)
    c = files_of(write_demo(tmp_path / "c", 3, 12))
    assert c.keys() == a.keys()
    assert all(a[k] != c[k] for k in a if k.endswith(".png"))


def test_the_shipped_demo_equals_a_fresh_generation(fresh_demo):
    shipped = REPO / "resources" / "demo"
    assert files_of(shipped) == files_of(fresh_demo), (
        "resources/demo drifted: regenerate it with "
        "`python -m bonescan_tutor make-demo resources/demo --patients 24 --seed 2024`")


def test_refuses_a_folder_that_is_not_a_demo(tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not empty"):
        write_demo(dest, 2, 1)
    assert (dest / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        write_demo(tmp_path / "file", 2, 1)
    with pytest.raises(UsageError, match="at least 2"):
        write_demo(tmp_path / "new", 1, 1)


def test_an_old_demo_or_an_empty_folder_is_replaced(tmp_path):
    dest = tmp_path / "demo"
    dest.mkdir()
    write_demo(dest, 5, 1)
    assert len(list(dest.rglob("*.png"))) == 10
    calls: list[tuple[int, int]] = []
    write_demo(dest, 3, 2, progress=lambda done, total: calls.append((done, total)))
    assert len(list(dest.rglob("*.png"))) == 6  # nothing stale left behind
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_an_interrupted_run_leaves_no_dataset(tmp_path, monkeypatch):
    real = demo.generate_patient

    def failing(number: int, *args: object, **kwargs: object) -> PhantomPatient:
        if number == 3:
            raise KeyboardInterrupt
        return real(number, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "generate_patient", failing)
    with pytest.raises(KeyboardInterrupt):
        write_demo(tmp_path / "demo", 6, 1)
    assert list(tmp_path.iterdir()) == []


def test_the_spreadsheet_holds_no_wall_clock_time(fresh_demo):
    import zipfile

    with zipfile.ZipFile(fresh_demo / SHEET_NAME) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
    assert stamps == ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"]


def test_the_demo_workbook_ships_the_rows_openpyxl_reads_from_it() -> None:
    """A first start shows the demo without openpyxl: its workbook's rows ship parsed
    (resources/sheets), equal to what openpyxl reads from the shipped workbook."""
    from bonescan_tutor.datasets import sheet
    from bonescan_tutor.files import tables

    book = REPO / "resources" / "demo" / SHEET_NAME
    data = book.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    shipped = REPO / "resources" / "sheets" / f"{digest}.v{sheet.CACHE_VERSION}.json"
    assert shipped.is_file(), (
        "resources/sheets has no rows for the demo's workbook: write them with `python -c "
        "\"from pathlib import Path; from bonescan_tutor.datasets.sheet import ship_rows; "
        f"ship_rows(Path('resources/demo/{SHEET_NAME}'), Path('resources/sheets'))\"` "
        "and delete the stale file there")
    assert sorted(p.name for p in shipped.parent.iterdir()) == [shipped.name]
    assert not (sheet._cache_file(digest)).exists()  # this test's home: an empty cache
    assert sheet.xlsx_rows(data, SHEET_NAME) == tables.xlsx_rows(data, SHEET_NAME)
    assert not (sheet._cache_file(digest)).exists()  # read from the shipped rows
