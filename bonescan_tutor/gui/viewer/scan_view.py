"""Two linked planar views: anterior on the left, posterior on the right.

Each view is a pyqtgraph ``ViewBox`` with an ``ImageItem`` (row-major, y down), a
projection letter (A / P) and the patient-side markers (R / L). Zoom and pan are
linked. A view that failed to load shows the reason instead of an image.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from bonescan_tutor.core.cases import Projection

INVERTED_GRAY = np.linspace(255, 0, 256).astype(np.uint8)[:, None].repeat(3, axis=1)


class PlanarView:
    """One projection: the image, its letter, its side markers and an error text."""

    def __init__(self, layout: pg.GraphicsLayout, projection: Projection, col: int) -> None:
        self.projection = projection
        self.box: pg.ViewBox = layout.addViewBox(row=0, col=col, lockAspect=True, enableMenu=False)
        self.box.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self.letter = self._text(projection.letter, size="16pt", bold=True)
        # Anterior: the patient's right is on the image's left; posterior: the reverse.
        left, right = ("R", "L") if projection is Projection.ANTERIOR else ("L", "R")
        self.left_marker = self._text(left)
        self.right_marker = self._text(right)
        self.error = pg.TextItem("", color="#ff8c69", anchor=(0.5, 0.5))
        self.error.setVisible(False)
        self.box.addItem(self.error)
        self.shape: tuple[int, int] | None = None

    def _text(self, text: str, size: str = "12pt", bold: bool = False) -> pg.TextItem:
        item = pg.TextItem(html=f'<span style="font-size:{size};font-weight:{"bold" if bold else "normal"};'
                           f'color:#9ecbff">{text}</span>', anchor=(0, 0))
        item.setFlag(item.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.box.addItem(item, ignoreBounds=True)
        return item

    def set_sides(self, mirrored: bool) -> None:
        left, right = ("R", "L") if (self.projection is Projection.ANTERIOR) != mirrored else ("L", "R")
        for item, text in ((self.left_marker, left), (self.right_marker, right)):
            item.setHtml(f'<span style="font-size:12pt;color:#9ecbff">{text}</span>')

    def show_image(self, display: np.ndarray) -> None:
        """Show display values: uint8 gray (H, W) or RGB (H, W, 3)."""
        self.error.setVisible(False)
        self.image.setImage(display, levels=(0, 255), autoLevels=False)
        self.image.setVisible(True)
        self.shape = display.shape[:2]
        self._place_labels()

    def show_error(self, message: str) -> None:
        self.image.setVisible(False)
        self.error.setText(message)
        h, w = self.shape or (1024, 256)
        self.error.setPos(w / 2, h / 2)
        self.error.setVisible(True)

    def _place_labels(self) -> None:
        h, w = self.shape or (1024, 256)
        self.letter.setPos(w / 2 - 6, 4)
        self.left_marker.setPos(4, h * 0.06)
        self.right_marker.setPos(w - 18, h * 0.06)

    def fit(self) -> None:
        h, w = self.shape or (1024, 256)
        self.box.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)


class DualScanView(pg.GraphicsLayoutWidget):
    """Anterior left, posterior right, zoom and pan linked."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent=parent)
        self.setBackground("#101418")
        self.views = {
            Projection.ANTERIOR: PlanarView(self.ci, Projection.ANTERIOR, 0),
            Projection.POSTERIOR: PlanarView(self.ci, Projection.POSTERIOR, 1),
        }
        post = self.views[Projection.POSTERIOR].box
        post.setXLink(self.views[Projection.ANTERIOR].box)
        post.setYLink(self.views[Projection.ANTERIOR].box)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def fit(self) -> None:
        self.views[Projection.ANTERIOR].fit()
