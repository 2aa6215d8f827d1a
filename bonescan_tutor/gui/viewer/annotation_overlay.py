"""The expert's lesions and findings drawn on the scans beside the trainee's labelled marks.

``AnnotationOverlay`` adds its own items to the two views of a ``DualScanView``: each
lesion a solid diamond of its annotated radius (found) or a dashed one (missed), each
benign look-alike a dashed square, each trainee mark a fixed-size cross (blue: a hit;
vermillion: a false mark) with its label; hot spots stay circles. Shapes and colours
come from ``core.overlays`` (Okabe-Ito colours, apart for colour-blind readers too).
Hovering a diamond or a square shows its note.
``AnnotationPanel`` is the legend, the teaching point and the list of all of them.
The content comes from ``annotation_feedback.CaseFeedback``; this module only draws.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from bonescan_tutor.core.annotations import Mark
from bonescan_tutor.core.overlays import (
    FALSE_MARK as FALSE_STYLE,
)
from bonescan_tutor.core.overlays import (
    FINDING_MARK,
    HOTSPOT_MARK,
    LESION_MARK,
    SHAPE_GLYPHS,
    TRAINEE_MARK,
    hex_colour,
)
from bonescan_tutor.gui.viewer.annotation_feedback import (
    FALSE_MARK,
    HIT,
    CaseFeedback,
)
from bonescan_tutor.gui.viewer.scan_view import DualScanView, PlanarView

LESION_COLOUR, LESION_SHAPE = hex_colour(LESION_MARK[0]), LESION_MARK[1]
FINDING_COLOUR, FINDING_SHAPE = hex_colour(FINDING_MARK[0]), FINDING_MARK[1]
HIT_COLOUR, MARK_SHAPE = hex_colour(TRAINEE_MARK[0]), TRAINEE_MARK[1]
FALSE_COLOUR = hex_colour(FALSE_STYLE[0])
MISSED_COLOUR = LESION_COLOUR
LABEL_Z = 30
COLOURS = {"lesion": LESION_COLOUR, "finding": FINDING_COLOUR, HIT: HIT_COLOUR,
           FALSE_MARK: FALSE_COLOUR}


class PassiveScatter(pg.ScatterPlotItem):
    """Spots that show their tips on hover but let clicks through to the view below (a
    plain scatter item takes a click on a spot, so the view would never hear of it)."""

    def mouseClickEvent(self, ev) -> None:
        ev.ignore()


def _tip(mark: Mark, title: str) -> str:
    where = ", ".join(p for p in (mark.region, mark.view.value) if p)
    return f"{title} ({where})" + (f"\n{mark.note}" if mark.note else "")


class _ViewLayer:
    """The overlay items of one view."""

    def __init__(self, view: PlanarView, authoring: bool = False) -> None:
        self.view = view
        self.authoring = authoring
        tip = lambda x, y, data: data  # noqa: E731 - pyqtgraph calls tip(x=, y=, data=)
        self.targets = PassiveScatter(pxMode=False, hoverable=True, tip=tip)
        self.marks = PassiveScatter(pxMode=True, hoverable=True, tip=tip)
        self.labels: list[pg.TextItem] = []
        for z, item in ((LABEL_Z - 2, self.targets), (LABEL_Z - 1, self.marks)):
            item.setZValue(z)
            view.box.addItem(item)
            item.setVisible(False)

    def clear(self) -> None:
        for item in (self.targets, self.marks):
            item.clear()
            item.setVisible(False)
        for label in self.labels:
            self.view.box.removeItem(label)
        self.labels = []

    def _x(self, x: float) -> float:
        w = self.view.shape[1]
        return (w - 1 - x) if self.view.mirrored else x

    def _label(self, text: str, colour: str, x: float, y: float) -> None:
        # a light box: the palette's darker colours (blue, purple) read on it
        item = pg.TextItem(text, color=colour, anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 215))
        item.setZValue(LABEL_Z)
        item.setPos(x, y)
        self.view.box.addItem(item, ignoreBounds=True)
        self.labels.append(item)

    def show(self, fb: CaseFeedback) -> None:
        self.clear()
        projection = self.view.projection
        spots = []
        for les in fb.lesions:
            m = les.mark
            if m.view is not projection:
                continue
            style = Qt.PenStyle.SolidLine if les.found else Qt.PenStyle.DashLine
            title = f"Lesion {les.number}" + ("" if self.authoring else f": {les.label}")
            spots.append({"pos": (self._x(m.x), m.y), "size": 2 * m.radius,
                          "symbol": LESION_SHAPE, "pen": pg.mkPen(LESION_COLOUR, width=2, style=style),
                          "brush": None, "data": _tip(m, title)})
            if not les.found and not self.authoring:
                self._label(f"miss (lesion {les.number})", MISSED_COLOUR,
                            self._x(m.x) + m.radius * 0.7, m.y - m.radius * 0.7)
        for i, m in enumerate(fb.findings, start=1):
            if m.view is not projection:
                continue
            spots.append({"pos": (self._x(m.x), m.y), "size": 2 * m.radius,
                          "symbol": FINDING_SHAPE,
                          "pen": pg.mkPen(FINDING_COLOUR, width=2, style=Qt.PenStyle.DashLine),
                          "brush": None,
                          "data": _tip(m, f"Finding {i}: {m.kind}, benign")})
        marks = []
        for mark in fb.marks:
            if mark.view is not projection:
                continue
            colour = HIT_COLOUR if mark.label == HIT else FALSE_COLOUR
            marks.append({"pos": (self._x(mark.x), mark.y), "size": 18, "symbol": MARK_SHAPE,
                          "pen": pg.mkPen(colour, width=3), "brush": pg.mkBrush(colour),
                          "data": f"Your mark: {mark.text}"})
            self._label(mark.text, colour, self._x(mark.x) + 6, mark.y)
        self.targets.setData(spots)
        self.marks.setData(marks)
        self.targets.setVisible(bool(spots))
        self.marks.setVisible(bool(marks))

    def tips(self) -> list[str]:
        """The hover texts of what is drawn (targets, then marks)."""
        return [str(s.data()) for item in (self.targets, self.marks) for s in item.points()]

    def label_texts(self) -> list[str]:
        return [label.textItem.toPlainText() for label in self.labels]


class AnnotationOverlay:
    """The annotation layer of both views of ``scans``; ``show`` draws, ``clear`` removes."""

    def __init__(self, scans: DualScanView, authoring: bool = False) -> None:
        """``authoring``: the editor's drawing (no found / missed outcome)."""
        self.layers = {p: _ViewLayer(v, authoring) for p, v in scans.views.items()}
        self.feedback: CaseFeedback | None = None

    def show(self, feedback: CaseFeedback | None) -> None:
        self.feedback = feedback
        for layer in self.layers.values():
            if feedback is None:
                layer.clear()
            else:
                layer.show(feedback)

    def clear(self) -> None:
        self.show(None)


def legend_html(authoring: bool = False) -> str:
    """The legend in one line of rich text; ``authoring``: the expert's shapes only."""
    def sw(colour: str, glyph: str, text: str) -> str:
        return f"<span style='color:{colour}'>{glyph}</span> {text}"

    lesion, finding = SHAPE_GLYPHS[LESION_SHAPE], SHAPE_GLYPHS[FINDING_SHAPE]
    if authoring:
        return " &nbsp; ".join((sw(LESION_COLOUR, lesion, "lesion"),
                                sw(FINDING_COLOUR, finding, "benign look-alike")))
    cross = SHAPE_GLYPHS[MARK_SHAPE]
    return " &nbsp; ".join((
        sw(LESION_COLOUR, lesion, "lesion (dashed: missed)"),
        sw(FINDING_COLOUR, finding, "benign look-alike"),
        sw(HIT_COLOUR, cross, "your mark: hit"),
        sw(FALSE_COLOUR, cross, "false mark"),
        sw(hex_colour(HOTSPOT_MARK[0]), SHAPE_GLYPHS[HOTSPOT_MARK[1]], "hot spot"),
    ))


class AnnotationPanel(QWidget):
    """The legend, the teaching point, a one-line summary and every lesion, finding and
    mark in a list (the notes in full, also on hover)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel(legend_html())
        self.legend.setWordWrap(True)
        self.legend.setObjectName("annotationLegend")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.teaching = QLabel("")
        self.teaching.setWordWrap(True)
        self.teaching.setObjectName("teachingPoint")
        self.teaching.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setObjectName("annotationList")
        self.list.setWordWrap(True)
        for w in (self.summary, self.teaching, self.legend):
            layout.addWidget(w)
        layout.addWidget(self.list, 1)
        self.setVisible(False)

    def show_feedback(self, fb: CaseFeedback | None) -> None:
        self.list.clear()
        if fb is None:
            self.setVisible(False)
            return
        self.summary.setText(f"<b>Expert's marks:</b> {fb.summary}")
        self.teaching.setText(f"Teaching point: {fb.teaching_point}" if fb.teaching_point else "")
        self.teaching.setVisible(bool(fb.teaching_point))
        for kind, text in fb.entries():
            item = QListWidgetItem(text)
            item.setToolTip(text)
            colour = COLOURS.get(kind)
            if colour is not None:
                item.setForeground(pg.mkColor(colour))
            self.list.addItem(item)
        self.setVisible(True)
