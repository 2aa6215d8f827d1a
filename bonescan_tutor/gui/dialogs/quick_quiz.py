"""Quiz > Quick quiz: N cases from the open dataset, at its natural prevalence or
balanced, new cases only or seen ones too, practice or exam."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from bonescan_tutor.core.quiz import QuizMode


@dataclass(frozen=True)
class QuickQuizChoice:
    cases: int
    balanced: bool
    new_only: bool
    mode: QuizMode


class QuickQuizDialog(QDialog):
    def __init__(self, available: int, seen: int, natural_percent: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quick quiz")
        form = QFormLayout(self)
        self.cases = QSpinBox()
        self.cases.setRange(1, max(1, available))
        self.cases.setValue(min(10, available))
        form.addRow("Cases", self.cases)
        self.prevalence = QComboBox()
        self.prevalence.addItem(f"Natural ({natural_percent:.0f} % with metastases)", False)
        self.prevalence.addItem("Balanced (50 %)", True)
        form.addRow("Mix", self.prevalence)
        self.new_only = QCheckBox(f"Only cases I have not read yet ({available - seen} left)")
        self.new_only.setChecked(seen < available)
        form.addRow(self.new_only)
        self.mode = QComboBox()
        self.mode.addItem("Practice: feedback after each case", QuizMode.PRACTICE)
        self.mode.addItem("Exam: results after submitting", QuizMode.EXAM)
        form.addRow("Mode", self.mode)
        form.addRow(QLabel("Cases are shown as “Case 1 of N”, in an order of your own."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> QuickQuizChoice:
        return QuickQuizChoice(self.cases.value(), bool(self.prevalence.currentData()),
                               self.new_only.isChecked(), self.mode.currentData())
