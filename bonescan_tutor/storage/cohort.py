"""A cohort: many trainees' results files for one quiz set, merged, with item analysis.

``load_cohort`` never fails on a bad file: each file that cannot be merged (not a
results file, truncated, edited, another quiz set, a duplicate) is listed by name in
``Cohort.problems`` and the rest are merged. The quiz set is the one most files
belong to (ties: the first file's). A trainee who sent several different results for
the set counts once, with their latest file.

Item analysis (difficulty, discrimination, corrected and uncorrected point-biserial)
lives in ``storage.item_analysis``; its names are importable from here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bonescan_tutor.core.cases import natural_key
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.scoring import Summary, summary
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.item_analysis import UPPER_LOWER_SHARE as UPPER_LOWER_SHARE
from bonescan_tutor.storage.item_analysis import ItemStats as ItemStats
from bonescan_tutor.storage.item_analysis import item_analysis as item_analysis
from bonescan_tutor.storage.item_analysis import most_missed as most_missed
from bonescan_tutor.storage.results import EXTENSION, ResultsFile, read_results


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
