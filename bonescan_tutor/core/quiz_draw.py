"""Drawing cases for a quiz: a stratified random draw at a chosen prevalence.

The one implementation behind the quick quiz, the quiz-set builder and
``bonescan-tutor quizset create``: the same dataset, count, prevalence and seed
always select the same cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from bonescan_tutor.core.cases import Case, Dataset, Diagnosis, natural_key
from bonescan_tutor.core.errors import UsageError


def _exact(value: float | Fraction) -> Fraction:
    """A prevalence as the exact fraction its shortest decimal form writes (0.58 -> 29/50)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(repr(float(value)))


def _check_whole(n: int, seed: int) -> None:
    """``UsageError`` unless the count is a whole number >= 1 and the seed one >= 0."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"The number of cases must be a whole number of at least 1, not {n!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"The seed must be a whole number >= 0, not {seed!r}.")


def _share(prevalence: float | Fraction) -> Fraction:
    """A given prevalence as an exact fraction; ``UsageError`` outside 0..1."""
    if isinstance(prevalence, bool) or not (0.0 <= float(prevalence) <= 1.0):
        raise UsageError(f"The prevalence must be between 0 and 1 (0.5 = balanced), not {prevalence!r}.")
    return _exact(prevalence)


def draw_cases(
    dataset: Dataset,
    n: int,
    prevalence: float | Fraction | None = None,
    seed: int = 0,
    filters: Callable[[Case], bool] | None = None,
) -> tuple[str, ...]:
    """Pick ``n`` quiz-eligible cases at random, stratified by label; same seed, same keys.

    ``prevalence`` is the share with metastases (None: the dataset's own share among
    the eligible cases that pass ``filters``; 0.5: balanced). The count of metastatic
    cases is ``n * prevalence`` rounded half up, in exact arithmetic: the prevalence is
    taken as the decimal it is written as (0.58 is 58/100, so 25 cases give 14.5 -> 15),
    never as its binary floating-point neighbour. Keys come back in a random order (never
    grouped by label). ``UsageError`` says how many cases of a class there are when
    too few.
    """
    _check_whole(n, seed)
    pool = sorted(
        (c for c in dataset.quiz_cases if filters is None or filters(c)),
        key=lambda c: natural_key(c.key),
    )
    pos = [c.key for c in pool if c.diagnosis is Diagnosis.METASTASES]
    neg = [c.key for c in pool if c.diagnosis is Diagnosis.NO_METASTASES]
    if n > len(pool):
        raise UsageError(
            f"Asked for {n} cases but dataset {dataset.name!r} has only {len(pool)} usable "
            f"case(s) ({len(pos)} with metastases, {len(neg)} without)."
        )
    share = Fraction(len(pos), len(pool)) if prevalence is None else _share(prevalence)
    n_pos = math.floor(n * share + Fraction(1, 2))
    n_neg = n - n_pos
    for wanted, have, what in ((n_pos, pos, "with"), (n_neg, neg, "without")):
        if wanted > len(have):
            raise UsageError(
                f"Asked for {wanted} case(s) {what} metastases but dataset {dataset.name!r} "
                f"has only {len(have)} usable; lower --cases or change --prevalence."
            )
    rng = np.random.default_rng(seed)
    picked = [pos[i] for i in rng.choice(len(pos), size=n_pos, replace=False)] if n_pos else []
    picked += [neg[i] for i in rng.choice(len(neg), size=n_neg, replace=False)] if n_neg else []
    order = rng.permutation(len(picked))
    return tuple(picked[i] for i in order)
