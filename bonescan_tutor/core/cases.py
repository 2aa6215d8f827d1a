"""The case model: what a bone-scan case is, independent of any file layout.

A ``Case`` is one patient: a stable key, up to two planar views (anterior and
posterior), the physician's ``Diagnosis`` and the clinical details. Views are
references only; ``datasets.images`` decodes their pixels on demand.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Diagnosis(enum.Enum):
    """The physician's label. ``METASTASES`` is the positive class everywhere."""

    METASTASES = "metastases"
    NO_METASTASES = "no_metastases"

    @property
    def is_positive(self) -> bool:
        return self is Diagnosis.METASTASES

    @property
    def label(self) -> str:
        """The wording of the IICS-UNA spreadsheet."""
        return "Bone metastases" if self.is_positive else "No bone metastases"

    @property
    def answer(self) -> str:
        """The wording of a trainee's answer (the buttons), distinct from the physician's label."""
        return "Metastases" if self.is_positive else "No metastases"

    def label_in(self, layout: Layout | None) -> str:
        """The physician's label in the words of a dataset's own classes (display only).

        BS-80K's classes are "Abnormal" and "Normal": its abnormal scans are not all
        metastases, so they are not shown as "Bone metastases". Internally and in every
        export the class stays ``metastases`` / ``no_metastases``.
        """
        names = CLASS_NAMES.get(layout) if layout is not None else None
        return names[self] if names else self.label

    def answer_in(self, layout: Layout | None) -> str:
        """A trainee's answer in the words of a dataset's own classes (display only)."""
        names = CLASS_NAMES.get(layout) if layout is not None else None
        return names[self] if names else self.answer

    @classmethod
    def parse(cls, text: object) -> Diagnosis | None:
        """Read a label written by a person: case, spaces, underscores and plurals vary.

        Accepts "Bone metastases", " bone_metastasis ", "No bone metastases",
        "no metastases", "normal", "abnormal", 1/0 (BS-80K). Unknown text gives None.
        """
        if isinstance(text, bool):
            return None
        if isinstance(text, int | float):
            if text == 1:
                return cls.METASTASES
            if text == 0:
                return cls.NO_METASTASES
            return None
        if not isinstance(text, str):
            return None
        words = re.sub(r"[\s_\-]+", " ", text.strip().lower()).strip()
        if words in {"1", "1.0"}:
            return cls.METASTASES
        if words in {"0", "0.0"}:
            return cls.NO_METASTASES
        if words in {"normal", "no", "negative", "benign"}:
            return cls.NO_METASTASES
        if words.startswith(("no ", "non ", "without ")) and "metasta" in words:
            return cls.NO_METASTASES
        if words in {"abnormal", "positive", "metastatic", "yes"}:
            return cls.METASTASES
        if re.fullmatch(r"(bone )?metasta(sis|ses|tic)( disease)?", words):
            return cls.METASTASES
        return None


class Projection(enum.Enum):
    """A planar whole-body projection."""

    ANTERIOR = "anterior"
    POSTERIOR = "posterior"

    @property
    def letter(self) -> str:
        return "A" if self is Projection.ANTERIOR else "P"


@dataclass(frozen=True)
class View:
    """Where one projection's image lives, and what its header said.

    ``path`` is a file on disk, or a member name inside the zip at ``archive``.
    ``width``/``height``/``mode`` come from the image header read while indexing.
    ``crop`` is the box ``(x0, y0, x1, y1)`` (x1, y1 exclusive) the view occupies in a
    file that holds more than this view; ``combined`` is ``"AP"`` or ``"PA"`` (which view
    is on the left) when the file holds both whole-body views side by side and the box
    is found from the pixels when the view is first decoded.
    """

    projection: Projection
    path: str
    archive: str | None = None
    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    mode: str | None = None
    crop: tuple[int, int, int, int] | None = None
    combined: str | None = None

    @property
    def cut_from_file(self) -> bool:
        """True when the view is a part of its file (a crop box or a combined capture)."""
        return self.crop is not None or self.combined is not None

    @property
    def file_name(self) -> str:
        return re.split(r"[\\/]", self.path)[-1]

    @property
    def display_path(self) -> str:
        """Where the file is, for messages (never shown while a label is hidden)."""
        return f"{self.archive}!{self.path}" if self.archive else self.path


@dataclass(frozen=True)
class ClinicalInfo:
    """Clinical details shown with a case when the quiz allows it."""

    age: int | None = None
    sex: str | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    acquisition_date: dt.date | None = None
    note: str | None = None

    def lines(self) -> list[str]:
        """Human-readable lines, skipping what is unknown."""
        out: list[str] = []
        if self.age is not None:
            out.append(f"Age: {self.age} years")
        if self.sex:
            out.append(f"Sex: {self.sex}")
        if self.weight_kg is not None:
            out.append(f"Weight: {self.weight_kg:g} kg")
        if self.height_cm is not None:
            out.append(f"Height: {self.height_cm:g} cm")
        if self.acquisition_date is not None:
            out.append(f"Acquired: {self.acquisition_date.isoformat()}")
        return out


@dataclass(frozen=True)
class Case:
    """One patient. ``key`` is stable across runs and machines (IICS-UNA: the patient number).

    ``label_doubtful`` marks a case whose sources disagree on the label (spreadsheet vs
    folder); ``missing_views`` lists the views its layout promises (IICS-UNA: both; a
    manifest row: the views it names) that are absent or failed the index-time checks.
    Either kind may be browsed but is never put in a quiz: quizzes use complete, agreed
    cases only.
    """

    key: str
    diagnosis: Diagnosis
    anterior: View | None
    posterior: View | None
    clinical: ClinicalInfo = field(default_factory=ClinicalInfo)
    label_doubtful: bool = False
    missing_views: tuple[Projection, ...] = ()

    @property
    def views(self) -> tuple[View, ...]:
        return tuple(v for v in (self.anterior, self.posterior) if v is not None)

    def view(self, projection: Projection) -> View | None:
        return self.anterior if projection is Projection.ANTERIOR else self.posterior

    @property
    def quiz_eligible(self) -> bool:
        return self.quiz_exclusion is None

    @property
    def quiz_exclusion(self) -> str | None:
        """Why the case is left out of quizzes (for reports), or None when it is usable."""
        if self.label_doubtful:
            return "its label sources disagree (spreadsheet, folder or lists)"
        if self.missing_views:
            names = " and ".join(p.value for p in self.missing_views)
            return f"the {names} view is missing or unreadable"
        if not self.views:
            return "it has no image"
        return None


class Layout(enum.Enum):
    """Which reader understood a dataset."""

    IICS_UNA = "IICS-UNA"
    BS80K = "BS-80K"
    MANIFEST = "manifest"


CLASS_NAMES: dict[Layout, dict[Diagnosis, str]] = {
    Layout.BS80K: {Diagnosis.METASTASES: "Abnormal", Diagnosis.NO_METASTASES: "Normal"},
}
"""Display names of the two classes for layouts whose own classes are not metastases."""


@dataclass(frozen=True)
class Dataset:
    """An opened collection of cases.

    ``fingerprint`` changes whenever a label, a key or an image file changes, so
    progress rows and quiz sets can tell which version of the data they were made on.
    ``synthetic`` is true for the generated demo, which is not for clinical learning.
    """

    name: str
    layout: Layout
    root: str
    cases: tuple[Case, ...]
    fingerprint: str
    synthetic: bool = False

    def __post_init__(self) -> None:
        index = {c.key: c for c in self.cases}
        if len(index) != len(self.cases):
            raise ValueError("case keys must be unique within a dataset")
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    @property
    def _by_key(self) -> dict[str, Case]:
        index: dict[str, Case] = object.__getattribute__(self, "_index")
        return index

    def case(self, key: str) -> Case:
        """The case with this key; ``KeyError`` when there is none."""
        return self._by_key[key]

    def get(self, key: str) -> Case | None:
        return self._by_key.get(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.cases)

    @property
    def quiz_cases(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if c.quiz_eligible)

    def label(self, diagnosis: Diagnosis) -> str:
        """The physician's label as this dataset names it (``Diagnosis.label_in``)."""
        return diagnosis.label_in(self.layout)

    def answer(self, diagnosis: Diagnosis) -> str:
        """A trainee's answer as this dataset names it (``Diagnosis.answer_in``)."""
        return diagnosis.answer_in(self.layout)

    def counts(self) -> dict[Diagnosis, int]:
        out = dict.fromkeys(Diagnosis, 0)
        for c in self.cases:
            out[c.diagnosis] += 1
        return out


MAX_KEY_LENGTH = 200
_BAD_KEY = re.compile(r"[/\\:\x00-\x1f\x7f]|\.\.")


def check_case_key(key: object) -> str | None:
    """Why ``key`` is not an acceptable case key, or None when it is.

    The one rule for every reader and every quiz-set file: keys are names, never paths
    (no ``/``, ``\\``, ``:``, ``..`` or control characters), non-blank, without
    surrounding spaces and at most ``MAX_KEY_LENGTH`` characters.
    """
    if not isinstance(key, str):
        return f"{key!r} is not text"
    if not key or key != key.strip():
        return f"{key!r} is blank or has surrounding spaces"
    if len(key) > MAX_KEY_LENGTH:
        return f"{key[:20]!r}... is longer than {MAX_KEY_LENGTH} characters"
    if _BAD_KEY.search(key):
        return f"{key!r} looks like a file path (case keys are names, never paths)"
    return None


def natural_key(key: str) -> tuple[object, ...]:
    """Sort "2" before "10" and "A2" before "A10"."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", key))


def fingerprint_cases(cases: Iterable[Case], *, salt: str = "") -> str:
    """A short content hash over keys, labels, file names and sizes.

    Clinical details are left out on purpose: correcting a typo in a weight does not
    make earlier answers belong to another dataset.
    """
    h = hashlib.sha256(salt.encode())
    for c in sorted(cases, key=lambda c: natural_key(c.key)):
        h.update(f"{c.key}\x1f{c.diagnosis.value}\x1f{int(c.label_doubtful)}".encode())
        for v in c.views:
            h.update(f"\x1e{v.projection.value}:{v.file_name}:{v.size_bytes}".encode())
        h.update(b"\x1d")
    return h.hexdigest()[:16]
