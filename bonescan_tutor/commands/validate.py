"""``bonescan-tutor validate PATH``: what layout was found, cases per class, every problem."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bonescan_tutor.core.cases import Dataset, Diagnosis
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.validation import Problem, Severity, ValidationReport


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check a dataset folder or zip and list every problem",
        description="Open a dataset as the app would and report the layout, the cases per "
        "class, how many cases are usable in quizzes (complete, agreed cases: every view "
        "the layout promises present and readable) and every problem with its file. "
        "Exit 0 when at least one case is usable in quizzes.",
    )
    p.add_argument("path", help="dataset folder, zip, or case manifest")
    p.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    p.add_argument("--deep", action="store_true",
                   help="also decode every image (slower; finds damaged pixel data, "
                   "display-inverted views and burned-in text beside the body)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.datasets.capture_report import summarize
    from bonescan_tutor.datasets.detect import UnusableDataset, open_dataset

    try:
        dataset, report = open_dataset(args.path)
    except BonescanError as exc:
        problems = list(exc.report) if isinstance(exc, UnusableDataset) else []
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc),
                              "problems": [p.as_dict() for p in problems]}, indent=2))
        else:
            _print_problems(problems)
        print(f"bonescan-tutor validate: {exc}", file=sys.stderr)
        return 1
    left_out = {c.key: c.quiz_exclusion for c in dataset.cases if c.quiz_exclusion}
    if args.deep:
        _decode_every_view(dataset, report, left_out)
    captures = summarize(dataset)
    usable = sum(1 for c in dataset.cases if c.key not in left_out)
    if args.json:
        print(json.dumps(_as_json(args, dataset, report, left_out, usable, captures), indent=2))
    else:
        _print_text(args, dataset, report, left_out, usable, captures)
    if usable == 0:
        print("bonescan-tutor validate: no usable case in this dataset.", file=sys.stderr)
        return 1
    return 0


def _decode_every_view(dataset: Dataset, report: ValidationReport,
                       left_out: dict[str, str]) -> None:
    """``--deep``: decode each view; one that fails is a problem and leaves its case out."""
    from bonescan_tutor.core.validation import ProblemKind
    from bonescan_tutor.datasets.images import load_view

    for case in dataset.cases:
        for view in case.views:
            try:
                load_view(view)
            except BonescanError as exc:
                report.add(view.display_path, ProblemKind.UNREADABLE_IMAGE,
                           str(exc).split(": ", 1)[-1], Severity.ERROR, case.key)
                # A view that cannot be decoded would be "not shown" in a quiz.
                left_out.setdefault(case.key, f"the {view.projection.value} view fails "
                                              "to decode")


def _as_json(args: argparse.Namespace, dataset: Dataset, report: ValidationReport,
             left_out: dict[str, str], usable: int, captures: Any) -> dict[str, Any]:
    counts = dataset.counts()
    return {
        "ok": usable > 0,
        "path": str(args.path),
        "name": dataset.name,
        "layout": dataset.layout.value,
        "synthetic": dataset.synthetic,
        "fingerprint": dataset.fingerprint,
        "cases": len(dataset),
        "quiz_cases": usable,
        "usable_in_quizzes": usable,
        "left_out_of_quizzes": left_out,
        "per_class": {d.label: counts[d] for d in Diagnosis},
        "problems": [p.as_dict() for p in report],
        **captures.as_dict(),
    }


def _print_text(args: argparse.Namespace, dataset: Dataset, report: ValidationReport,
                left_out: dict[str, str], usable: int, captures: Any) -> None:
    counts = dataset.counts()
    print(f"{dataset.name}  [{dataset.layout.value} layout]")
    print(f"  path:        {args.path}")
    if dataset.synthetic:
        print("  SYNTHETIC:   generated demo scans, not for clinical learning")
    print(f"  cases:       {len(dataset)} ({usable} usable in quizzes)")
    for d in Diagnosis:
        print(f"  {d.label + ':':<20} {counts[d]}")
    print(f"  fingerprint: {dataset.fingerprint}")
    if left_out:
        print(f"\nLeft out of quizzes ({len(left_out)}; quizzes use complete, agreed cases):")
        for key, why in left_out.items():
            print(f"  case {key}: {why}")
    lines = captures.lines()
    if lines:
        print("\nClinic captures:")
        for line in lines:
            print(f"  {line}")
    if report:
        _print_problems(list(report))
    else:
        print("\nNo problems found.")


def _print_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    print(f"\n{ValidationReport(problems).counts_text()}")
    for problem in problems:
        print(f"  {problem}")
