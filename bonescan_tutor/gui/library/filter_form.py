"""The case filters (diagnosis, age, sex, year, key search) shared by the library and
the quiz-set builder: one form, one ``CaseFilter``."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QSpinBox, QWidget

from bonescan_tutor.core.cases import Dataset, Diagnosis
from bonescan_tutor.gui.library.case_filter import CaseFilter


class CaseFilterForm(QWidget):
    changed = Signal()

    def __init__(self, search_hint: str = "case key", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        form.addRow("Search", self.search)
        self.diagnosis = QComboBox()
        self.diagnosis.addItem("All", None)
        for d in Diagnosis:
            self.diagnosis.addItem(d.label, d)
        form.addRow("Diagnosis", self.diagnosis)
        ages = QHBoxLayout()
        self.age_min, self.age_max = QSpinBox(), QSpinBox()
        for box, value in ((self.age_min, 0), (self.age_max, 120)):
            box.setRange(0, 120)
            box.setValue(value)
            ages.addWidget(box)
            box.valueChanged.connect(self.changed)
        form.addRow("Age from/to", ages)
        self.sex, self.year = QComboBox(), QComboBox()
        for combo, label in ((self.sex, "Sex"), (self.year, "Year")):
            combo.addItem("All", None)
            form.addRow(label, combo)
        for combo in (self.diagnosis, self.sex, self.year):
            combo.currentIndexChanged.connect(self.changed)
        self.search.textChanged.connect(self.changed)

    def set_dataset(self, dataset: Dataset) -> None:
        """Offer the sexes and years this dataset has, and its own class names (a choice
        still on offer is kept)."""
        with QSignalBlocker(self.diagnosis):
            for i in range(1, self.diagnosis.count()):
                self.diagnosis.setItemText(i, dataset.label(self.diagnosis.itemData(i)))
        sexes = sorted({c.clinical.sex for c in dataset.cases if c.clinical.sex})
        years = sorted({c.clinical.acquisition_date.year for c in dataset.cases
                        if c.clinical.acquisition_date})
        for combo, values in ((self.sex, sexes), (self.year, years)):
            chosen = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem("All", None)
                for v in values:
                    combo.addItem(str(v), v)
                combo.setCurrentIndex(max(combo.findData(chosen), 0))

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            diagnosis=self.diagnosis.currentData(),
            age_min=self.age_min.value(),
            age_max=self.age_max.value(),
            sex=self.sex.currentData(),
            year=self.year.currentData(),
            text=self.search.text(),
        )
