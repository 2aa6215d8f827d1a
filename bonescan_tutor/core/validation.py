"""What a dataset reader found wrong, file by file, in words a resident can act on."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"  # the case (or file) is left out
    WARNING = "warning"  # the case loads, but something is off
    INFO = "info"  # worth knowing, nothing to fix


class ProblemKind(enum.Enum):
    UNREADABLE_IMAGE = "unreadable image"
    EMPTY_FILE = "empty file"
    TRUNCATED_IMAGE = "truncated image"
    IMAGE_TOO_LARGE = "image too large"
    UNEXPECTED_SIZE = "unexpected image size"
    COLOUR_IMAGE = "colour image"
    MISSING_VIEW = "missing view"
    NO_SPREADSHEET = "no spreadsheet"
    BAD_SPREADSHEET = "bad spreadsheet"
    MISSING_COLUMN = "missing column"
    UNKNOWN_LABEL = "unknown label"
    DUPLICATE_KEY = "duplicate case key"
    ROW_WITHOUT_IMAGES = "row without images"
    IMAGES_WITHOUT_ROW = "images without a row"
    LABEL_CONFLICT = "label conflict"
    BAD_VALUE = "bad value"
    UNRECOGNISED_FILE = "unrecognised file"
    COMBINED_IMAGE = "combined image"
    DISPLAY_CAPTURE = "display capture"
    INVERTED_VIEW = "display-inverted view"
    PATIENT_DETAILS = "may show patient details"
    AMBIGUOUS_LAYOUT = "ambiguous layout"  # more than one reader recognised the dataset


@dataclass(frozen=True)
class Problem:
    """One thing wrong: which file, what kind, and a sentence saying what to do."""

    file: str
    kind: ProblemKind
    message: str
    severity: Severity = Severity.ERROR
    case_key: str | None = None

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.file}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "file": self.file,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "case": self.case_key,
            "message": self.message,
        }


@dataclass
class ValidationReport:
    """Everything a reader found. A bad case is reported and left out; the rest load."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        file: str,
        kind: ProblemKind,
        message: str,
        severity: Severity = Severity.ERROR,
        case_key: str | None = None,
    ) -> None:
        self.problems.append(Problem(file, kind, message, severity, case_key))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def of_kind(self, kind: ProblemKind) -> list[Problem]:
        return [p for p in self.problems if p.kind is kind]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Problem]:
        """What reading did (a capture split, a view read inverted): nothing to fix."""
        return [p for p in self.problems if p.severity is Severity.INFO]

    def counts_text(self) -> str:
        """'2 problem(s): 1 error(s), 1 warning(s); 3 note(s)', notes not counted as problems."""
        n_err, n_warn, n_info = len(self.errors), len(self.warnings), len(self.notes)
        text = f"{n_err + n_warn} problem(s): {n_err} error(s), {n_warn} warning(s)"
        return text + (f"; {n_info} note(s)" if n_info else "")
