"""Which cases a filter lets through: plain values, tested without Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bonescan_tutor.core.cases import Case, Diagnosis


@dataclass(frozen=True)
class CaseFilter:
    diagnosis: Diagnosis | None = None
    age_min: int = 0
    age_max: int = 120
    sex: str | None = None
    year: int | None = None
    text: str = ""

    def accepts(self, case: Case) -> bool:
        c = case.clinical
        if self.diagnosis is not None and case.diagnosis is not self.diagnosis:
            return False
        if c.age is not None and not (self.age_min <= c.age <= self.age_max):
            return False
        if c.age is None and (self.age_min > 0 or self.age_max < 120):
            return False
        if self.sex and (c.sex or "").lower() != self.sex.lower():
            return False
        if self.year is not None and (c.acquisition_date is None or c.acquisition_date.year != self.year):
            return False
        return not self.text or self.text.strip().lower() in case.key.lower()

    def apply(self, cases: Sequence[Case]) -> list[Case]:
        return [c for c in cases if self.accepts(c)]
