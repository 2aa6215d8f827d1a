"""The end of a quiz: the score, sensitivity and specificity with counts, the time, how
certainty matched correctness, the lesion-finding figures when the quiz's cases are
annotated, and every case reviewed one by one (labels now shown)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.answers import p_metastases
from bonescan_tutor.core.cases import Layout, natural_key
from bonescan_tutor.core.localization import Localization, ReadCase
from bonescan_tutor.core.overlays import HOTSPOTS
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.core.scoring import Proportion
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.quiz.presenter import EndOfSession, Feedback
from bonescan_tutor.gui.results.localization import LocalizationSeries
from bonescan_tutor.gui.viewer.annotation_feedback import feedback_for, quiz_localization
from bonescan_tutor.gui.viewer.annotation_overlay import AnnotationOverlay, AnnotationPanel
from bonescan_tutor.gui.viewer.screen import ViewerScreen


def localization_html(loc: Localization | None) -> str:
    """The quiz's lesion-finding figures in rich text ("" when its cases are not annotated)."""
    if loc is None:
        return ""
    if not loc.cases:
        text = "No annotated case was answered."
    else:
        text = LocalizationSeries(summary=replace(loc, unannotated=())).figures
    if loc.unannotated:
        keys = ", ".join(sorted(loc.unannotated, key=natural_key))
        text += (" Left out for lacking annotated lesions (still counted in the score "
                 f"above): metastatic case(s) {keys}.")
    return f"<b>Lesion finding</b> (your marks against the expert's): {text}"


def percent(p: Proportion) -> str:
    if p.estimate is None:
        return p.note or "not defined yet"
    return (f"{100 * p.estimate:.0f} % ({p.k}/{p.n}; 95 % CI {100 * p.low:.0f}–{100 * p.high:.0f} %)")


class EndScreen(QWidget):
    reviewRequested = Signal(list)
    closed = Signal()

    def __init__(self, settings: QSettings, cache: ImageCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.end: EndOfSession | None = None
        self.dataset_cases: dict[str, object] = {}
        row = QHBoxLayout(self)
        left = QVBoxLayout()
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        left.addWidget(self.headline)
        self.localization = QLabel("")
        self.localization.setObjectName("endLocalization")
        self.localization.setWordWrap(True)
        self.localization.setTextFormat(Qt.TextFormat.RichText)
        self.localization.setVisible(False)
        left.addWidget(self.localization)
        left.addWidget(QLabel("<b>Every case</b> (select one to review it)"))
        self.cases = QListWidget()
        self.cases.currentRowChanged.connect(self._case_chosen)
        left.addWidget(self.cases, 1)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        left.addWidget(self.detail)
        self.lesion_panel = AnnotationPanel()
        left.addWidget(self.lesion_panel, 1)
        buttons = QHBoxLayout()
        self.review_button = QPushButton("Review the missed cases now")
        self.review_button.clicked.connect(self._review)
        self.close_button = QPushButton("Back to the library")
        self.close_button.clicked.connect(self.closed)
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.close_button)
        left.addLayout(buttons)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(480)
        row.addWidget(holder)
        self.viewer = ViewerScreen(settings, cache, remember=False)
        row.addWidget(self.viewer, 1)
        self.case_lookup = None
        #: the dataset's expert annotations, drawn on each reviewed case (None: none)
        self.annotations: AnnotationSet | None = None
        self.overlay = AnnotationOverlay(self.viewer.scans)
        self.layout_names: Layout | None = None
        #: the quiz's localization figures (None: its cases are not annotated)
        self.figures: Localization | None = None

    def show_end(self, end: EndOfSession, lookup=None, layout: Layout | None = None) -> None:
        self.end = end
        self.layout_names = layout
        if lookup is not None:
            self.case_lookup = lookup
        s = end.summary
        m = s.metrics
        c = m.counts
        right = c.tp + c.tn
        kind = "Exam submitted" if end.mode is QuizMode.EXAM else "Practice quiz finished"
        minutes = end.total_time_s / 60
        self.headline.setText(
            f"<h2>{kind}: {end.title}</h2>"
            f"<p style='font-size:15pt'><b>{right} of {len(end.feedback)} correct</b></p>"
            f"Sensitivity (metastases found): {percent(m.sensitivity)}<br>"
            f"Specificity (normal scans cleared): {percent(m.specificity)}<br>"
            f"Missed metastases: {c.fn} &nbsp; Over-called normals: {c.fp}"
            + (f" &nbsp; No answer: {c.unanswered}" if c.unanswered else "") + "<br>"
            f"Time: {minutes:.1f} min in all, median {s.time.median_s or 0:.0f} s per case<br>"
            f"<i>{s.calibration_note}</i>")
        self.figures = quiz_localization(
            self.annotations, [f.answer.case_key for f in end.feedback],
            [ReadCase(a.case_key, f.truth.is_positive,
                      round(100.0 * p_metastases(a.decision, a.certainty), 6), tuple(a.marks))
             for f in end.feedback if (a := f.answer).decision is not None])
        self.localization.setText(localization_html(self.figures))
        self.localization.setVisible(self.figures is not None)
        self.cases.clear()
        for f in end.feedback:
            mark = "✔" if f.answer.correct else ("⏱" if f.answer.timed_out else "✘")
            self.cases.addItem(f"{mark} {f.alias} — case {f.answer.case_key}: "
                               f"{f.truth.label_in(layout)}")
        self.review_button.setEnabled(bool(end.missed))
        self.review_button.setText(f"Review the {len(end.missed)} missed case(s) now" if end.missed
                                   else "No missed cases to review")
        if end.feedback:
            self.cases.setCurrentRow(0)

    def _case_chosen(self, row: int) -> None:
        if self.end is None or not 0 <= row < len(self.end.feedback):
            return
        f: Feedback = self.end.feedback[row]
        a = f.answer
        yours = "no answer (time ran out)" if a.decision is None else (
            a.decision.answer_in(self.layout_names)
            + (f" at {a.certainty} %" if a.certainty else ""))
        lines = [f"<b>{f.alias} — case {a.case_key}</b>",
                 f"Physician's label: <b>{f.truth.label_in(self.layout_names)}</b>",
                 f"Your answer: {yours}, {a.time_on_case_s:.0f} s", *f.clinical.lines()]
        if f.clinical.note:
            lines.append(f"<i>Teaching note: {f.clinical.note}</i>")
        self.detail.setText("<br>".join(lines))
        if self.case_lookup is not None:
            case = self.case_lookup(a.case_key)
            # The feedback's own view: the hot spots beside the marks, no other overlay
            # carried over from the trainee's reading choices.
            p = self.viewer.presenter
            p.state = replace(p.state, overlays=frozenset())
            self.viewer.show_case(case)
            self.viewer.presenter.set_overlay(HOTSPOTS, True)
            self.viewer.scans.show_marks(list(a.marks))
        expert = feedback_for(self.annotations, a.case_key, f.truth.is_positive, a.marks)
        self.overlay.show(expert)
        self.lesion_panel.show_feedback(expert)

    def _review(self) -> None:
        if self.end is not None and self.end.missed:
            self.reviewRequested.emit([f.answer.case_key for f in self.end.missed])
