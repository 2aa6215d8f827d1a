"""What every dataset layout's reader offers, so ``detect`` can choose one by score.

A reader is any object (a module will do) with:

- ``LAYOUT``: the ``Layout`` its datasets have;
- ``LOOKS_FOR``: one sentence saying what it looks for, quoted when nothing is recognised;
- ``recognises(tree) -> Recognition``: how sure it is that ``tree`` is its layout (0 =
  not at all), from file names and at most a table's first rows, never image pixels;
- ``read(tree, report, progress) -> Dataset``: the cases, problems added to ``report``.

A reader whose checks take long (image headers of tens of thousands of cases) calls
``progress.step(done, total)`` as it goes (``step`` raises ``Cancelled`` when whoever
asked no longer wants the result) and, when ``progress.wants_preview``, now and then
``progress.preview(dataset, report)`` with the cases checked so far, so a screen can
show the first of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bonescan_tutor.core.cases import Dataset, Layout
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.tree import FileTree


@dataclass(frozen=True)
class Recognition:
    """A reader's certainty (0-1) that a tree is its layout, and what it saw."""

    score: float
    found: str = ""

    def __bool__(self) -> bool:
        return self.score > 0


NOT_RECOGNISED = Recognition(0.0)


class Cancelled(Exception):
    """Raised by ``Progress.step`` when the reading is no longer wanted."""


class Progress:
    """Told of a reading's progress; this one ignores it (the command line)."""

    wants_preview = False

    def preview(self, dataset: Dataset, report: ValidationReport) -> None:
        """The cases checked so far (a dataset of its own, fingerprint not final) and a
        copy of the report so far."""

    def step(self, done: int, total: int) -> None:
        """``done`` of ``total`` checked; raises ``Cancelled`` to stop the reading."""


NO_PROGRESS = Progress()


class DatasetReader(Protocol):
    """One dataset layout (see the module's docstring)."""

    @property
    def LAYOUT(self) -> Layout: ...

    @property
    def LOOKS_FOR(self) -> str: ...

    def recognises(self, tree: FileTree) -> Recognition: ...

    def read(self, tree: FileTree, report: ValidationReport,
             progress: Progress = NO_PROGRESS) -> Dataset: ...
