"""One overlay registry: the viewer and ``render`` draw the same colours, and an overlay
registered once shows in the viewer's tools, ``render --overlay`` and the shortcuts help."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from bonescan_tutor import cli, paths
from bonescan_tutor.core.cases import Case, Projection
from bonescan_tutor.core.overlays import (
    OVERLAYS,
    SKY_BLUE,
    Line,
    OverlayInput,
    register,
    unregister,
)
from bonescan_tutor.core.quiz import Tool
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.gui.app import configure_pyqtgraph
from bonescan_tutor.gui.viewer.model import ViewerState
from bonescan_tutor.gui.viewer.presenter import ViewerPresenter
from bonescan_tutor.gui.viewer.scan_view import DualScanView

CASE_KEY = "2"  # a metastatic demo patient: hot spots off the midline
PALETTE = {  # Okabe-Ito, and the colours the viewer used before them (green, red, magenta)
    "orange": (230, 159, 0), "sky blue": (86, 180, 233), "bluish green": (0, 158, 115),
    "yellow": (240, 228, 66), "blue": (0, 114, 178), "vermillion": (213, 94, 0),
    "reddish purple": (204, 121, 167), "green": (40, 220, 90), "red": (255, 59, 48),
    "magenta": (255, 64, 255), "cyan": (0, 208, 255),
}


@pytest.fixture(scope="module")
def demo_case() -> tuple[Case, dict[Projection, np.ndarray]]:
    dataset, _ = open_dataset(paths.demo_dataset_dir())
    case = dataset.case(CASE_KEY)
    return case, {v.projection: load_view(v) for v in case.views}


def viewer_rgb(qtbot, demo_case, overlays: frozenset[str]) -> np.ndarray:
    """The dual scan view, drawn by the viewer's own path, grabbed offscreen."""
    configure_pyqtgraph()
    view = DualScanView()
    qtbot.addWidget(view)
    view.resize(600, 700)
    view.show()
    qtbot.waitExposed(view)
    case, images = demo_case
    ViewerPresenter(view, ViewerState(overlays=overlays)).set_case(case, dict(images))
    qtbot.wait(20)
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : w * 3].reshape(h, w, 3).copy()


def render_rgb(tmp_path: Path, overlays: frozenset[str]) -> np.ndarray:
    out = tmp_path / f"render-{'-'.join(sorted(overlays)) or 'none'}.png"
    argv = ["render", str(paths.demo_dataset_dir()), "--case", CASE_KEY, "--out", str(out),
            "--scale", "2"]
    if overlays:
        argv += ["--overlay", ",".join(sorted(overlays))]
    assert cli.run(argv) == 0
    return np.asarray(Image.open(out).convert("RGB"))


def overlay_colours(with_overlay: np.ndarray, without: np.ndarray) -> set[str]:
    """The palette colours an overlay put on the picture. Each pixel it changed is
    ``(1 - a) * before + a * colour`` (a see-through layer, or a line's smoothed edge):
    the palette colour that explains the change best names it; those naming at least
    10 % of the changed pixels are returned."""
    h = min(len(with_overlay), len(without))  # the asymmetry map adds a colour bar below
    after, before = with_overlay[:h].astype(float), without[:h].astype(float)
    changed = np.abs(after - before).sum(axis=2) > 30
    d, base = (after - before)[changed], before[changed]  # (N, 3)
    names = list(PALETTE)
    e = np.array([PALETTE[n] for n in names], float)[None] - base[:, None]  # (N, K, 3)
    a = np.clip((d[:, None] * e).sum(axis=2) / np.maximum((e * e).sum(axis=2), 1.0), 0, 1)
    residual = ((d[:, None] - a[..., None] * e) ** 2).sum(axis=2)
    counts = np.bincount(np.argmin(residual, axis=1), minlength=len(names))
    return {names[i] for i, n in enumerate(counts) if n >= 0.1 * len(d)}


def test_the_viewer_and_render_draw_every_overlay_in_the_same_colours(
        qtbot, demo_case, tmp_path: Path) -> None:
    plain_view = viewer_rgb(qtbot, demo_case, frozenset())
    plain_render = render_rgb(tmp_path, frozenset())
    expected = {"midline": {"sky blue"}, "hotspots": {"orange"},
                "mirror": {"reddish purple"}, "asymmetry": {"vermillion", "blue"}}
    for name in OVERLAYS:
        on = frozenset({name})
        in_viewer = overlay_colours(viewer_rgb(qtbot, demo_case, on), plain_view)
        in_render = overlay_colours(render_rgb(tmp_path, on), plain_render)
        assert in_viewer == in_render == expected[name], name


def test_a_registered_overlay_appears_in_the_viewer_render_and_the_help(
        qtbot, settings, tmp_path: Path) -> None:
    def paint_axis(data: OverlayInput) -> tuple[Line, ...]:
        h = data.image.shape[0]
        return (Line((10.0, 10.0), (0.0, h - 1.0), SKY_BLUE, dashed=False),)

    spec = replace(OVERLAYS["midline"], name="ruler", action="ruler", label="Ruler",
                   command="Ruler at the left edge", key="Shift+U", tool=Tool.MIDLINE,
                   needs_analysis=False, paint=paint_axis)
    register(spec)
    try:
        from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog
        from bonescan_tutor.gui.main_window import MainWindow
        from tests.builders import build

        w = MainWindow(settings)
        qtbot.addWidget(w)
        w.show()
        w.open_dataset(build(tmp_path / "d"))
        qtbot.waitUntil(lambda: w.viewer.presenter.case is not None, timeout=10_000)
        check = w.viewer.controls.overlay_checks["ruler"]
        assert check.text() == "Ruler (Shift+U)"
        check.setChecked(True)
        items = w.scans.views[Projection.ANTERIOR].overlay_items["ruler"]
        assert [item.isVisible() for item in items] == [True]
        assert ("Overlays", "Ruler at the left edge", "Shift+U") in w.actions.shortcuts()
        dialog = ShortcutsDialog(w.actions.shortcuts(), w)
        qtbot.addWidget(dialog)
        cells = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
        assert "Ruler at the left edge" in cells
        w.actions["ruler"].trigger()
        assert "ruler" not in w.viewer.presenter.state.overlays

        help_text = cli.build_parser(["render", "--help"])._subparsers._group_actions[0] \
            .choices["render"].format_help()  # type: ignore[union-attr]
        assert "midline, mirror, asymmetry, hotspots, ruler" in " ".join(help_text.split())
        out = tmp_path / "ruler.png"
        assert cli.run(["render", str(paths.demo_dataset_dir()), "--case", CASE_KEY,
                        "--overlay", "ruler", "--out", str(out)]) == 0
        assert (np.asarray(Image.open(out).convert("RGB")) == SKY_BLUE).all(axis=2).sum() > 500
    finally:
        unregister("ruler")
