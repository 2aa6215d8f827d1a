"""What a quiz is: its spec, the per-trainee case order and neutral aliases.

Pure values only; the state machine that runs a quiz is ``core.quiz_session``, the
answers it collects are ``core.answers.Answer`` values.
Times are floats passed in by callers (``now``), never read from a clock here.
"""

from __future__ import annotations

import enum
import hashlib
import math
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.cases import Case, Dataset, Diagnosis
from bonescan_tutor.core.errors import UsageError


class QuizMode(enum.Enum):
    """Practice: feedback after each case. Exam: no feedback until the set is submitted."""

    PRACTICE = "practice"
    EXAM = "exam"


class Tool(enum.Enum):
    """Viewer tools a quiz may allow (clinical details are ``QuizSpec.show_clinical``)."""

    WINDOWING = "windowing"
    INVERT = "invert"
    COLORMAP = "colormap"
    MIRROR_POSTERIOR = "mirror_posterior"
    MIDLINE = "midline"
    MIRROR_GHOST = "mirror_ghost"
    ASYMMETRY = "asymmetry"
    REGIONAL_INDEX = "regional_index"
    HOTSPOTS = "hotspots"


ALL_TOOLS: frozenset[Tool] = frozenset(Tool)


@dataclass(frozen=True)
class QuizSpec:
    """One quiz: which cases, how they are shown and what the trainee may use.

    ``id`` is stable (it ties progress rows and exports to the quiz). ``shuffle`` gives
    each trainee their own order from ``seed`` and their name (see ``case_order``).
    """

    id: str
    title: str
    case_keys: tuple[str, ...]
    mode: QuizMode
    instructions: str = ""
    seed: int = 0
    shuffle: bool = True
    time_limit_per_case_s: float | None = None
    time_limit_total_s: float | None = None
    show_clinical: bool = True
    tools_allowed: frozenset[Tool] = ALL_TOOLS
    certainty_required: bool = True

    @classmethod
    def create(
        cls, title: str, case_keys: tuple[str, ...], mode: QuizMode, **options: Any
    ) -> QuizSpec:
        """A new spec with a fresh id and seed (for ad-hoc and instructor-built quizzes)."""
        options.setdefault("seed", secrets.randbits(31))
        spec = cls(
            id=uuid.uuid4().hex, title=title, case_keys=tuple(case_keys), mode=mode, **options
        )
        spec.validate()
        return spec

    def validate(self) -> None:
        """Raise ``UsageError`` naming the first thing wrong with this spec."""
        name = f"Quiz {self.title!r}" if self.title.strip() else "The quiz"
        if not self.id.strip():
            raise UsageError(f"{name} has no id; build it with QuizSpec.create or give it one.")
        if not self.title.strip():
            raise UsageError("The quiz has no title; give it one so trainees can tell them apart.")
        if not isinstance(self.mode, QuizMode):
            raise UsageError(f"{name}: mode must be 'practice' or 'exam', not {self.mode!r}.")
        if not self.case_keys:
            raise UsageError(f"{name} has no cases; add at least one case key.")
        blank = [k for k in self.case_keys if not isinstance(k, str) or not k.strip()]
        if blank:
            raise UsageError(f"{name} has a blank case key; every case needs its key.")
        dupes = sorted(k for k, n in Counter(self.case_keys).items() if n > 1)
        if dupes:
            raise UsageError(
                f"{name} lists case(s) {', '.join(dupes)} more than once; keep one of each."
            )
        for label, limit in (
            ("per-case time limit", self.time_limit_per_case_s),
            ("total time limit", self.time_limit_total_s),
        ):
            if limit is not None and not (math.isfinite(limit) and limit > 0):
                raise UsageError(
                    f"{name}: the {label} must be a positive number of seconds (or none), "
                    f"not {limit!r}."
                )
        unknown = [t for t in self.tools_allowed if not isinstance(t, Tool)]
        if unknown:
            raise UsageError(f"{name}: unknown viewer tool(s) {unknown!r}.")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (quiz-set files and the progress file store this)."""
        return {
            "id": self.id,
            "title": self.title,
            "instructions": self.instructions,
            "case_keys": list(self.case_keys),
            "mode": self.mode.value,
            "seed": self.seed,
            "shuffle": self.shuffle,
            "time_limit_per_case_s": self.time_limit_per_case_s,
            "time_limit_total_s": self.time_limit_total_s,
            "show_clinical": self.show_clinical,
            "tools_allowed": sorted(t.value for t in self.tools_allowed),
            "certainty_required": self.certainty_required,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuizSpec:
        """The inverse of ``to_dict``; ``UsageError`` when a field is missing or wrong."""
        try:
            spec = cls(
                id=str(data["id"]),
                title=str(data["title"]),
                instructions=str(data.get("instructions", "")),
                case_keys=tuple(str(k) for k in data["case_keys"]),
                mode=QuizMode(data["mode"]),
                seed=int(data.get("seed", 0)),
                shuffle=bool(data.get("shuffle", True)),
                time_limit_per_case_s=_optional_float(data.get("time_limit_per_case_s")),
                time_limit_total_s=_optional_float(data.get("time_limit_total_s")),
                show_clinical=bool(data.get("show_clinical", True)),
                tools_allowed=frozenset(
                    Tool(t) for t in data.get("tools_allowed", [t.value for t in Tool])
                ),
                certainty_required=bool(data.get("certainty_required", True)),
            )
        except KeyError as exc:
            raise UsageError(f"The quiz description lacks the field {exc.args[0]!r}.") from None
        except (TypeError, ValueError) as exc:
            raise UsageError(f"The quiz description has a bad value: {exc}.") from None
        spec.validate()
        return spec


def _optional_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number of seconds")
    return float(value)


def trainee_seed(seed: int, trainee: str) -> int:
    """A stable integer from the quiz seed and the trainee's name.

    hashlib, not ``hash()``: Python salts ``hash()`` per process, and the order must be
    the same on every run and machine. Names compare case- and space-insensitively.
    """
    digest = hashlib.sha256(f"{seed}\x1f{trainee.strip().casefold()}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


def case_order(spec: QuizSpec, trainee: str) -> tuple[str, ...]:
    """The order in which ``trainee`` sees the quiz's cases.

    Shuffled per (seed, trainee). The key order leaks labels (IICS-UNA numbers the
    metastatic patients 1-60), so a shuffle that returns it is rotated by one.
    """
    keys = tuple(spec.case_keys)
    if not spec.shuffle or len(keys) < 2:
        return keys
    order = list(keys)
    random.Random(trainee_seed(spec.seed, trainee)).shuffle(order)
    if tuple(order) == keys:
        order = order[1:] + order[:1]
    return tuple(order)


def alias(position: int, total: int) -> str:
    """The only name a case has while its label is hidden; ``position`` counts from 1."""
    if not 1 <= position <= total:
        raise UsageError(f"Case position {position} is outside 1..{total}.")
    return f"Case {position} of {total}"


def mix_shortfall(dataset: Dataset, n: int, balanced: bool,
                  keep: Callable[[Case], bool] | None = None) -> str | None:
    """Why ``n`` cases at the dataset's natural mix (or balanced) cannot be drawn from the
    quiz cases that pass ``keep`` (e.g. those the trainee has not read); None when they
    can. The natural mix is the share with metastases among all the dataset's quiz
    cases: the cases left over are not allowed to change it without a word.
    """
    from bonescan_tutor.core.quiz_draw import draw_cases

    eligible = dataset.quiz_cases
    if not eligible:
        return "This dataset has no case usable in a quiz."
    share = 0.5 if balanced else natural_share(dataset)
    try:
        draw_cases(dataset, n, share, 0, keep)
    except UsageError:
        pool = [c for c in eligible if keep is None or keep(c)]
        pos = sum(c.diagnosis is Diagnosis.METASTASES for c in pool)
        which = "cases you have not read yet" if keep is not None else "usable cases"
        mix = "a balanced mix" if balanced else f"the natural mix ({100 * share:.0f} % with metastases)"
        return (f"{n} cases at {mix} cannot be drawn from the {which}: {pos} with metastases "
                f"and {len(pool) - pos} without are left. Ask for fewer cases, choose the "
                "other mix, or include cases you have read.")
    return None


def natural_share(dataset: Dataset) -> float:
    """The share with metastases among the dataset's quiz cases (0 when it has none)."""
    eligible = dataset.quiz_cases
    return (sum(c.diagnosis is Diagnosis.METASTASES for c in eligible) / len(eligible)
            if eligible else 0.0)
