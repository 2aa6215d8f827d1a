"""Two linked planar views: anterior on the left, posterior on the right.

Each view is a ``ReadingViewBox`` (left- or right-drag sets window/level as on clinical
workstations, middle-drag pans, the wheel zooms) holding the scan, the overlays, the
projection letter (A / P) and the patient-side markers (R / L). Zoom and pan are
linked; a crosshair marks the same anatomical point in the other view. The widget only
draws what the presenter hands it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QLabel

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.overlays import CROSSHAIR, TRAINEE_MARK, Layer, Line, Markers, Raster
from bonescan_tutor.gui.viewer.model import ViewerState, corresponding_point
from bonescan_tutor.gui.viewer.presenter import Frame, rgb_view

MARKER_COLOUR = "#4fb3ff"
OVERLAY_Z = 2  # overlays between the scan (0) and the crosshair and marks


def layer_item(layer: Layer) -> pg.GraphicsObject:
    """A new pyqtgraph item for a layer of this kind (filled by ``show_layer``)."""
    if isinstance(layer, Raster):
        return PackedImage(alpha=True)
    if isinstance(layer, Line):
        return pg.PlotCurveItem()
    return pg.ScatterPlotItem(pxMode=False, brush=None)


def _fits(item: pg.GraphicsObject, layer: Layer) -> bool:
    """``item`` can draw ``layer`` (the same kind)."""
    kinds = ((Raster, PackedImage), (Line, pg.PlotCurveItem), (Markers, pg.ScatterPlotItem))
    return any(isinstance(layer, lk) and isinstance(item, ik) for lk, ik in kinds)


def show_layer(item: pg.GraphicsObject, layer: Layer) -> None:
    """Draw ``layer`` with ``item`` (made by ``layer_item``): pixel centres sit at
    +0.5, the image spanning 0..width; markers sized in image pixels, as in figures."""
    if isinstance(layer, Raster):
        item.set_pixels(layer.argb)
        return
    style = Qt.PenStyle.DashLine if isinstance(layer, Line) and layer.dashed else Qt.PenStyle.SolidLine
    pen = pg.mkPen(layer.colour, width=layer.width, style=style)
    xs = np.asarray(layer.xs, float) + 0.5
    ys = np.asarray(layer.ys, float) + 0.5
    if isinstance(layer, Line):
        item.setData(xs, ys, pen=pen)
    else:
        assert isinstance(layer, Markers)
        item.setData(xs, ys, symbol=layer.shape, size=2 * layer.radius, pen=pen, brush=None)


class ReadingViewBox(pg.ViewBox):
    """A ViewBox whose left and right drags are window/level instead of pan/zoom."""

    windowDragged = Signal(float, float)  # dx, dy in screen pixels since the last event
    dragFinished = Signal()
    clicked = Signal(float, float)  # a left click (no drag), in image coordinates
    panned = Signal()  # a middle drag moved the view

    #: when set, left drags go to it (the annotation editor sizes marks) instead of the window
    drag_handler = None

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.clicked.emit(p.x(), p.y())
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if self.drag_handler is not None and ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.drag_handler(ev)
            return
        if ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            ev.accept()
            delta = ev.screenPos() - ev.lastScreenPos()
            self.windowDragged.emit(delta.x(), delta.y())
            if ev.isFinish():
                self.dragFinished.emit()
            return
        if ev.button() == Qt.MouseButton.MiddleButton:
            # pyqtgraph pans with its primary button; pass the middle drag on as a pan.
            ev.accept()
            delta = self.mapToView(ev.pos()) - self.mapToView(ev.lastPos())
            self.translateBy(x=-delta.x(), y=-delta.y())
            self.panned.emit()
            return
        super().mouseDragEvent(ev, axis)


class PackedImage(pg.ImageItem):
    """An image item fed 0xFFRRGGBB pixels (the window already applied), painted as a
    native 32-bit QImage: no level scaling and no format conversion on each paint.
    ``image`` is the (H, W, 3) RGB view of those pixels, as for a plain ImageItem."""

    def __init__(self, alpha: bool = False) -> None:
        """``alpha``: the pixels are 0xAARRGGBB, drawn see-through where AA is low."""
        super().__init__(axisOrder="row-major")
        self._qimage: QImage | None = None
        self._format = QImage.Format.Format_ARGB32 if alpha else QImage.Format.Format_RGB32
        #: called once, after the first paint of pixels (then cleared)
        self.on_first_paint: Callable[[], None] | None = None

    def set_pixels(self, pixels: np.ndarray) -> None:
        pixels = np.ascontiguousarray(pixels, dtype=np.uint32)
        self._qimage = pg.functions.ndarray_to_qimage(pixels, self._format)
        self.setImage(rgb_view(pixels), autoLevels=False)

    def clear(self) -> None:
        self._qimage = None
        super().clear()

    def paint(self, painter, *args) -> None:
        if self.image is None or self._qimage is None:
            return
        h, w = self.image.shape[:2]
        painter.drawImage(QRectF(0, 0, w, h), self._qimage)
        if self.on_first_paint is not None:
            told, self.on_first_paint = self.on_first_paint, None
            told()


LABEL_PX = 18  # the projection letter's height on screen, whatever the zoom
MARKER_PX = 15  # the R / L markers'
TOP_STRIP_PX = LABEL_PX + 10  # kept free above the body for the letter and the markers
SIDE_PX = 4  # around the body, on the other sides


def _label(text: str, pixels: int, bold: bool = False) -> QGraphicsSimpleTextItem:
    """A text drawn in screen pixels: a child of the view box, not of the image, so it
    neither grows with the zoom nor covers the scan."""
    item = QGraphicsSimpleTextItem(text)
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    item.setFont(font)
    item.setBrush(QColor(MARKER_COLOUR))
    item.setZValue(20)
    return item


class PlanarView:
    """One projection: the image, overlays, letter, side markers and an error text."""

    def __init__(self, layout: pg.GraphicsLayout, projection: Projection, col: int) -> None:
        self.projection = projection
        self.box = ReadingViewBox(lockAspect=True, enableMenu=False)
        layout.addItem(self.box, row=0, col=col)
        self.box.invertY(True)
        self.image = PackedImage()
        #: each overlay's items by its name, one per layer, made when first shown
        self.overlay_items: dict[str, list[pg.GraphicsObject]] = {}
        self._drawn: dict[int, Layer] = {}  # the layer each item shows, by the item's id
        colour, shape = CROSSHAIR
        self.crosshair = pg.ScatterPlotItem(symbol=shape, size=18,
                                            pen=pg.mkPen(colour, width=2), pxMode=True)
        colour, shape = TRAINEE_MARK
        self.marks = pg.ScatterPlotItem(symbol=shape, size=16, pen=pg.mkPen(colour, width=3),
                                        brush=None, pxMode=True)
        for z, item in ((0, self.image), (OVERLAY_Z + 3, self.crosshair),
                        (OVERLAY_Z + 4, self.marks)):
            item.setZValue(z)
            self.box.addItem(item)
            item.setVisible(False)
        self.letter = _label(projection.letter, LABEL_PX, bold=True)
        self.left_marker, self.right_marker = _label("", MARKER_PX), _label("", MARKER_PX)
        for item in (self.letter, self.left_marker, self.right_marker):
            item.setParentItem(self.box)
        self.error = pg.TextItem("", color="#ff8c69", anchor=(0.5, 0.5))
        self.error.setZValue(21)
        self.error.setVisible(False)
        self.box.addItem(self.error, ignoreBounds=True)
        self.shape: tuple[int, int] = (1024, 256)
        #: the body's box (x0, y0, x1, y1) in displayed image pixels; None: the whole image
        self.body: tuple[float, float, float, float] | None = None
        self.mirrored = False
        self._sides: bool | None = None
        self._marks_shown: tuple[list[float], list[float]] = ([], [])
        self._set_sides(False)
        self.box.sigRangeChanged.connect(self._place_labels)
        self.box.sigResized.connect(self._place_labels)

    def _set_sides(self, mirrored: bool) -> None:
        # Anterior: the patient's right is on the image's left; posterior: the reverse,
        # unless shown mirrored to line up with the anterior view.
        right_on_left = (self.projection is Projection.ANTERIOR) or mirrored
        if right_on_left == self._sides:
            return  # laying out the HTML again costs more than drawing the scan
        self._sides = right_on_left
        self.left_marker.setText("R" if right_on_left else "L")
        self.right_marker.setText("L" if right_on_left else "R")
        self._place_labels()

    @property
    def side_texts(self) -> tuple[str, str]:
        """(image-left marker, image-right marker), e.g. ('R', 'L') for the anterior view."""
        return (self.left_marker.text(), self.right_marker.text())

    def show_frame(self, frame: Frame, state: ViewerState) -> None:
        del state  # the frame carries the overlays' layers, painted from it
        self.error.setVisible(False)
        self.image.set_pixels(frame.pixels)
        self.image.setVisible(True)
        if not self.letter.isVisible():
            self._place_labels()
        h, w = frame.pixels.shape[:2]
        self.shape = (h, w)
        self.body = frame.body
        self.mirrored = frame.mirrored
        self._set_sides(frame.mirrored)
        for name, items in self.overlay_items.items():
            if name not in frame.layers:
                for item in items:
                    item.setVisible(False)
        for name, layers in frame.layers.items():
            self._show_overlay(name, layers)

    def _show_overlay(self, name: str, layers: tuple[Layer, ...]) -> None:
        items = self.overlay_items.setdefault(name, [])
        for i, layer in enumerate(layers):
            if i < len(items) and not _fits(items[i], layer):
                self.box.removeItem(items[i])
                items[i] = self._new_item(layer)
            elif i >= len(items):
                items.append(self._new_item(layer))
            if self._drawn.get(id(items[i])) is not layer:  # a drag redraws unchanged maps
                show_layer(items[i], layer)
                self._drawn[id(items[i])] = layer
            items[i].setVisible(True)
        for item in items[len(layers):]:
            item.setVisible(False)

    def _new_item(self, layer: Layer) -> pg.GraphicsObject:
        item = layer_item(layer)
        # rasters under lines under markers, as in figures
        kind = 0 if isinstance(layer, Raster) else 1 if isinstance(layer, Line) else 2
        item.setZValue(OVERLAY_Z + kind / 3)
        self.box.addItem(item)
        return item

    def show_marks(self, points: list[tuple[float, float]]) -> None:
        """The trainee's marks, in image coordinates of the un-mirrored view."""
        w = self.shape[1]
        xs = [(w - 1 - x) if self.mirrored else x for x, _ in points]
        ys = [y for _, y in points]
        if (xs, ys) != self._marks_shown:  # the quiz re-sends its marks on every change
            self._marks_shown = (xs, ys)
            self.marks.setData(xs, ys)
        self.marks.setVisible(bool(points))

    def show_error(self, message: str) -> None:
        for item in (self.image, self.marks, *self.overlay_items_flat()):
            item.setVisible(False)
        self.image.clear()
        self.body = None
        self.error.setText(message)
        h, w = self.shape
        self.error.setPos(w / 2, h / 2)
        self.error.setVisible(True)

    def overlay_items_flat(self) -> list[pg.GraphicsObject]:
        return [item for items in self.overlay_items.values() for item in items]

    def extent(self) -> tuple[float, float, float, float]:
        """What a fit shows: the body's box, or the whole image when no body is known."""
        h, w = self.shape
        return self.body if self.body is not None and self.image.isVisible() else (0, 0, w, h)

    def fit(self, extent: tuple[float, float, float, float] | None = None) -> None:
        """Show ``extent`` (default: this view's) as large as the view allows, with a strip
        of TOP_STRIP_PX screen pixels above it for the letter and the side markers."""
        x0, y0, x1, y1 = extent or self.extent()
        width, height = max(self.box.width(), 1.0), max(self.box.height(), 1.0)
        scale = max(min((height - TOP_STRIP_PX - SIDE_PX) / max(y1 - y0, 1.0),
                        (width - 2 * SIDE_PX) / max(x1 - x0, 1.0)), 1e-3)
        centre = (x0 + x1) / 2
        self.box.setRange(xRange=(centre - width / 2 / scale, centre + width / 2 / scale),
                          yRange=(y0 - TOP_STRIP_PX / scale, y0 + (height - TOP_STRIP_PX) / scale),
                          padding=0)

    def image_rect(self) -> QRectF:
        """The image's rectangle in the view box's (screen pixel) coordinates."""
        h, w = self.shape
        return self.box.mapFromViewToItem(self.box, QRectF(0, 0, w, h)).boundingRect()

    def _place_labels(self) -> None:
        # In the strip above the body: the letter centred, R and L over its two edges,
        # clamped to the view so they stay readable when the view is zoomed or panned.
        shown = self.image.isVisible()
        for item in (self.letter, self.left_marker, self.right_marker):
            item.setVisible(shown)  # nothing to orient before a case is shown
        x0, y0, x1, _ = self.extent()
        box = self.box.boundingRect()
        top_left = self.box.mapFromViewToItem(self.box, QPointF(x0, y0))
        bottom_right = self.box.mapFromViewToItem(self.box, QPointF(x1, y0))
        if top_left is None or bottom_right is None:
            return
        left, right = min(top_left.x(), bottom_right.x()), max(top_left.x(), bottom_right.x())
        y = min(max(top_left.y() - TOP_STRIP_PX + 4, 2.0), box.height() - TOP_STRIP_PX)

        def place(item: QGraphicsSimpleTextItem, x: float, top: float) -> None:
            r = item.boundingRect()
            item.setPos(min(max(x, 2.0), box.width() - r.width() - 2), top)

        letter = self.letter.boundingRect()
        place(self.letter, (left + right - letter.width()) / 2, y)
        marker_y = y + (letter.height() - self.left_marker.boundingRect().height())
        place(self.left_marker, left, marker_y)
        place(self.right_marker, right - self.right_marker.boundingRect().width(), marker_y)

    def set_crosshair(self, point: tuple[float, float] | None) -> None:
        if point is None:
            self.crosshair.setVisible(False)
            return
        self.crosshair.setData([point[0] + 0.5], [point[1] + 0.5])
        self.crosshair.setVisible(True)


class DualScanView(pg.GraphicsLayoutWidget):
    """Anterior left, posterior right, zoom and pan linked, crosshair mirrored."""

    windowDragged = Signal(object, float, float)  # projection, dx, dy
    hovered = Signal(object, int, int)  # projection, x, y in displayed image pixels
    left = Signal()
    clicked = Signal(object, float, float)  # projection, x, y in the un-mirrored image
    #: the first scan these views show has been painted on screen (emitted once)
    firstDrawn = Signal()

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent=parent)
        self.setBackground("#0b0e11")
        self.ci.setSpacing(8)
        self.ci.setContentsMargins(2, 2, 2, 2)
        # The pixel readout sits over the scans' bottom corner: no row of height taken.
        self.readout = QLabel("", self)
        self.readout.setObjectName("readout")
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.readout.hide()
        self.views = {
            Projection.ANTERIOR: PlanarView(self.ci, Projection.ANTERIOR, 0),
            Projection.POSTERIOR: PlanarView(self.ci, Projection.POSTERIOR, 1),
        }
        ant, post = self.views[Projection.ANTERIOR].box, self.views[Projection.POSTERIOR].box
        post.setXLink(ant)
        post.setYLink(ant)
        self.zoomed = False  # the trainee zoomed or panned: resizes keep their view
        ant_view = self.views[Projection.ANTERIOR]
        ant_view.box.sigResized.connect(self._resized)
        for projection, view in self.views.items():
            view.box.sigRangeChangedManually.connect(self._zoomed_by_hand)
            view.box.panned.connect(self._zoomed_by_hand)
            view.box.windowDragged.connect(
                lambda dx, dy, p=projection: self.windowDragged.emit(p, dx, dy))
            view.box.clicked.connect(lambda x, y, v=view: self._clicked(v, x, y))
        self.setMouseTracking(True)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.drawn = False  # a scan has been painted on screen
        for view in self.views.values():
            view.image.on_first_paint = self._first_paint

    def _first_paint(self) -> None:
        """Called from inside the image item's ``paint``: the scene must not change
        there, so what follows the first case (tools, annotations, ...) is told on the
        event loop's next turn."""
        if not self.drawn:
            self.drawn = True
            for view in self.views.values():
                view.image.on_first_paint = None
            QTimer.singleShot(0, self._tell_drawn)

    def _tell_drawn(self) -> None:
        self.firstDrawn.emit()

    def show_readout(self, text: str) -> None:
        self.readout.setText(text)
        self.readout.adjustSize()
        self.readout.move(6, self.height() - self.readout.height() - 4)
        self.readout.setVisible(bool(text))

    def set_background(self, colour: str) -> None:
        self.setBackground(QColor(colour))

    # ScanSurface
    def show_frame(self, projection: Projection, frame: Frame, state: ViewerState) -> None:
        self.views[projection].show_frame(frame, state)

    def show_message(self, projection: Projection, message: str) -> None:
        self.views[projection].show_error(message)
        if not self.drawn:  # a message in place of the scan counts as what is shown
            self._first_paint()

    def fit(self) -> None:
        """Both bodies, whole and as large as the views allow (zoom and pan are linked)."""
        self.zoomed = False
        boxes = [v.extent() for v in self.views.values() if v.image.isVisible()]
        if not boxes:
            boxes = [self.views[Projection.ANTERIOR].extent()]
        union = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                 max(b[2] for b in boxes), max(b[3] for b in boxes))
        self.views[Projection.ANTERIOR].fit(union)
        for view in self.views.values():
            view._place_labels()

    def _zoomed_by_hand(self, *_args: object) -> None:
        self.zoomed = True

    def _resized(self, *_args: object) -> None:
        """A new size (the window, the splitter, the tool column): fit again, unless the
        trainee zoomed."""
        if not self.zoomed:
            self.fit()

    def _clicked(self, view: PlanarView, x: float, y: float) -> None:
        h, w = view.shape
        if view.image.isVisible() and 0 <= x < w and 0 <= y < h:
            self.clicked.emit(view.projection, (w - 1 - x) if view.mirrored else x, y)

    def show_marks(self, marks: list[tuple[Projection, float, float]]) -> None:
        for projection, view in self.views.items():
            view.show_marks([(x, y) for p, x, y in marks if p is projection])

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        for projection, view in self.views.items():
            if view.box.sceneBoundingRect().contains(scene_pos) and view.image.isVisible():
                p = view.box.mapSceneToView(scene_pos)
                x, y = int(np.floor(p.x())), int(np.floor(p.y()))
                h, w = view.shape
                if 0 <= x < w and 0 <= y < h:
                    self.point_at(projection, x, y)
                    self.hovered.emit(projection, x, y)
                    return
        for view in self.views.values():
            view.set_crosshair(None)
        self.left.emit()

    def point_at(self, projection: Projection, x: float, y: float) -> tuple[float, float]:
        """Mark (x, y) of ``projection`` and the same anatomical point in the other view."""
        source = self.views[projection]
        other_projection = (Projection.POSTERIOR if projection is Projection.ANTERIOR
                            else Projection.ANTERIOR)
        mirrored = self.views[Projection.POSTERIOR].mirrored
        mapped = corresponding_point(x, y, source.shape[1], projection, mirrored)
        source.set_crosshair((x, y))
        self.views[other_projection].set_crosshair(mapped)
        return mapped
