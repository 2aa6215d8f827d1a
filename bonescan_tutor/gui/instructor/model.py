"""The quiz-set builder's state as plain values: the chosen cases, the mix, the options.

No widgets here, so the rules (what a draw asks ``draw_cases`` for, what a saved file
holds) are tested without a QApplication; ``builder.py`` only shows and edits these.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bonescan_tutor.core.cases import Case, Dataset
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.overlays import specs
from bonescan_tutor.core.quiz import ALL_TOOLS, QuizMode, QuizSpec, Tool
from bonescan_tutor.core.quiz_draw import draw_cases
from bonescan_tutor.gui.library.case_filter import CaseFilter
from bonescan_tutor.storage.quizset_fields import endpoint_problem, pass_mark_problem
from bonescan_tutor.storage.quizsets import QuizSet

TOOL_LABELS: dict[Tool, str] = {
    Tool.WINDOWING: "Windowing",
    Tool.INVERT: "Invert gray",
    Tool.COLORMAP: "Colour maps",
    Tool.MIRROR_POSTERIOR: "Mirror posterior",
    Tool.REGIONAL_INDEX: "Regional indices",
    # an overlay's tool is named as its check box in the viewer (core.overlays)
    **{spec.tool: spec.label for spec in specs()},
}


class Mix(enum.Enum):
    """How many of the drawn cases have metastases."""

    NATURAL = "natural"  # the share among the eligible cases that pass the filter
    BALANCED = "balanced"  # 50 %
    CUSTOM = "custom"  # a percentage the instructor types


def prevalence(mix: Mix, custom_percent: float) -> float | None:
    """The ``prevalence`` argument of ``draw_cases`` for this choice (None = natural)."""
    if mix is Mix.NATURAL:
        return None
    if mix is Mix.BALANCED:
        return 0.5
    return custom_percent / 100


def draw_predicate(case_filter: CaseFilter) -> Callable[[Case], bool] | None:
    """The filter as ``draw_cases``'s predicate; None when it lets every case through.

    None keeps the pool exactly the one ``bonescan-tutor quizset create`` draws from
    (the CLI has no filters), so the same seed gives the same keys. The key search
    box only finds rows in the list; it never narrows a draw.
    """
    plain = CaseFilter(
        diagnosis=case_filter.diagnosis,
        age_min=case_filter.age_min,
        age_max=case_filter.age_max,
        sex=case_filter.sex,
        year=case_filter.year,
    )
    return None if plain == CaseFilter() else plain.accepts


def natural_share(dataset: Dataset, case_filter: CaseFilter) -> float | None:
    """The share with metastases among the quiz-eligible cases the filter keeps."""
    accepts = draw_predicate(case_filter)
    pool = [c for c in dataset.quiz_cases if accepts is None or accepts(c)]
    if not pool:
        return None
    return sum(c.diagnosis.is_positive for c in pool) / len(pool)


@dataclass
class Selection:
    """The chosen case keys, in the order chosen (a draw's own order, then picks by hand)."""

    keys: list[str] = field(default_factory=list)

    def replace(self, keys: Iterable[str]) -> None:
        self.keys = list(dict.fromkeys(keys))

    def set_chosen(self, key: str, chosen: bool) -> None:
        if chosen and key not in self.keys:
            self.keys.append(key)
        elif not chosen and key in self.keys:
            self.keys.remove(key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def describe(self, dataset: Dataset, shown: Iterable[str] = ()) -> str:
        """'12 chosen: 3 with metastases, 9 without' (+ how many the filter hides)."""
        if not self.keys:
            return "No case chosen yet: draw at random or tick cases in the list."
        pos = sum(1 for k in self.keys if (c := dataset.get(k)) and c.diagnosis.is_positive)
        text = f"{len(self.keys)} chosen: {pos} with metastases, {len(self.keys) - pos} without"
        hidden = len(set(self.keys) - set(shown))
        return text + (f" ({hidden} not in the filtered list)" if hidden else "")


def draw(
    dataset: Dataset, n: int, mix: Mix, custom_percent: float, seed: int, case_filter: CaseFilter
) -> tuple[str, ...]:
    """The builder's "Draw": ``core.quiz_draw.draw_cases``, the CLI's own draw."""
    return draw_cases(dataset, n, prevalence(mix, custom_percent), seed, draw_predicate(case_filter))


@dataclass(frozen=True)
class QuizOptions:
    """Everything in the builder's options form; ``None`` limits mean no limit."""

    title: str = ""
    instructions: str = ""
    author: str = ""
    mode: QuizMode = QuizMode.PRACTICE
    time_per_case_s: float | None = None
    time_total_s: float | None = None
    show_clinical: bool = True
    tools: frozenset[Tool] = ALL_TOOLS
    certainty_required: bool = True
    results_folder: str | None = None
    pass_mark: float | None = None  # fraction of cases right to pass, 0-1
    lrs_endpoint: str | None = None  # an LRS the app proposes to trainees; no secret

    def quiz_set(self, dataset: Dataset, keys: Iterable[str], seed: int) -> QuizSet:
        """A new quiz set (fresh id) of ``keys`` on ``dataset``; ``UsageError`` if incomplete."""
        keys = tuple(keys)
        if not keys:
            raise UsageError("The quiz set has no case: draw cases or tick some in the list.")
        if not self.title.strip():
            raise UsageError("Give the quiz set a title, so trainees can tell quizzes apart.")
        unusable = [k for k in keys if not ((c := dataset.get(k)) and c.quiz_eligible)]
        if unusable:
            raise UsageError(
                f"Case(s) {', '.join(unusable)} cannot be quizzed (doubtful label or no "
                "readable image); untick them."
            )
        spec = QuizSpec.create(
            self.title.strip(),
            keys,
            self.mode,
            seed=seed,
            instructions=self.instructions.strip(),
            time_limit_per_case_s=self.time_per_case_s,
            time_limit_total_s=self.time_total_s,
            show_clinical=self.show_clinical,
            tools_allowed=self.tools,
            certainty_required=self.certainty_required,
        )
        folder = (self.results_folder or "").strip() or None
        endpoint = (self.lrs_endpoint or "").strip() or None
        problem = None if endpoint is None else endpoint_problem(endpoint)
        if problem:
            raise UsageError(problem.replace('"lrs_endpoint"', "The LRS endpoint") + ".")
        problem = None if self.pass_mark is None else pass_mark_problem(self.pass_mark)
        if problem:
            raise UsageError(problem.replace('"pass_mark" must be null or', "The pass mark is"))
        return QuizSet.for_dataset(spec, dataset, author=self.author.strip(), results_folder=folder,
                                   pass_mark=self.pass_mark, lrs_endpoint=endpoint)
