"""Instructor > Annotate cases: mark the lesions and benign look-alikes on a dataset's scans.

The reading view of the app (window/level with the right button, zoom, the linked
crosshair) with the editing on the left button: a click places a mark of the chosen
kind, a drag from its centre sizes it, a click on a mark selects it (then its kind,
region and note can be changed, or Delete removes it). Each edit is one step of a
``QUndoStack`` (Ctrl+Z / Ctrl+Shift+Z); Ctrl+S saves ``annotations.bstann`` beside the
dataset. The rules are ``annotate_model.AnnotationEditor``.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.annotations import CaseAnnotations
from bonescan_tutor.core.cases import Case, Dataset
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.overlays import FINDING_MARK, LESION_MARK, YELLOW, hex_colour
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.actions import key_text
from bonescan_tutor.gui.instructor.annotate_model import (
    KINDS,
    MIN_RADIUS,
    AnnotationEditor,
    Change,
    Selection,
)
from bonescan_tutor.gui.screen_fit import fit_to_screen
from bonescan_tutor.gui.viewer.annotation_feedback import CaseFeedback, LabelledLesion
from bonescan_tutor.gui.viewer.annotation_overlay import (
    AnnotationOverlay,
    PassiveScatter,
    legend_html,
)
from bonescan_tutor.gui.viewer.scan_view import PlanarView
from bonescan_tutor.gui.viewer.screen import ViewerScreen

# The selected (or growing) mark: yellow and dashed, in the shape of its kind.
SELECTED_PEN = pg.mkPen(hex_colour(YELLOW), width=3, style=Qt.PenStyle.DashLine)


def _shape(kind: str) -> str:
    return LESION_MARK[1] if kind == "lesion" else FINDING_MARK[1]
UNDO, REDO, SAVE, DELETE = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo,
                            QKeySequence.StandardKey.Save, QKeySequence.StandardKey.Delete)


def help_text() -> str:
    """How to edit, the keys read from the dialog's own shortcuts."""
    return ("Click to place a mark of the kind chosen below; drag from its centre to size it. "
            f"Click a mark to select it. Right-drag: window / level. {key_text(DELETE)} removes "
            f"the selected mark; {key_text(UNDO)} undoes.")


class _Edit(QUndoCommand):
    def __init__(self, editor: AnnotationEditor, change: Change) -> None:
        super().__init__(change.text)
        self.editor, self.change = editor, change

    def redo(self) -> None:
        self.editor.apply(self.change)

    def undo(self) -> None:
        self.editor.apply(self.change, undo=True)


class AnnotateDialog(QDialog):
    """The editor of one dataset's annotations."""

    def __init__(self, settings: QSettings, cache: ImageCache, dataset: Dataset,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Annotate cases — {dataset.name}")
        self.setObjectName("annotateDialog")
        self.dataset = dataset
        self.undo_stack = QUndoStack(self)
        self.viewer = ViewerScreen(settings, cache, remember=False)
        self.scans = self.viewer.scans
        self.overlay = AnnotationOverlay(self.scans, authoring=True)
        self.highlight = {p: self._highlight(v) for p, v in self.scans.views.items()}
        self._drag: tuple[PlanarView, float, float] | None = None
        self._filling = False
        self._build()
        fit_to_screen(self, 1366, 900, parent)  # the scans need the room to be marked on
        self.editor = AnnotationEditor(self, dataset, self._push)
        self._fill_case_list()
        self.scans.clicked.connect(self._clicked)
        for view in self.scans.views.values():
            view.box.drag_handler = lambda ev, v=view: self._dragged(v, ev)
        if dataset.cases:
            self.cases.setCurrentRow(0)

    # --- layout ---------------------------------------------------------------------------
    def _highlight(self, view: PlanarView) -> pg.ScatterPlotItem:
        item = PassiveScatter(pxMode=False, pen=SELECTED_PEN, brush=None, symbol=_shape("lesion"))
        item.setZValue(40)
        view.box.addItem(item)
        return item

    def _build(self) -> None:
        self.cases = QListWidget()
        self.cases.setObjectName("annotateCases")
        self.cases.setMaximumWidth(260)
        self.cases.currentRowChanged.connect(self._case_chosen)
        side = QVBoxLayout()
        help_label = QLabel(help_text())
        help_label.setWordWrap(True)
        side.addWidget(help_label)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.kind.setToolTip("The kind of the next mark, and of the selected one")
        self.kind.currentTextChanged.connect(self._kind_chosen)
        self.region = QLineEdit()
        self.region.setPlaceholderText("e.g. lumbar spine")
        self.region.editingFinished.connect(lambda: self.editor.set_region(self.region.text()))
        self.note = QLineEdit()
        self.note.setPlaceholderText("shown to the trainee on hover")
        self.note.editingFinished.connect(lambda: self.editor.set_note(self.note.text()))
        self.teaching = QLineEdit()
        self.teaching.setObjectName("teachingPointEdit")
        self.teaching.setPlaceholderText("the case's lesson, shown with the feedback")
        self.teaching.editingFinished.connect(
            lambda: self.editor.set_teaching_point(self.teaching.text()))
        form.addRow("Kind", self.kind)
        form.addRow("Region", self.region)
        form.addRow("Note", self.note)
        form.addRow("Teaching point", self.teaching)
        side.addLayout(form)
        buttons = QHBoxLayout()
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.delete_button = QPushButton("Delete mark")
        self.delete_button.clicked.connect(lambda: self.editor.delete_selected())
        for b in (self.undo_button, self.redo_button, self.delete_button):
            buttons.addWidget(b)
        side.addLayout(buttons)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        legend = QLabel(legend_html(authoring=True))
        legend.setWordWrap(True)
        side.addWidget(legend)
        self.status = QLabel("")
        self.status.setObjectName("annotateStatus")
        self.status.setWordWrap(True)
        side.addWidget(self.status)
        side.addStretch(1)
        self.save_button = QPushButton(f"Save ({key_text(SAVE)})")
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(close)
        side.addLayout(row)
        for button in (self.undo_button, self.redo_button, self.delete_button,
                       self.save_button, close):
            button.setAutoDefault(False)  # Enter in a field finishes it, nothing more
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(320)
        layout = QHBoxLayout(self)
        layout.addWidget(self.cases)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(panel)
        for keys, slot in ((UNDO, self.undo_stack.undo), (REDO, self.undo_stack.redo),
                           (SAVE, self.save), (DELETE, lambda: self.editor.delete_selected())):
            QShortcut(QKeySequence(keys), self, slot)

    def _fill_case_list(self) -> None:
        self.cases.clear()
        self.cases.setToolTip("Case key and label: lesions (L) and benign findings (F) marked")
        for case in self.dataset.cases:
            self.cases.addItem(self._case_text(case))

    def _case_text(self, case: Case) -> str:
        ann = self.editor.cases.get(case.key, CaseAnnotations())
        counts = ""
        if ann.lesions or ann.findings:
            counts = f": {len(ann.lesions)} L, {len(ann.findings)} F"
        return f"{case.key} {case.diagnosis.label}{counts}"

    # --- EditorView ---------------------------------------------------------------------
    def show_case(self, case: Case, annotations: CaseAnnotations) -> None:
        self.viewer.show_case(case)

    def show_marks(self, annotations: CaseAnnotations, selected: Selection | None) -> None:
        lesions = tuple(LabelledLesion(i, m, True)
                        for i, m in enumerate(annotations.lesions, start=1))
        self.overlay.show(CaseFeedback(lesions, annotations.findings, (), ""))
        mark = self.editor.selected_mark()
        for projection, item in self.highlight.items():
            item.clear()
            if mark is not None and mark.view is projection:
                view = self.scans.views[projection]
                item.setData([self._shown_x(view, mark.x)], [mark.y],
                             size=[2 * mark.radius + 6], symbol=_shape(mark.kind))
        self._filling = True
        try:
            if mark is not None:
                self.kind.setCurrentText(mark.kind)
            self.region.setText(mark.region if mark is not None else "")
            self.note.setText(mark.note if mark is not None else "")
            self.teaching.setText(annotations.teaching_point)
        finally:
            self._filling = False
        self.region.setEnabled(mark is not None)
        self.note.setEnabled(mark is not None)
        self.delete_button.setEnabled(mark is not None)
        row = self.cases.currentRow()
        if 0 <= row < len(self.dataset.cases):
            self.cases.item(row).setText(self._case_text(self.dataset.cases[row]))

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    # --- input ----------------------------------------------------------------------------
    def _push(self, change: Change) -> None:
        self.undo_stack.push(_Edit(self.editor, change))

    def _case_chosen(self, row: int) -> None:
        if 0 <= row < len(self.dataset.cases):
            key = self.dataset.cases[row].key
            if key != self.editor.key:
                self.editor.open_case(key)

    def _kind_chosen(self, kind: str) -> None:
        if not self._filling:
            self.editor.set_kind(kind)

    def _clicked(self, projection, x: float, y: float) -> None:
        hit = self.editor.hit(projection, x, y)
        if hit is not None:
            self.editor.select(hit)
        else:
            self.editor.place(projection, x, y)

    @staticmethod
    def _shown_x(view: PlanarView, x: float) -> float:
        return (view.shape[1] - 1 - x) if view.mirrored else x

    def _dragged(self, view: PlanarView, ev) -> None:
        """A left drag: the centre where it started, the radius as far as it goes."""
        if ev.isStart():
            p = view.box.mapSceneToView(ev.buttonDownScenePos())
            h, w = view.shape
            inside = view.image.isVisible() and 0 <= p.x() < w and 0 <= p.y() < h
            self._drag = (view, p.x(), p.y()) if inside else None
        if self._drag is None or self._drag[0] is not view:
            return
        _, x0, y0 = self._drag
        p = view.box.mapSceneToView(ev.scenePos())
        radius = max(math.hypot(p.x() - x0, p.y() - y0), MIN_RADIUS)
        item = self.highlight[view.projection]
        item.setData([x0], [y0], size=[2 * radius], symbol=_shape(self.kind.currentText()))
        if ev.isFinish():
            self._drag = None
            self.editor.place(view.projection, self._shown_x(view, x0), y0, radius)

    # --- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        self._commit_fields()
        try:
            self.editor.save()
        except BonescanError as exc:
            self.status.setText(str(exc))
            return False
        self.undo_stack.setClean()
        return True

    def _commit_fields(self) -> None:
        """A field being typed in counts as done when saving or closing."""
        for field in (self.region, self.note, self.teaching):
            if field.hasFocus():
                field.editingFinished.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._commit_fields()
        if self.editor.dirty:
            answer = QMessageBox.question(
                self, "Unsaved annotations", "Save the annotations before closing?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return
        super().closeEvent(event)
