"""A cohort: many trainees' results files for one quiz set, merged, with item analysis.

``load_cohort`` never fails on a bad file: each file that cannot be merged (not a
results file, truncated, edited, another quiz set, a duplicate) is listed by name in
``Cohort.problems`` and the rest are merged. The quiz set is the one most files
belong to (ties: the first file's). A trainee who sent several different results for
the set counts once, with their latest file.

Item analysis (classical test theory), per case over the trainees who saw it:
difficulty = share correct; discrimination = share correct in the upper 27 % of
trainees by total score minus the lower 27 % (at least one trainee each, ranked by
total then name; None when every trainee has the same total); point-biserial = Pearson correlation of the 0/1 item score with the
total score (uncorrected: the item is part of the total). An unanswered case is wrong.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonescan_tutor.core.cases import Diagnosis, natural_key
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.scoring import Summary, summary
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.results import EXTENSION, ResultAttempt, ResultsFile, read_results

UPPER_LOWER_SHARE = 0.27


@dataclass(frozen=True)
class CohortProblem:
    """A file left out of the cohort, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


@dataclass(frozen=True)
class Cohort:
    """Merged results of one quiz set; ``results`` has one file per trainee."""

    quiz_set_id: str
    quiz_set_title: str
    quiz_set_fingerprint: str
    results: tuple[ResultsFile, ...]
    problems: list[CohortProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def trainees(self) -> tuple[str, ...]:
        return tuple(r.trainee for r in self.results)

    @property
    def case_keys(self) -> tuple[str, ...]:
        keys = {a.case_key for r in self.results for a in r.attempts}
        return tuple(sorted(keys, key=natural_key))

    def most_missed(self, n: int = 10) -> list[ItemStats]:
        """The ``n`` hardest cases (see the module function ``most_missed``)."""
        return most_missed(self, n)


@dataclass(frozen=True)
class ItemStats:
    """Classical item statistics of one case across the cohort."""

    case_key: str
    truth: Diagnosis
    n: int  # trainees who had this case
    difficulty: float | None  # share correct (higher = easier)
    discrimination: float | None  # upper 27 % minus lower 27 %
    point_biserial: float | None
    answer_spread: dict[str, int]  # metastases / no_metastases / unanswered
    mean_certainty: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "case_key": self.case_key,
            "truth": self.truth.value,
            "n": self.n,
            "difficulty": self.difficulty,
            "discrimination": self.discrimination,
            "point_biserial": self.point_biserial,
            "answer_spread": dict(self.answer_spread),
            "mean_certainty": self.mean_certainty,
        }


def _expand(paths: Iterable[Path], problems: list[CohortProblem]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_dir():
                    continue
                if child.suffix.lower() == EXTENSION and not child.name.startswith(TEMP_PREFIX):
                    files.append(child)
                else:
                    problems.append(CohortProblem(child, "not a results file; skipped."))
        elif not p.exists():
            problems.append(CohortProblem(p, "no such file or folder."))
        else:
            files.append(p)
    return files


def load_cohort(paths: Sequence[Path]) -> Cohort:
    """Merge results files (and folders of them) for one quiz set; see the module doc."""
    problems: list[CohortProblem] = []
    notes: list[str] = []
    read: list[ResultsFile] = []
    for path in _expand(paths, problems):
        try:
            read.append(read_results(path))
        except BonescanError as exc:
            message = str(exc)
            prefix = f"{path}: "
            problems.append(CohortProblem(path, message.removeprefix(prefix)))
    if not read:
        return Cohort("", "", "", (), problems, notes)
    groups = Counter((r.quiz_set_id, r.quiz_set_fingerprint) for r in read)
    best = max(groups.values())
    chosen = next(
        g for g in ((r.quiz_set_id, r.quiz_set_fingerprint) for r in read) if groups[g] == best
    )
    title = next(
        r.quiz_set_title for r in read if (r.quiz_set_id, r.quiz_set_fingerprint) == chosen
    )
    seen: dict[str, ResultsFile] = {}
    latest: dict[str, ResultsFile] = {}
    for r in read:
        assert r.path is not None
        if (r.quiz_set_id, r.quiz_set_fingerprint) != chosen:
            same_id = r.quiz_set_id == chosen[0]
            why = "a changed version of" if same_id else "another quiz set than"
            problems.append(
                CohortProblem(
                    r.path,
                    f"results of {why} the cohort's ({r.quiz_set_title!r}, not {title!r}); not merged.",
                )
            )
            continue
        first = seen.get(r.identity)
        if first is not None:
            assert first.path is not None
            problems.append(
                CohortProblem(r.path, f"a duplicate of {first.path.name}; counted once.")
            )
            continue
        seen[r.identity] = r
        who = r.trainee.strip().casefold()
        earlier = latest.get(who)
        if earlier is not None:
            older, newer = sorted((earlier, r), key=lambda x: (x.created, str(x.path)))
            assert older.path is not None and newer.path is not None
            notes.append(
                f"{r.trainee} sent more than one result; {newer.path.name} (the latest) is used, "
                f"{older.path.name} is not."
            )
            latest[who] = newer
        else:
            latest[who] = r
    results = tuple(sorted(latest.values(), key=lambda r: (r.trainee.casefold(), r.trainee)))
    for r in results:
        if r.from_older_app:
            assert r.path is not None
            notes.append(
                f"{r.path.name} was written by an older bonescan-tutor ({r.app_version}); merged."
            )
    return Cohort(chosen[0], title, chosen[1], results, problems, notes)


def trainee_summaries(cohort: Cohort) -> dict[str, Summary]:
    """Each trainee's figures (core.scoring.summary), in the cohort's order."""
    return {r.trainee: summary(r.scored_answers()) for r in cohort.results}


def _matrix(cohort: Cohort) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(case keys, correct[trainee, case] as 0/1 with NaN where not seen, total scores)."""
    keys = cohort.case_keys
    col = {k: j for j, k in enumerate(keys)}
    m = np.full((len(cohort.results), len(keys)), np.nan)
    for i, r in enumerate(cohort.results):
        for a in r.attempts:
            m[i, col[a.case_key]] = 1.0 if a.correct else 0.0
    totals = np.nansum(m, axis=1)
    return keys, m, totals


def item_analysis(cohort: Cohort) -> list[ItemStats]:
    """Difficulty, discrimination and point-biserial of every case (see the module doc)."""
    keys, m, totals = _matrix(cohort)
    n_tr = len(cohort.results)
    ranked = sorted(range(n_tr), key=lambda i: (-totals[i], cohort.results[i].trainee.casefold()))
    spread_out = n_tr >= 2 and float(totals.max()) > float(totals.min())
    k = max(1, round(UPPER_LOWER_SHARE * n_tr)) if spread_out else 0
    upper, lower = ranked[:k], ranked[n_tr - k :] if k else []
    by_case: dict[str, list[ResultAttempt]] = {key: [] for key in keys}
    for r in cohort.results:
        for a in r.attempts:
            by_case[a.case_key].append(a)
    out: list[ItemStats] = []
    for j, key in enumerate(keys):
        column = m[:, j]
        seen = ~np.isnan(column)
        attempts = by_case[key]
        truth = attempts[0].truth
        spread = {"metastases": 0, "no_metastases": 0, "unanswered": 0}
        certs: list[int] = []
        for a in attempts:
            d = a.decision
            spread[d.value if d is not None else "unanswered"] += 1
            if d is not None and a.certainty is not None:
                certs.append(a.certainty)
        n = int(seen.sum())
        out.append(
            ItemStats(
                case_key=key,
                truth=truth,
                n=n,
                difficulty=float(np.nanmean(column)) if n else None,
                discrimination=_discrimination(column, upper, lower),
                point_biserial=_pearson(column[seen], totals[seen]),
                answer_spread=spread,
                mean_certainty=float(np.mean(certs)) if certs else None,
            )
        )
    return out


def _discrimination(column: np.ndarray, upper: list[int], lower: list[int]) -> float | None:
    if not upper or not lower:
        return None
    up = column[upper]
    lo = column[lower]
    up, lo = up[~np.isnan(up)], lo[~np.isnan(lo)]
    if up.size == 0 or lo.size == 0:
        return None
    return float(up.mean() - lo.mean())


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if x.size < 2:
        return None
    sx, sy = float(np.std(x)), float(np.std(y))
    if sx == 0.0 or sy == 0.0:
        return None
    r = float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))
    return max(-1.0, min(1.0, r)) if math.isfinite(r) else None


def most_missed(items: Sequence[ItemStats] | Cohort, n: int = 10) -> list[ItemStats]:
    """The ``n`` hardest cases: lowest share correct first, then most trainees, then key.
    A case every trainee got right was missed by no one and is never listed."""
    stats = item_analysis(items) if isinstance(items, Cohort) else list(items)
    rated = [s for s in stats if s.difficulty is not None and s.difficulty < 1.0]
    rated.sort(key=lambda s: (s.difficulty, -s.n, natural_key(s.case_key)))
    return rated[: max(0, n)]
