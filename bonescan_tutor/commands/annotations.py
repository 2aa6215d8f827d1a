"""``bonescan-tutor annotations check FILE... --dataset PATH``: annotation files against their dataset."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bonescan_tutor.core.errors import BonescanError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "annotations",
        help="check case annotation files (.bstann) against a dataset",
        description="Work with case annotation files (.bstann: expert lesions, benign "
        "look-alikes and teaching points; see resources/formats/bstann.md).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = actions.add_parser(
        "check",
        help="list every problem of FILE (several are merged) on the dataset",
        description="Read FILE as the app would and list every problem on the dataset: an "
        "unknown case, a mark outside its image or on a missing view, lesions on a case "
        "labelled without metastases, a radius of 0 or less. A file made on another version "
        "of the dataset gives a warning. Several files are checked as the app merges them. "
        "Exit 0 when there is no error (warnings allowed), "
        "1 when there is one or the file or the dataset cannot be read.",
    )
    c.add_argument("files", metavar="FILE", nargs="+", help="the .bstann file(s)")
    c.add_argument("--dataset", metavar="PATH", required=True,
                   help="dataset folder, zip, or case manifest the annotations belong to")
    c.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    c.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from bonescan_tutor.core.annotations import AnnotationProblem, check
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage.annotations import read_merged

    try:
        annotations, merge_warnings = read_merged(args.files)
        dataset, _ = open_dataset(args.dataset)
    except BonescanError as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc)}, indent=2))
        else:
            print(f"bonescan-tutor annotations check: {exc}")
        return 1
    problems = [AnnotationProblem("warning", w) for w in merge_warnings]
    problems += check(annotations, dataset)
    errors = [p for p in problems if p.severity == "error"]
    lesions = sum(len(c.lesions) for c in annotations.cases.values())
    findings = sum(len(c.findings) for c in annotations.cases.values())
    if args.json:
        print(json.dumps({
            "ok": not errors,
            "file": str(args.files[0]),
            "files": [str(f) for f in args.files],
            "dataset": str(args.dataset),
            "dataset_fingerprint": dataset.fingerprint,
            "annotations_fingerprint": annotations.dataset_fingerprint,
            "fingerprint_matches": annotations.dataset_fingerprint == dataset.fingerprint,
            "cases": len(annotations.cases),
            "lesions": lesions,
            "findings": findings,
            "problems": [p.as_dict() for p in problems],
        }, indent=2))
    else:
        print(f"{', '.join(args.files)}: {len(annotations.cases)} case(s), {lesions} lesion(s), "
              f"{findings} finding(s) on {dataset.name}")
        if problems:
            print(f"\n{len(problems)} problem(s): {len(errors)} error(s), "
                  f"{len(problems) - len(errors)} warning(s)")
            for problem in problems:
                print(f"  {problem}")
        else:
            print("\nNo problems found.")
    return 1 if errors else 0
