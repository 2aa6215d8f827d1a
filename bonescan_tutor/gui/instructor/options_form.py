"""The quiz-set builder's options: title, instructions, mode, time limits, tools, folder,
pass mark and the Learning Record Store proposed to trainees."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.gui.instructor.model import TOOL_LABELS, QuizOptions

MAX_PER_CASE_S = 3600
MAX_TOTAL_MIN = 600


class QuizOptionsForm(QWidget):
    """The form; ``options()`` reads it as a ``QuizOptions`` value."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Week 3: mixed cases")
        form.addRow("Title", self.title)
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText("Shown to trainees before the first case")
        self.instructions.setFixedHeight(70)
        form.addRow("Instructions", self.instructions)
        self.author = QLineEdit(str(settings.value("instructor/author", "")))
        form.addRow("Author", self.author)
        self.mode = QComboBox()
        self.mode.addItem("Practice: feedback after each case", QuizMode.PRACTICE)
        self.mode.addItem("Exam: results only after submitting", QuizMode.EXAM)
        form.addRow("Mode", self.mode)
        self.time_per_case = QSpinBox()
        self.time_per_case.setRange(0, MAX_PER_CASE_S)
        self.time_per_case.setSingleStep(15)
        self.time_per_case.setSuffix(" s")
        self.time_per_case.setSpecialValueText("No limit")
        form.addRow("Time per case", self.time_per_case)
        self.time_total = QSpinBox()
        self.time_total.setRange(0, MAX_TOTAL_MIN)
        self.time_total.setSingleStep(5)
        self.time_total.setSuffix(" min")
        self.time_total.setSpecialValueText("No limit")
        form.addRow("Time for the quiz", self.time_total)
        self.show_clinical = QCheckBox("Show age, sex and other clinical details")
        self.show_clinical.setChecked(True)
        form.addRow(self.show_clinical)
        self.certainty = QCheckBox("Ask for a certainty with each answer")
        self.certainty.setChecked(True)
        form.addRow(self.certainty)
        tools = QGridLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        self.tools: dict[Tool, QCheckBox] = {}
        for i, tool in enumerate(Tool):
            box = QCheckBox(TOOL_LABELS[tool])
            box.setChecked(True)
            self.tools[tool] = box
            tools.addWidget(box, i // 2, i % 2)
        form.addRow("Tools allowed", tools)
        folder = QHBoxLayout()
        self.results_folder = QLineEdit()
        self.results_folder.setPlaceholderText("optional")
        self.results_folder.setToolTip("Where trainees' results files are saved by default")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_folder)
        folder.addWidget(self.results_folder, 1)
        folder.addWidget(choose)
        form.addRow("Results folder", folder)
        self.pass_mark = QSpinBox()
        self.pass_mark.setRange(0, 100)
        self.pass_mark.setSuffix(" %")
        self.pass_mark.setSpecialValueText("None")
        self.pass_mark.setToolTip("Share of the cases answered right to pass: the Learning "
                                  "Record Store is then told passed or failed.")
        form.addRow("Pass mark", self.pass_mark)
        self.lrs_endpoint = QLineEdit()
        self.lrs_endpoint.setPlaceholderText("optional: https://lrs.example.org/xAPI/")
        self.lrs_endpoint.setToolTip("A Learning Record Store the app proposes to trainees who "
                                     "open this quiz set (no user name or password here).")
        form.addRow("LRS endpoint", self.lrs_endpoint)

    def choose_folder(self) -> None:
        start = self.results_folder.text() or str(self.settings.value("instructor/folder", ""))
        folder = QFileDialog.getExistingDirectory(self, "Folder for trainees' results", start)
        if folder:
            self.results_folder.setText(folder)

    def options(self) -> QuizOptions:
        per_case = self.time_per_case.value()
        total = self.time_total.value()
        return QuizOptions(
            title=self.title.text(),
            instructions=self.instructions.toPlainText(),
            author=self.author.text(),
            mode=self.mode.currentData(),
            time_per_case_s=float(per_case) if per_case else None,
            time_total_s=float(total * 60) if total else None,
            show_clinical=self.show_clinical.isChecked(),
            tools=frozenset(t for t, box in self.tools.items() if box.isChecked()),
            certainty_required=self.certainty.isChecked(),
            results_folder=self.results_folder.text() or None,
            pass_mark=self.pass_mark.value() / 100 if self.pass_mark.value() else None,
            lrs_endpoint=self.lrs_endpoint.text().strip() or None,
        )

    def remember(self) -> None:
        """Keep the author's name for the next quiz set."""
        self.settings.setValue("instructor/author", self.author.text().strip())
