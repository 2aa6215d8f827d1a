"""A cohort: many trainees' results files for one quiz set, merged, with item analysis.

``load_cohort`` never fails on a bad file: each file that cannot be merged (not a
results file, truncated, damaged, another quiz set, an exact copy) is listed by name in
``Cohort.problems`` and the rest are merged.

A results file is the trainee's: its checksum detects damage, not a determined editor,
who can change any field and recompute it. So, with the instructor's dataset given,
every answer is scored against the dataset's label, never the file's (a file whose
labels differ is named in ``Cohort.warnings``); without it the labels come from the
files and ``Cohort.banner`` says so, for every output to show first. The quiz set is
the instructor's quiz-set file when given, else the one most files belong to (ties: the
first file's); its cases are the set file's, else those more than half of its files
answered (a lone file cannot be checked that way), and, with a dataset, only those the
dataset holds: answers to other cases are named in ``warnings`` and dropped. Without a
dataset, a file whose label of a case most files do not give is named too. A trainee with several different
files is never replaced silently: ``Cohort.duplicates`` names every file, and the later
(by ``created``) is used unless ``prefer`` says the earliest.

Item analysis (difficulty, discrimination, corrected and uncorrected point-biserial)
lives in ``storage.item_analysis``; its names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Dataset, Diagnosis, natural_key
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.scoring import Summary, summary
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.item_analysis import UPPER_LOWER_SHARE as UPPER_LOWER_SHARE
from bonescan_tutor.storage.item_analysis import ItemStats as ItemStats
from bonescan_tutor.storage.item_analysis import item_analysis as item_analysis
from bonescan_tutor.storage.item_analysis import most_missed as most_missed
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import EXTENSION, ResultsFile, read_results

UNVERIFIED = (
    "Truth taken from the trainees' files, unverified: a trainee can edit them. "
    "Give the dataset to score against its labels."
)


class Prefer(enum.Enum):
    """Which of a trainee's several results files counts (by their ``created`` time)."""

    LATEST = "latest"
    EARLIEST = "earliest"


@dataclass(frozen=True)
class CohortProblem:
    """A file left out of the cohort, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


@dataclass(frozen=True)
class SeveralFiles:
    """One trainee sent more than one different results file; ``used`` counts."""

    trainee: str
    files: tuple[Path, ...]  # oldest first, by ``created``
    used: Path
    prefer: Prefer

    def __str__(self) -> str:
        others = ", ".join(p.name for p in self.files if p != self.used)
        which = "later" if self.prefer is Prefer.LATEST else "earlier"
        return (
            f"{self.trainee} sent {len(self.files)} results files: {self.used.name} (the "
            f"{which}) is used, {others} is not. Check which one is really theirs."
        )


@dataclass(frozen=True)
class Cohort:
    """Merged results of one quiz set; ``results`` has one file per trainee."""

    quiz_set_id: str
    quiz_set_title: str
    quiz_set_fingerprint: str
    results: tuple[ResultsFile, ...]
    problems: list[CohortProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truth_verified: bool = False
    banner: str = UNVERIFIED
    warnings: list[CohortProblem] = field(default_factory=list)  # merged, with a finding
    duplicates: list[SeveralFiles] = field(default_factory=list)

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
    """The results files among ``paths`` (folders listed one level deep); the rest named."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        try:
            if p.is_dir():
                children = sorted(p.iterdir())
            elif not p.exists():
                problems.append(CohortProblem(p, "no such file or folder."))
                continue
            else:
                children = [p]
        except OSError as exc:
            problems.append(CohortProblem(p, f"cannot be read ({exc.strerror or exc})."))
            continue
        for child in children:
            if child is not p and child.is_dir():
                continue
            if child is not p and (
                child.suffix.lower() != EXTENSION or child.name.startswith(TEMP_PREFIX)
            ):
                problems.append(CohortProblem(child, "not a results file; skipped."))
            elif not child.is_file():
                problems.append(CohortProblem(child, "not a regular file; skipped."))
            else:
                files.append(child)
    return files


def load_cohort(
    paths: Sequence[Path],
    dataset: Dataset | None = None,
    prefer: Prefer = Prefer.LATEST,
    quiz_set: QuizSet | None = None,
) -> Cohort:
    """Merge results files (and folders of them) for one quiz set; see the module doc.

    ``quiz_set`` (the instructor's ``.bstquiz``), when given, names the set and its cases.
    """
    problems: list[CohortProblem] = []
    read: list[ResultsFile] = []
    for path in _expand(paths, problems):
        try:
            read.append(read_results(path))
        except BonescanError as exc:
            problems.append(CohortProblem(path, str(exc).removeprefix(f"{path}: ")))
    return merge_cohort(read, problems, dataset, prefer, quiz_set)


def merge_cohort(
    read: Sequence[ResultsFile],
    problems: list[CohortProblem],
    dataset: Dataset | None = None,
    prefer: Prefer = Prefer.LATEST,
    quiz_set: QuizSet | None = None,
) -> Cohort:
    """Merge results already read (each with a ``path`` naming it) as ``load_cohort``
    does; ``problems`` (those that could not be read) are reported with them."""
    banner = (
        UNVERIFIED
        if dataset is None
        else f"Truth from the dataset {dataset.name!r} (version {dataset.fingerprint}), "
        "not from the trainees' files."
    )
    found = _which_set(read, quiz_set)
    if found is None:
        return Cohort("", "", "", (), problems, [], dataset is not None, banner)
    chosen, title = found
    seen, by_trainee = _sort_files(read, chosen, title, problems)
    chosen_files, duplicates = _one_per_trainee(by_trainee, prefer)
    in_set = _set_keys(list(seen.values()), dataset, quiz_set)
    warnings: list[CohortProblem] = []
    results = tuple(
        _checked(r, in_set, dataset, warnings)
        for r in sorted(chosen_files, key=lambda r: (r.trainee.casefold(), r.trainee))
    )
    if dataset is None:
        _lone_labels(results, warnings)
    return Cohort(
        chosen[0], title, chosen[1], results, problems, _notes(results, dataset),
        dataset is not None, banner, warnings, duplicates,
    )


def _which_set(
    read: Sequence[ResultsFile], quiz_set: QuizSet | None
) -> tuple[tuple[str, str], str] | None:
    """The cohort's quiz set ((id, fingerprint), title): the one given, else the one most
    files answer (the first such in file order); None with neither."""
    if quiz_set is not None:
        return (quiz_set.id, quiz_set.fingerprint), quiz_set.title
    if not read:
        return None
    groups = Counter((r.quiz_set_id, r.quiz_set_fingerprint) for r in read)
    best = max(groups.values())
    chosen = next(
        g for g in ((r.quiz_set_id, r.quiz_set_fingerprint) for r in read) if groups[g] == best
    )
    title = next(
        r.quiz_set_title for r in read if (r.quiz_set_id, r.quiz_set_fingerprint) == chosen
    )
    return chosen, title


def _sort_files(
    read: Sequence[ResultsFile], chosen: tuple[str, str], title: str,
    problems: list[CohortProblem],
) -> tuple[dict[str, ResultsFile], dict[str, list[ResultsFile]]]:
    """The files of the chosen set, each once (by identity) and by trainee; files of
    another set and exact copies become problems."""
    seen: dict[str, ResultsFile] = {}
    by_trainee: dict[str, list[ResultsFile]] = {}
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
        by_trainee.setdefault(r.trainee.strip().casefold(), []).append(r)
    return seen, by_trainee


def _notes(results: Sequence[ResultsFile], dataset: Dataset | None) -> list[str]:
    """Files from an older app, and files answered on another dataset version."""
    notes: list[str] = []
    for r in results:
        assert r.path is not None
        if r.from_older_app:
            notes.append(
                f"{r.path.name} was written by an older bonescan-tutor ({r.app_version}); merged."
            )
        if dataset is not None and r.dataset_fingerprint != dataset.fingerprint:
            notes.append(
                f"{r.path.name} was answered on dataset version {r.dataset_fingerprint}, not "
                f"{dataset.fingerprint}; scored with the open dataset's labels."
            )
    return notes


def _one_per_trainee(
    by_trainee: dict[str, list[ResultsFile]], prefer: Prefer
) -> tuple[list[ResultsFile], list[SeveralFiles]]:
    chosen: list[ResultsFile] = []
    several: list[SeveralFiles] = []
    for files in by_trainee.values():
        files = sorted(files, key=lambda x: (_when(x.created), str(x.path)))
        use = files[-1] if prefer is Prefer.LATEST else files[0]
        chosen.append(use)
        if len(files) > 1:
            paths = tuple(f.path for f in files if f.path is not None)
            assert use.path is not None
            several.append(SeveralFiles(use.trainee, paths, use.path, prefer))
    several.sort(key=lambda d: d.trainee.casefold())
    return chosen, several


def _set_keys(
    files: list[ResultsFile], dataset: Dataset | None, quiz_set: QuizSet | None
) -> set[str]:
    """The quiz set's cases: the set file's, else those more than half of its files
    answered; with a dataset, only those it holds."""
    if quiz_set is not None:
        keys = set(quiz_set.spec.case_keys)
    else:
        counts = Counter(k for r in files for k in {a.case_key for a in r.attempts})
        keys = {k for k, n in counts.items() if 2 * n > len(files)}
    if dataset is not None:
        keys = {k for k in keys if dataset.get(k) is not None}
    return keys


def _checked(
    r: ResultsFile, in_set: set[str], dataset: Dataset | None, warnings: list[CohortProblem]
) -> ResultsFile:
    """``r`` with answers outside the set dropped and, given a dataset, its labels."""
    assert r.path is not None
    kept: list[Answer] = []
    outside: list[str] = []
    missing: list[str] = []
    differ: list[str] = []
    for a in r.attempts:
        case = dataset.get(a.case_key) if dataset is not None else None
        if dataset is not None and case is None:
            missing.append(a.case_key)
            continue
        if a.case_key not in in_set:
            outside.append(a.case_key)
            continue
        if case is not None and case.diagnosis is not a.truth:
            differ.append(a.case_key)
            a = replace(a, truth=case.diagnosis)
        kept.append(a)
    if missing:
        warnings.append(CohortProblem(r.path, f"answers to case(s) {_keys(missing)} not in the "
                                              "dataset were dropped (no label to score them)."))
    if outside:
        warnings.append(CohortProblem(r.path, f"answers to case(s) {_keys(outside)} outside the "
                                              "quiz set were dropped."))
    if differ:
        warnings.append(CohortProblem(
            r.path,
            f"its labels differ from the dataset for {len(differ)} case(s) ({_keys(differ)}): "
            "the file was edited, or the dataset changed since; scored with the dataset's labels.",
        ))
    if len(kept) == len(r.attempts) and not differ:
        return r
    return replace(r, attempts=tuple(kept))


def _lone_labels(results: Sequence[ResultsFile], warnings: list[CohortProblem]) -> None:
    """Without a dataset: name each file whose label of a case most files do not give."""
    votes: dict[str, Counter[Diagnosis]] = {}
    for r in results:
        for a in r.attempts:
            votes.setdefault(a.case_key, Counter())[a.known_truth] += 1
    for r in results:
        assert r.path is not None
        odd = [
            a.case_key
            for a in r.attempts
            if 2 * votes[a.case_key][a.known_truth] <= sum(votes[a.case_key].values())
        ]
        if odd:
            warnings.append(CohortProblem(
                r.path,
                f"its labels for {len(odd)} case(s) ({_keys(odd)}) are not those most files "
                "give: the file may have been edited. Give the dataset to score with its labels.",
            ))


def _when(created: str) -> dt.datetime:
    """``created`` as an aware time (UTC when it names no zone) for ordering files."""
    when = dt.datetime.fromisoformat(created)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _keys(keys: list[str], limit: int = 12) -> str:
    ordered = sorted(keys, key=natural_key)
    shown = ", ".join(ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def trainee_summaries(cohort: Cohort) -> dict[str, Summary]:
    """Each trainee's figures (core.scoring.summary), in the cohort's order."""
    return {r.trainee: summary(r.attempts) for r in cohort.results}


def accuracies(summaries: Mapping[str, Summary]) -> list[float]:
    """Each trainee's accuracy (0-1) where it is defined, in the cohort's order: the
    distribution and mean every cohort output shows."""
    values = (s.metrics.accuracy.estimate for s in summaries.values())
    return [v for v in values if v is not None]
