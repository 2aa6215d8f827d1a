"""``bonescan-tutor cohort``: merge trainees' results files into one workbook and summary.

Every file that cannot be merged is named with the reason; the rest are merged. With
``--dataset`` the most-missed cases get a small inverted-gray anterior thumbnail in
the workbook.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "cohort",
        help="merge .bstresult files of one quiz set into an xlsx with charts",
        description=(
            "Merge trainees' results files (or folders of them) for one quiz set: per-trainee "
            "figures, item analysis, the most-missed cases. Files that cannot be merged are "
            "listed by name with the reason."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument(
        "--dataset",
        dest="cohort_dataset",
        metavar="PATH",
        help="the dataset, to put thumbnails of the most-missed cases in the workbook",
    )
    p.add_argument("--most-missed", type=int, default=10, metavar="N", help="how many to list")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def thumbnails_for(dataset_path: str, keys: Sequence[str]) -> dict[str, bytes]:
    """PNG thumbnails of these cases' anterior views (``datasets.thumbnails``)."""
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.datasets.thumbnails import case_thumbnails

    dataset, _ = open_dataset(dataset_path)
    return case_thumbnails(dataset, keys)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.storage.cohort import (
        item_analysis,
        load_cohort,
        most_missed,
        trainee_summaries,
    )
    from bonescan_tutor.storage.cohort_workbook import write_cohort_workbook

    cohort = load_cohort([Path(p) for p in args.paths])
    problems = [{"file": str(p.path), "message": p.message} for p in cohort.problems]
    if not cohort.results:
        if args.json:
            print(json.dumps({"ok": False, "problems": problems}, indent=2))
        else:
            print("bonescan-tutor cohort: no results file could be merged.")
            for p in cohort.problems:
                print(f"  {p.path}: {p.message}")
        return 1
    items = item_analysis(cohort)
    worst = most_missed(items, args.most_missed)
    thumbs: Mapping[str, bytes] | None = None
    if args.cohort_dataset:
        thumbs = thumbnails_for(args.cohort_dataset, [s.case_key for s in worst])
    summaries = trainee_summaries(cohort)
    out = write_cohort_workbook(cohort, Path(args.out), thumbs, items=items, summaries=summaries)
    accs = [s.metrics.accuracy.estimate for s in summaries.values()]
    known = [a for a in accs if a is not None]
    mean_acc = sum(known) / len(known) if known else None
    if args.json:
        print(
            json.dumps(
                {
                    "ok": True,
                    "quiz_set": {
                        "id": cohort.quiz_set_id,
                        "title": cohort.quiz_set_title,
                        "fingerprint": cohort.quiz_set_fingerprint,
                    },
                    "trainees": [
                        {
                            "trainee": name,
                            "accuracy": s.metrics.accuracy.estimate,
                            "sensitivity": s.metrics.sensitivity.estimate,
                            "specificity": s.metrics.specificity.estimate,
                        }
                        for name, s in summaries.items()
                    ],
                    "mean_accuracy": mean_acc,
                    "most_missed": [s.as_dict() for s in worst],
                    "problems": problems,
                    "notes": cohort.notes,
                    "out": str(out),
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Quiz set {cohort.quiz_set_title!r}: {len(cohort.results)} trainee(s), {len(items)} case(s)"
    )
    if mean_acc is not None:
        print(f"  mean accuracy: {100 * mean_acc:.1f} %")
    print("  most missed:")
    for s in worst:
        print(
            f"    case {s.case_key:<8} {100 * (s.difficulty or 0):5.1f} % correct of {s.n} "
            f"({s.truth.label})"
        )
    if cohort.problems:
        print(f"{len(cohort.problems)} file(s) not merged:")
        for p in cohort.problems:
            print(f"  {p.path}: {p.message}")
    for note in cohort.notes:
        print(f"note: {note}")
    print(f"Wrote {out}")
    return 0
