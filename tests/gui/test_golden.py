"""Golden images: what the dual scan view draws for one shipped demo case.

Each scene is grabbed from a ``DualScanView`` of fixed size, halved (2 x 2 means, which
also smooths away font hinting), and compared with a PNG in ``tests/gui/golden/``:
the mean absolute difference per channel and the 99th percentile of the differences
must stay under small bounds, so a changed window, colour map, orientation, overlay or
marker fails while another machine's text rendering passes.

Regenerate after an intended change of the drawing (then look at the PNGs):
    BONESCAN_REGENERATE_GOLDEN=1 python -m pytest tests/gui/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Case, Projection
from bonescan_tutor.core.overlays import ASYMMETRY, OVERLAYS
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.gui.app import configure_pyqtgraph
from bonescan_tutor.gui.viewer.model import ViewerState
from bonescan_tutor.gui.viewer.presenter import ViewerPresenter
from bonescan_tutor.gui.viewer.scan_view import DualScanView

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("BONESCAN_REGENERATE_GOLDEN") == "1"
CASE_KEY = "2"  # a metastatic demo patient: hot spots off the midline
SIZE = (600, 700)  # width, height of the widget grabbed
MAX_MEAN_DIFF = 1.5  # per channel, 0-255
MAX_P99_DIFF = 24

SCENES = {
    "anterior_posterior": ViewerState(),  # the default: bone-35, inverted gray
    "asymmetry_overlay": ViewerState(overlays=frozenset({ASYMMETRY})),
    "posterior_mirrored": ViewerState(mirror_posterior=True),
    "every_overlay": ViewerState(overlays=frozenset(OVERLAYS)),
}


@pytest.fixture(scope="module")
def demo_case() -> tuple[Case, dict[Projection, np.ndarray]]:
    dataset, _ = open_dataset(paths.demo_dataset_dir())
    case = dataset.case(CASE_KEY)
    return case, {v.projection: load_view(v) for v in case.views}


def render(qtbot, demo_case: tuple[Case, dict[Projection, np.ndarray]],
           state: ViewerState) -> np.ndarray:
    """The scene as (H, W, 3) uint8 at half the widget's size."""
    configure_pyqtgraph()
    view = DualScanView()
    qtbot.addWidget(view)
    view.resize(*SIZE)
    view.show()
    qtbot.waitExposed(view)
    presenter = ViewerPresenter(view, state)  # analyses synchronous: drawn at once
    case, images = demo_case
    presenter.set_case(case, dict(images))  # type: ignore[arg-type]
    qtbot.wait(20)
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    if (image.width(), image.height()) != SIZE:  # a high-DPI screen
        image = image.scaled(*SIZE)
    w, h = SIZE
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    rgb = rows[:, : w * 3].reshape(h, w, 3).astype(np.float32)
    halved = rgb.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
    return np.round(halved).astype(np.uint8)


def difference(shown: np.ndarray, golden: np.ndarray) -> tuple[float, float]:
    """(mean absolute difference per channel, 99th percentile of the differences)."""
    diff = np.abs(shown.astype(np.int16) - golden.astype(np.int16))
    return float(diff.mean()), float(np.percentile(diff, 99))


def matches(shown: np.ndarray, golden: np.ndarray) -> bool:
    if shown.shape != golden.shape:
        return False
    mean, p99 = difference(shown, golden)
    return mean < MAX_MEAN_DIFF and p99 <= MAX_P99_DIFF


@pytest.mark.parametrize("scene", list(SCENES))
def test_the_view_draws_as_the_golden_image(qtbot, demo_case, scene: str) -> None:
    shown = render(qtbot, demo_case, SCENES[scene])
    path = GOLDEN / f"{scene}.png"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        Image.fromarray(shown).save(path, optimize=True)
        pytest.skip(f"regenerated {path.name}")
    golden = np.asarray(Image.open(path).convert("RGB"))
    mean, p99 = difference(shown, golden) if shown.shape == golden.shape else (np.inf, np.inf)
    assert matches(shown, golden), (
        f"{scene}: mean difference {mean:.2f} (limit {MAX_MEAN_DIFF}), 99th percentile "
        f"{p99:.0f} (limit {MAX_P99_DIFF}); if the change is intended, regenerate with "
        "BONESCAN_REGENERATE_GOLDEN=1 and look at the images")


def test_the_tolerance_still_tells_scenes_apart(qtbot, demo_case) -> None:
    """A wider window, the overlay or the mirror each fail the plain golden image."""
    if REGENERATE:
        pytest.skip("golden images being regenerated")
    golden = np.asarray(Image.open(GOLDEN / "anterior_posterior.png").convert("RGB"))
    for state in (ViewerState(preset="bone-50"), *(SCENES[s] for s in SCENES
                                                  if s != "anterior_posterior")):
        assert not matches(render(qtbot, demo_case, state), golden), state
