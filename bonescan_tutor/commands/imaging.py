"""What ``render`` and ``analyze`` share: finding a case and loading its views."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from bonescan_tutor.core.cases import Case, Dataset, Projection, natural_key
from bonescan_tutor.core.errors import UsageError

VIEWS = {
    "both": (Projection.ANTERIOR, Projection.POSTERIOR),
    "anterior": (Projection.ANTERIOR,),
    "posterior": (Projection.POSTERIOR,),
}


def add_case_arguments(p: Any) -> None:
    p.add_argument("path", help="dataset folder, zip, or case manifest")
    p.add_argument("--case", required=True, metavar="KEY",
                   help="the case key (IICS-UNA: the patient number)")
    p.add_argument("--view", choices=tuple(VIEWS), default="both", help="which views (default both)")


def find_case(dataset: Dataset, key: str, path: str) -> Case:
    case = dataset.get(key)
    if case is None:
        keys = sorted(dataset.keys, key=natural_key)
        shown = ", ".join(keys[:8]) + (f" … {keys[-1]}" if len(keys) > 8 else "")
        raise UsageError(
            f"no case {key!r} in {path}. Its {len(keys)} case keys are: {shown}. "
            f"`bonescan-tutor validate {path}` summarises the dataset.")
    return case


def load_views(args: argparse.Namespace) -> tuple[Dataset, Case, dict[Projection, np.ndarray]]:
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.datasets.images import load_view

    dataset, _report = open_dataset(args.path)
    case = find_case(dataset, args.case, args.path)
    views = {}
    for projection in VIEWS[args.view]:
        ref = case.view(projection)
        if ref is not None:
            views[projection] = load_view(ref)
    if not views:
        raise UsageError(f"case {args.case} has no {args.view} view to show.")
    return dataset, case, views
