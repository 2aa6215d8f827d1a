"""The demo ships its truth: make-demo's annotations.bstann is the generator's planted spots."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bonescan_tutor.core.annotations import check
from bonescan_tutor.datasets.demo import demo_plan, generate_patient, write_demo
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.phantom_truth import FINDING_KIND
from bonescan_tutor.storage.annotations import annotations_beside, read_annotations

REPO = Path(__file__).resolve().parents[2]
PATIENTS, SEED = 12, 31


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("truth") / "demo", PATIENTS, SEED)


def test_the_annotations_are_exactly_the_planted_lesions_and_look_alikes(demo: Path) -> None:
    found = annotations_beside(demo)
    assert found == demo / "annotations.bstann"
    ann = read_annotations(found)
    dataset, _ = open_dataset(demo)
    assert (ann.dataset_name, ann.dataset_fingerprint) == (dataset.name, dataset.fingerprint)
    assert sorted(ann.cases, key=int) == [str(n) for n in range(1, PATIENTS + 1)]
    planted_mets = planted_benign = 0
    for plan in demo_plan(PATIENTS, SEED):
        p = generate_patient(plan.number, plan.metastatic, SEED, superscan=plan.superscan)
        case = ann.cases[str(p.number)]
        mets = [les for les in p.lesions if les.kind == "metastasis"]
        benign = [les for les in p.lesions if les.kind != "metastasis"]
        planted_mets += len(mets)
        planted_benign += len(benign)
        assert [(m.view, m.x, m.y, m.radius, m.region) for m in case.lesions] == [
            (les.projection, round(les.x, 2), round(les.y, 2), round(les.radius, 2), les.region)
            for les in mets]
        assert [(m.view, m.x, m.y, m.radius, m.region, m.kind) for m in case.findings] == [
            (les.projection, round(les.x, 2), round(les.y, 2), round(les.radius, 2), les.region,
             FINDING_KIND[les.kind]) for les in benign]
        assert all(m.note for m in case.findings) and case.teaching_point
        assert bool(case.lesions) == p.metastatic
    assert planted_mets > 0 and planted_benign > 0
    assert check(ann, dataset) == []


def test_the_radius_is_twice_the_spot_width_as_drawn() -> None:
    p = generate_patient(1, True, SEED)
    for les in p.lesions:
        # the narrowest spot drawn is 0.45 cm wide (injection), the widest 1.3 x 1.3 cm
        # (knees), blurred by the collimator: 2 sigma lies between ~4.8 and ~16 pixels
        assert 4.0 < les.radius < 17.0 and math.isfinite(les.radius)


def test_the_same_seed_gives_the_same_annotation_bytes(tmp_path: Path, demo: Path) -> None:
    again = write_demo(tmp_path / "again", PATIENTS, SEED)
    assert (again / "annotations.bstann").read_bytes() == (demo / "annotations.bstann").read_bytes()


def test_an_earlier_demo_with_its_annotations_is_replaced(tmp_path: Path) -> None:
    first = write_demo(tmp_path / "d", 2, 1)
    assert (first / "annotations.bstann").is_file()
    write_demo(tmp_path / "d", 3, 2)
    assert sorted(read_annotations(tmp_path / "d" / "annotations.bstann").cases) == ["1", "2", "3"]


def test_the_shipped_demo_has_its_annotations() -> None:
    shipped = REPO / "resources" / "demo"
    ann = read_annotations(shipped / "annotations.bstann")
    dataset, _ = open_dataset(shipped)
    assert ann.dataset_fingerprint == dataset.fingerprint
    assert sum(len(c.lesions) for c in ann.cases.values()) > 0


def _brightness_ratio(image, x: float, y: float, r: float) -> float:
    """Mean of the 5 x 5 pixels at (x, y) over the mean of four 5 x 5 patches 2 r away."""
    import numpy as np

    def patch(cx: int, cy: int) -> np.ndarray:
        return image[max(0, cy - 2):cy + 3, max(0, cx - 2):cx + 3].ravel()

    cx, cy, d = round(x), round(y), round(2 * r)
    ring = np.concatenate([patch(cx, cy - d), patch(cx, cy + d), patch(cx - d, cy),
                           patch(cx + d, cy)])
    return float(patch(cx, cy).mean() / (ring.mean() + 1.0))


def test_every_shipped_mark_sits_on_a_hot_spot_of_its_own_view() -> None:
    """The marks are in the stored (un-mirrored) image's pixels: each centre is brighter than
    the tissue two radii away, on the view it names (a mirrored posterior would miss)."""
    import numpy as np
    from PIL import Image

    from bonescan_tutor.core.cases import Projection

    shipped = REPO / "resources" / "demo"
    dataset, _ = open_dataset(shipped)
    ann = read_annotations(shipped / "annotations.bstann")
    checked = 0
    for key, case in ann.cases.items():
        for mark in (*case.lesions, *case.findings):
            view = dataset.case(key).view(mark.view)
            image = np.asarray(Image.open(view.path), dtype=np.float64)
            assert _brightness_ratio(image, mark.x, mark.y, mark.radius) > 1.1, (key, mark)
            checked += 1
    assert checked > 100
    # the check can fail: the same marks put on the other view miss their spots
    other = {Projection.ANTERIOR: Projection.POSTERIOR, Projection.POSTERIOR: Projection.ANTERIOR}
    misses = 0
    for key, case in ann.cases.items():
        for mark in case.lesions:
            if mark.x < 110 or mark.x > 145:  # off the midline, where a mirror moves it
                image = np.asarray(Image.open(dataset.case(key).view(other[mark.view]).path),
                                   dtype=np.float64)
                misses += _brightness_ratio(image, mark.x, mark.y, mark.radius) <= 1.1
    assert misses > 0


def test_the_make_demo_command_writes_the_same_truth_and_the_check_accepts_it(
    tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bonescan_tutor import cli

    dest = tmp_path / "made"
    assert cli.run(["make-demo", str(dest), "--patients", str(PATIENTS), "--seed", str(SEED)]) == 0
    made = dest / "annotations.bstann"
    assert made.read_bytes() == (demo / "annotations.bstann").read_bytes()
    capsys.readouterr()
    assert cli.run(["annotations", "check", str(made), "--dataset", str(dest)]) == 0
    assert "No problems found." in capsys.readouterr().out
