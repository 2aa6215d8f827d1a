"""``make-demo DIR``: write the synthetic demo dataset (IICS-UNA layout) into a folder."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bonescan_tutor.core.errors import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "make-demo",
        help="write a synthetic demo dataset (not for clinical learning)",
        description=(
            "Write synthetic whole-body bone scans in the IICS-UNA layout (class and "
            "view folders, the spreadsheet, a SYNTHETIC_DEMO.txt marker), with "
            "annotations.bstann: where the generator planted each metastasis and each benign "
            "look-alike, for localization scoring. The same seed "
            "and patient count always give the same files. DIR must be new, empty, or "
            "an earlier demo holding only the files it wrote, which is replaced; a file "
            "you added anywhere in it is named and the run refused, never deleted."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="folder to write the demo into")
    parser.add_argument("--patients", type=int, default=24, metavar="N",
                        help="number of patients, 2 to 1000 (default: 24)")
    parser.add_argument("--seed", type=int, default=2024, metavar="S",
                        help="random seed, 0 or more (default: 2024)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.core.annotations import BESIDE_NAME
    from bonescan_tutor.datasets.demo import (
        CLASS_FOLDERS,
        MARKER_NAME,
        MAX_PATIENTS,
        MIN_PATIENTS,
        SHEET_NAME,
        metastatic_count,
        write_demo,
    )

    patients: int = args.patients
    if patients < MIN_PATIENTS:
        raise UsageError(f"--patients must be at least {MIN_PATIENTS} (got {patients}).")
    if patients > MAX_PATIENTS:
        raise UsageError(f"--patients must be at most {MAX_PATIENTS} (got {patients}); the "
                         "real dataset has 291.")
    step = max(1, round(patients / 10))
    shown = {"last": 0}

    def progress(done: int, total: int) -> None:
        # one line per ~10 % on large demos; small ones finish too fast to need it
        if total >= 50 and (done % step == 0 or done == total) and done != shown["last"]:
            shown["last"] = done
            print(f"  {done}/{total} patients ({100 * done // total} %)", flush=True)

    print(f"Writing a synthetic demo of {patients} patients (seed {args.seed}) to {args.dir} ...",
          flush=True)
    with _stop_cleanly_on_sigterm():
        dest = write_demo(args.dir, patients=patients, seed=args.seed, progress=progress)
    m = metastatic_count(patients)
    print(f"Wrote {dest}:")
    print(f"  {CLASS_FOLDERS[True]}/Anterior, Posterior: {m} patients (numbers 1-{m})")
    print(f"  {CLASS_FOLDERS[False]}/Anterior, Posterior: {patients - m} patients "
          f"(numbers {m + 1}-{patients})")
    print(f"  {SHEET_NAME}, {MARKER_NAME}, {BESIDE_NAME} (the planted lesions)")
    print("These scans are synthetic and not for clinical learning.")
    return 0


@contextmanager
def _stop_cleanly_on_sigterm() -> Iterator[None]:
    """While the demo is written, a terminated run (kill, a closed terminal) unwinds like
    Ctrl+C, so its partial folder is removed instead of left behind."""
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
