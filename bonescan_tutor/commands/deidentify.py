"""``bonescan-tutor deidentify PATH --out FOLDER``: teaching copies without patient details."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    from bonescan_tutor.datasets.deidentify import OVERLAP_NOTE

    p = sub.add_parser(
        "deidentify",
        help="write de-identified copies of a dataset's images (text around the bodies removed)",
        description="Write a copy of every case's views into a new or empty folder with "
        "everything outside the body silhouettes blacked out (burned-in names, numbers, "
        "dates, markers; also inside each view of a combined capture) and no file metadata, "
        "plus a manifest.csv of case, anterior, posterior, diagnosis. Views are read as the "
        "app reads them: cut from combined captures, uptake bright. " + OVERLAP_NOTE,
    )
    p.add_argument("path", help="dataset folder, zip, or case manifest")
    p.add_argument("--out", required=True, metavar="FOLDER",
                   help="a new or empty folder for the copies")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.datasets.deidentify import OVERLAP_NOTE, write_teaching_copy
    from bonescan_tutor.datasets.detect import open_dataset

    dataset, _report = open_dataset(args.path)
    copy = write_teaching_copy(dataset, args.out)
    print(f"Wrote {len(copy.files)} files for {copy.cases} cases into {copy.folder}.")
    for why in copy.skipped:
        print(f"  left out: {why}")
    print(OVERLAP_NOTE)
    return 0 if copy.cases else 1
