"""``bonescan-tutor cohort``: merge trainees' results files into one workbook and summary.

Every file that cannot be merged is named with the reason; the rest are merged. With
``--dataset`` the labels come from the dataset, never from the trainees' files, and the
most-missed cases get a small inverted-gray anterior thumbnail in the workbook; without
it, the first line of every output says the labels are the files' own, unverified.
With case annotations (``--annotations``, or ``annotations.bstann`` beside the dataset)
the workbook gains a Lesions sheet and every per-trainee table localization columns.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.metric_registry import Table, metrics_for

if TYPE_CHECKING:
    from bonescan_tutor.core.cases import Dataset
    from bonescan_tutor.core.scoring import Summary


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "cohort",
        help="merge .bstresult files of one quiz set into an xlsx with charts (or a CSV)",
        description=(
            "Merge trainees' results files (or folders of them) for one quiz set: per-trainee "
            "figures, item analysis, the most-missed cases. Files that cannot be merged are "
            "listed by name with the reason. Give --dataset so the labels come from the "
            "dataset: a results file is the trainee's, and its checksum detects damage, not "
            "a determined editor."
        ),
    )
    p.add_argument("paths", nargs="*", metavar="FILE_OR_FOLDER")
    p.add_argument(
        "--lrs",
        metavar="URL",
        help="read the answers from this Learning Record Store's xAPI endpoint instead of "
        "results files (needs --quiz-set and --dataset; user and password from "
        "BONESCAN_TUTOR_LRS_USER and BONESCAN_TUTOR_LRS_PASSWORD, else the user of Settings > "
        "Learning Record Store and its stored password)",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="FILE.xlsx: the workbook with charts; FILE.csv: the per-trainee table",
    )
    p.add_argument(
        "--dataset",
        dest="cohort_dataset",
        metavar="PATH",
        help="the dataset: score every answer against its labels (not the files'), and put "
        "thumbnails of the most-missed cases in the workbook",
    )
    p.add_argument(
        "--quiz-set",
        dest="cohort_quiz_set",
        metavar="FILE.bstquiz",
        help="the quiz-set file: only its results and its cases are merged",
    )
    p.add_argument(
        "--prefer",
        choices=["latest", "earliest"],
        default="latest",
        help="which of a trainee's several results files counts, by the time it was written "
        "(default: latest); every such file is named either way",
    )
    p.add_argument("--most-missed", type=int, default=10, metavar="N", help="how many to list")
    p.add_argument(
        "--annotations", metavar="FILE", action="append",
        help="case annotations (.bstann): score the trainees' marks and list each lesion "
        "with how many found it (a Lesions sheet and localization columns in --out); "
        "repeat to merge several (default: annotations.bstann beside --dataset)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def thumbnails_for(dataset: Dataset, keys: list[str]) -> dict[str, bytes]:
    """PNG thumbnails of these cases' anterior views (``datasets.thumbnails``)."""
    from bonescan_tutor.datasets.thumbnails import case_thumbnails

    return dict(case_thumbnails(dataset, keys))


def _lesions(
    args: argparse.Namespace, cohort: Any, dataset: Dataset | None
) -> tuple[list[Any] | None, dict[str, Any]]:
    """Per-lesion rows and each trainee's localization figures, when annotations are given
    (or lie beside the dataset); (None, {}) otherwise. A file made on another dataset
    version is named on stderr."""
    from bonescan_tutor.storage.annotations import annotations_beside, read_merged
    from bonescan_tutor.storage.cohort_lesions import lesion_analysis

    paths = [Path(p) for p in args.annotations or []]
    if not paths and args.cohort_dataset:
        beside = annotations_beside(args.cohort_dataset)
        paths = [beside] if beside else []
    if not paths:
        return None, {}
    annotations, warnings = read_merged(paths)
    if dataset is not None and annotations.dataset_fingerprint != dataset.fingerprint:
        warnings.append(f"{paths[0]}: made on dataset version "
                        f"{annotations.dataset_fingerprint}, the dataset is {dataset.fingerprint}.")
    for warning in warnings:
        print(f"bonescan-tutor cohort: warning: {warning}", file=sys.stderr)
    return lesion_analysis(cohort, annotations)


def _from_lrs(args: argparse.Namespace, dataset: Any, quiz_set: Any, prefer: Any) -> Any:
    """The cohort of ``--quiz-set`` from the statements the LRS at ``--lrs`` holds."""
    import os

    from bonescan_tutor.storage.cohort import merge_cohort
    from bonescan_tutor.storage.lrs_cohort import fetch_quiz_statements, results_from_statements
    from bonescan_tutor.storage.lrs_config import (
        ENV_PASSWORD,
        ENV_USER,
        SETTING_USER,
        LrsConfig,
        PasswordStore,
        settings_file_values,
    )

    if quiz_set is None or dataset is None:
        raise UsageError("--lrs needs --quiz-set FILE.bstquiz and --dataset PATH: the quiz set "
                         "names the statements to read, the dataset gives the labels")
    if args.paths:
        raise UsageError("give either results files or --lrs URL, not both")
    user = os.environ.get(ENV_USER) or settings_file_values().get(SETTING_USER, "")
    password = os.environ.get(ENV_PASSWORD) or PasswordStore().get(args.lrs, user) or ""
    config = LrsConfig(args.lrs, user, password, password_from_env=ENV_PASSWORD in os.environ)
    results, problems = results_from_statements(fetch_quiz_statements(config, quiz_set), dataset)
    return merge_cohort(results, problems, dataset, prefer, quiz_set)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.storage.cohort import item_analysis, most_missed, trainee_summaries
    from bonescan_tutor.storage.cohort_workbook import check_out_path

    out_path = check_out_path(Path(args.out))
    cohort, dataset = _load(args)
    findings = _findings(cohort)
    if not cohort.results:
        _print_nothing_merged(args, cohort, findings)
        return 1
    lesions, located = _lesions(args, cohort, dataset)
    items = item_analysis(cohort)
    worst = most_missed(items, args.most_missed)
    summaries = trainee_summaries(cohort)
    figures = located if lesions is not None else None
    out = _write(out_path, cohort, dataset, items, worst, summaries, lesions, figures)
    if args.json:
        print(json.dumps(_as_json(cohort, summaries, worst, lesions, located, findings, out),
                         indent=2))
    else:
        _print_text(args, cohort, summaries, items, worst, lesions, out)
    return 0


def _load(args: argparse.Namespace) -> tuple[Any, Dataset | None]:
    """The merged cohort (from files or ``--lrs``) and the dataset of ``--dataset``."""
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage.cohort import Prefer, load_cohort
    from bonescan_tutor.storage.quizsets import read_quizset

    dataset = open_dataset(args.cohort_dataset)[0] if args.cohort_dataset else None
    quiz_set = read_quizset(Path(args.cohort_quiz_set)) if args.cohort_quiz_set else None
    if args.lrs:
        return _from_lrs(args, dataset, quiz_set, Prefer(args.prefer)), dataset
    if not args.paths:
        raise UsageError("give results files or folders, or --lrs URL")
    cohort = load_cohort(
        [Path(p) for p in args.paths], dataset, Prefer(args.prefer), quiz_set=quiz_set
    )
    return cohort, dataset


def _findings(cohort: Any) -> dict[str, list[dict[str, Any]]]:
    """Files not merged, findings on merged files and several files of one trainee, as JSON."""
    return {
        "problems": [{"file": str(p.path), "message": p.message} for p in cohort.problems],
        "warnings": [{"file": str(w.path), "message": w.message} for w in cohort.warnings],
        "duplicates": [
            {
                "trainee": d.trainee,
                "files": [str(f) for f in d.files],
                "used": str(d.used),
                "message": str(d),
            }
            for d in cohort.duplicates
        ],
    }


def _print_nothing_merged(args: argparse.Namespace, cohort: Any,
                          findings: dict[str, list[dict[str, Any]]]) -> None:
    if args.json:
        print(json.dumps({"truth": cohort.banner, "ok": False, **findings}, indent=2))
        return
    print(cohort.banner)
    print("bonescan-tutor cohort: no results file could be merged.")
    for p in cohort.problems:
        print(f"  {p.path}: {p.message}")


def _write(out_path: Path, cohort: Any, dataset: Dataset | None, items: list[Any],
           worst: list[Any], summaries: Mapping[str, Summary], lesions: list[Any] | None,
           figures: Mapping[str, Any] | None) -> Path:
    """The workbook (with thumbnails of the most-missed cases given a dataset, and with
    annotations the Lesions sheet) or the CSV; ``figures``: each trainee's localization
    figures, when annotations were given."""
    from bonescan_tutor.storage.cohort_workbook import write_cohort_csv, write_cohort_workbook

    if out_path.suffix.lower() == ".csv":
        return write_cohort_csv(cohort, out_path, summaries, figures)
    thumbs: Mapping[str, bytes] | None = None
    if dataset is not None:
        thumbs = thumbnails_for(dataset, [s.case_key for s in worst])
    return write_cohort_workbook(cohort, out_path, thumbs, items=items, summaries=summaries,
                                 lesions=lesions, localization=figures)


def mean_accuracy(summaries: Mapping[str, Summary]) -> float | None:
    """The mean of the trainees' accuracies where defined (None when none is)."""
    from bonescan_tutor.storage.cohort import accuracies

    known = accuracies(summaries)
    return sum(known) / len(known) if known else None


def trainee_figures(s: Summary) -> dict[str, float | int | None]:
    """One trainee's figures in ``cohort --json``: each metric the cohort carries."""
    return {m.name: m.scalar(s) for m in metrics_for(Table.COHORT)}


def _as_json(cohort: Any, summaries: Mapping[str, Summary], worst: list[Any],
             lesions: list[Any] | None, located: dict[str, Any],
             findings: dict[str, list[dict[str, Any]]], out: Path) -> dict[str, Any]:
    status = {r.trainee: r.status.value for r in cohort.results}
    return {
        "truth": cohort.banner,
        "truth_verified": cohort.truth_verified,
        "ok": True,
        "quiz_set": {
            "id": cohort.quiz_set_id,
            "title": cohort.quiz_set_title,
            "fingerprint": cohort.quiz_set_fingerprint,
        },
        "trainees": [
            {
                "trainee": name,
                **trainee_figures(s),
                "status": status[name],
                "localization": located[name].as_dict() if name in located else None,
            }
            for name, s in summaries.items()
        ],
        "mean_accuracy": mean_accuracy(summaries),
        "most_missed": [s.as_dict() for s in worst],
        "lesions": None if lesions is None else [r.as_dict() for r in lesions],
        **findings,
        "notes": cohort.notes,
        "out": str(out),
    }


def _print_text(args: argparse.Namespace, cohort: Any, summaries: Mapping[str, Summary],
                items: list[Any], worst: list[Any], lesions: list[Any] | None,
                out: Path) -> None:
    print(cohort.banner)
    print(
        f"Quiz set {cohort.quiz_set_title!r}: {len(cohort.results)} trainee(s), {len(items)} case(s)"
    )
    mean_acc = mean_accuracy(summaries)
    if mean_acc is not None:
        print(f"  mean accuracy: {100 * mean_acc:.1f} %")
    for r in cohort.results:
        if r.status.value == "incomplete":
            print(f"  {r.trainee} (incomplete: abandoned before the end)")
    print("  most missed:")
    for s in worst:
        print(
            f"    case {s.case_key:<8} {100 * (s.difficulty or 0):5.1f} % correct of {s.n} "
            f"({s.truth.label})"
        )
    if lesions is not None:
        print("  lesions (fewest found first):")
        for row in sorted(lesions, key=lambda r: r.found_by / max(r.readers, 1))[:args.most_missed]:
            print(f"    {row.text}" + (f" ({row.region})" if row.region else ""))
    _print_files(cohort)
    print(f"Wrote {out}")


def _print_files(cohort: Any) -> None:
    """Several files of one trainee, findings on merged files, files not merged, notes."""
    for d in cohort.duplicates:
        print(f"Several files: {d}")
    if cohort.warnings:
        print(f"{len(cohort.warnings)} file(s) merged with a finding:")
        for w in cohort.warnings:
            print(f"  {w.path}: {w.message}")
    if cohort.problems:
        print(f"{len(cohort.problems)} file(s) not merged:")
        for p in cohort.problems:
            print(f"  {p.path}: {p.message}")
    for note in cohort.notes:
        print(f"note: {note}")
