"""The cohort view's most-missed cases: one card each, thumbnail and answer spread."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from bonescan_tutor.core.cases import Layout
from bonescan_tutor.gui.instructor.cohort_model import (
    DASH,
    CohortReport,
    number,
    percent,
    spread_text,
)
from bonescan_tutor.gui.results.plots import PlotColours
from bonescan_tutor.storage.cohort import ItemStats

COLUMNS = 3


class SpreadBar(QWidget):
    """One case's answers as a bar: right (first colour), wrong (second), none (grey)."""

    def __init__(self, right: int, wrong: int, none: int, colours: PlotColours,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts = (right, wrong, none)
        self.colours = (colours.first, colours.second, colours.reference)
        self.setFixedHeight(10)
        self.setMinimumWidth(120)
        self.setToolTip(f"{right} right, {wrong} wrong, {none} no answer")

    def paintEvent(self, event: QPaintEvent) -> None:
        total = sum(self.counts)
        if not total:
            return
        painter = QPainter(self)
        x = 0.0
        for count, colour in zip(self.counts, self.colours, strict=True):
            w = self.width() * count / total
            painter.fillRect(QRectF(x, 0, w, self.height()), QColor(colour))
            x += w
        painter.end()


def missed_card(rank: int, s: ItemStats, png: bytes | None, colours: PlotColours,
                with_picture: bool, layout: Layout | None = None) -> QFrame:
    """One case: its thumbnail, label, share right, answer spread and certainty."""
    card = QFrame()
    card.setObjectName("figureCard")
    row = QHBoxLayout(card)
    picture = QLabel()
    picture.setObjectName("thumbnail")
    picture.setFixedWidth(40)
    if png:
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        picture.setPixmap(pixmap)
        picture.setFixedSize(pixmap.size())
    else:
        picture.setText("no\nimage" if with_picture else "")
        picture.setVisible(with_picture)
    row.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
    correct = 0 if s.difficulty is None else round(s.difficulty * s.n)
    title = QLabel(f"<b>{rank}. Case {s.case_key}</b> — {s.truth.label_in(layout)}<br>"
                   f"{correct} of {s.n} correct ({percent(s.difficulty)})")
    unanswered = s.answer_spread["unanswered"]
    bar = SpreadBar(correct, s.n - correct - unanswered, unanswered, colours)
    text = QLabel(
        f"{spread_text(s)}<br>"
        f"Mean certainty: {DASH if s.mean_certainty is None else f'{s.mean_certainty:.0f} %'}"
        f" · discrimination {number(s.discrimination)}")
    column = QVBoxLayout()
    for label in (title, text):
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    column.addWidget(title)
    column.addWidget(bar)
    column.addWidget(text)
    column.addStretch(1)
    row.addLayout(column, 1)
    return card


def missed_page(report: CohortReport, colours: PlotColours,
                with_pictures: bool, layout: Layout | None = None) -> tuple[QWidget, list[QFrame]]:
    """A grid of the report's most-missed cases (hardest first) and its cards."""
    page = QWidget()
    grid = QGridLayout(page)
    grid.setHorizontalSpacing(10)
    grid.setVerticalSpacing(10)
    caption = QLabel("The cases the fewest trainees got right. Each bar: right (blue), "
                     "wrong (orange), no answer (grey)." if report.worst
                     else "No case to list yet.")
    caption.setObjectName("plotNote")
    grid.addWidget(caption, 0, 0, 1, COLUMNS)
    cards: list[QFrame] = []
    for i, s in enumerate(report.worst):
        card = missed_card(i + 1, s, report.thumbnails.get(s.case_key), colours, with_pictures,
                           layout)
        cards.append(card)
        grid.addWidget(card, 1 + i // COLUMNS, i % COLUMNS)
    grid.setRowStretch(grid.rowCount(), 1)
    return page, cards
