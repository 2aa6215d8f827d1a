"""The synthetic demo dataset, written exactly in the IICS-UNA layout.

``write_demo`` renders phantom patients (see ``datasets.phantom``) into the class
and projection folders of the real dataset, with its spreadsheet and numbering
(metastatic patients first, at the real 60/291 prevalence), plus a
``SYNTHETIC_DEMO.txt`` marker by which readers flag the data as synthetic, and
``annotations.bstann``, the generator's own truth (``datasets.phantom_truth``). The same
seed and patient count give byte-identical files, so the shipped demo can be checked
against a fresh generation.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bonescan_tutor.core.annotations import BESIDE_NAME
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.datasets.phantom import (
    Lesion,
    PhantomPatient,
    generate_patient,
    symmetric_phantom,
)
from bonescan_tutor.datasets.phantom_truth import write_phantom_annotations

__all__ = [
    "MARKER_NAME",
    "MAX_PATIENTS",
    "SHEET_NAME",
    "DemoPlan",
    "Lesion",
    "PhantomPatient",
    "demo_plan",
    "generate_patient",
    "metastatic_count",
    "symmetric_phantom",
    "write_demo",
]

MARKER_NAME = "SYNTHETIC_DEMO.txt"
SHEET_NAME = "Bone Scan Images Dataset.xlsx"
CLASS_FOLDERS = {True: "Bone metastases", False: "No bone metastases"}
VIEW_FOLDERS = ("Anterior", "Posterior")
HEADERS = (
    "PATIENT", "IMAGE ANTERIOR VIEW", "IMAGE POSTERIOR VIEW", "FORMAT", "ACQUISITION DATE",
    "SEX", "AGE", "WEIGHT", "HEIGHT", "DIAGNOSIS CLASSIFICATION",
)
# Every timestamp inside the xlsx is pinned to this, so the file is reproducible.
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
MIN_PATIENTS = 2
# Over three times the real dataset's 291 patients; a demo is for trying the app out.
MAX_PATIENTS = 1000
PARTIAL = ".partial-"

MARKER_TEXT = """\
SYNTHETIC DEMO DATA - NOT REAL PATIENTS - NOT FOR CLINICAL LEARNING

Every scan in this folder is synthetic: drawn by bonescan-tutor (make-demo) from
simple shapes and random numbers, seed {seed}, {patients} patients. The images only
imitate the layout and look of a whole-body bone scan so the app can be tried out.
They do not show real anatomy or real disease; do not learn to read bone scans
from them.

The real dataset this layout copies:
  "Bone scan images dataset for study of bone metastases in adult breast cancer
  patients at IICS-UNA, Paraguay", Zenodo record 13900966,
  https://doi.org/10.5281/zenodo.13900966 (licence CC-BY-4.0).
Download it and open it in bonescan-tutor with --dataset PATH.
"""


@dataclass(frozen=True)
class DemoPlan:
    """Who is who in a demo of ``patients`` patients: numbers, classes, the superscan."""

    number: int
    metastatic: bool
    superscan: bool


def metastatic_count(patients: int) -> int:
    """Metastatic patients in a demo of this size: the real 60 of 291, at least one."""
    return max(1, round(patients * 60 / 291))


def demo_plan(patients: int, seed: int) -> tuple[DemoPlan, ...]:
    """Patients 1..M are metastatic, the rest not; one metastatic patient is a superscan
    whenever there are 5 patients or more."""
    m = metastatic_count(patients)
    superscan = -1
    if patients >= 5:
        superscan = 1 + int(np.random.default_rng([seed, 0x5CA9]).integers(m))
    return tuple(DemoPlan(n, n <= m, n == superscan) for n in range(1, patients + 1))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(image: NDArray[np.uint16]) -> bytes:
    """A 16-bit grayscale PNG (Pillow opens it as mode ``I;16``).

    Written by hand rather than through Pillow only to choose the row filter: Pillow's
    adaptive filters make these noisy 16-bit scans ~35 % bigger than no filter does,
    and the demo ships inside the app.
    """
    height, width = image.shape
    rows = np.ascontiguousarray(image, dtype=">u2").view(np.uint8).reshape(height, width * 2)
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw, 6)) + _png_chunk(b"IEND", b""))


def _sheet_bytes(patients: list[PhantomPatient]) -> bytes:
    """The spreadsheet as the paper shows it: empty first row, upper-case header on row 2."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "Sheet1"
    ws.append([])
    ws.append(list(HEADERS))
    for p in patients:
        c = p.clinical
        ws.append([
            p.number, f"A{p.number}", f"P{p.number}", ".png", c.acquisition_date, c.sex,
            c.age, c.weight_kg, c.height_cm,
            (Diagnosis.METASTASES if p.metastatic else Diagnosis.NO_METASTASES).label,
        ])
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    wb.properties.creator = "bonescan-tutor"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _pin_zip_times(buf.getvalue())


def _pin_zip_times(data: bytes) -> bytes:
    """Rewrite an xlsx so it holds no wall-clock time: openpyxl stamps 'modified' on save
    and the zip entries carry the current time."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{stamp}\g<3>", text)
                body = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, body)
    return out.getvalue()


_MARKER_COUNT = re.compile(r"seed (\d+), (\d+) patients")


def demo_files(patients: int) -> set[str]:
    """Every file a demo of ``patients`` patients holds, as relative POSIX paths."""
    names = {MARKER_NAME, SHEET_NAME, BESIDE_NAME}
    m = metastatic_count(patients)
    for number in range(1, patients + 1):
        folder = CLASS_FOLDERS[number <= m]
        for view, letter in zip(VIEW_FOLDERS, "AP", strict=True):
            names.add(f"{folder}/{view}/{letter}{number}.png")
    return names


def demo_folders() -> set[str]:
    return {*CLASS_FOLDERS.values(), *(f"{c}/{v}" for c in CLASS_FOLDERS.values()
                                        for v in VIEW_FOLDERS)}


def _foreign_entries(folder: Path, patients: int | None) -> list[str]:
    """What under ``folder`` a demo of ``patients`` patients did not write (relative paths);
    with ``patients`` None (a partial run) any demo image name counts as the demo's."""
    ours = demo_files(patients) if patients is not None else None
    folders = demo_folders()
    image = re.compile(r"(Bone metastases|No bone metastases)/(Anterior|Posterior)/[AP]\d+\.png")
    foreign: list[str] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() and not path.is_symlink():
            if rel not in folders:
                foreign.append(rel + "/")
            continue
        if ours is not None:
            known = rel in ours
        else:
            known = rel in (MARKER_NAME, SHEET_NAME, BESIDE_NAME) or bool(image.fullmatch(rel))
        if not known or path.is_symlink():
            foreign.append(rel)
    return foreign


def _earlier_demo_size(dest: Path) -> int | None:
    """The patient count an earlier demo's marker states, or None when it states none."""
    try:
        text = (dest / MARKER_NAME).read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    m = _MARKER_COUNT.search(text)
    return int(m.group(2)) if m and int(m.group(2)) <= MAX_PATIENTS else None


def _check_destination(dest: Path) -> None:
    """Refuse anything but a missing folder, an empty one, or an earlier demo holding
    exactly the files that demo wrote (a file added anywhere in it is named and kept)."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest}: is a file, not a folder. Choose a new folder for the demo.")
    if not dest.is_dir():
        return
    if not any(dest.iterdir()):
        return
    patients = _earlier_demo_size(dest)
    if patients is None:
        raise UsageError(
            f"{dest}: the folder is not empty and is not a bonescan-tutor demo "
            f"(no {MARKER_NAME} stating its patients). Choose an empty or new folder; "
            "the demo never writes over other files."
        )
    foreign = _foreign_entries(dest, patients)
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise UsageError(
            f"{dest}: the folder is not empty: it is an earlier demo, but it also holds "
            f"{', '.join(repr(f) for f in foreign[:3])}{more}, which the demo did not write. "
            "Move those away or choose an empty or new folder; the demo never deletes "
            "files it did not write."
        )


def _clear_stale_partials(dest: Path) -> None:
    """Remove ``.<name>.partial-*`` folders a killed run left beside ``dest`` when they
    hold nothing but demo files (anything else is left alone)."""
    try:
        stale = [p for p in dest.parent.glob(f".{dest.name}{PARTIAL}*")
                 if p.is_dir() and not p.is_symlink()]
    except OSError:
        return
    for folder in stale:
        if not _foreign_entries(folder, None):
            shutil.rmtree(folder, ignore_errors=True)


def write_demo(
    dest: Path | str,
    patients: int = 24,
    seed: int = 2024,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write a synthetic demo of ``patients`` patients into ``dest`` (IICS-UNA layout).

    ``dest`` must be missing, empty, or an earlier demo holding only the files it wrote
    (which is replaced; a file added to it makes this a ``UsageError`` naming it).
    ``patients`` runs from ``MIN_PATIENTS`` to ``MAX_PATIENTS``. Files are written into a
    temporary sibling folder that is renamed into place at the end and removed on any
    failure, so an interrupted run leaves no half dataset under ``dest``; a partial folder
    left by a killed run is removed by the next run. ``progress(done, total)``
    is called after each patient. Returns ``dest``.
    """
    dest = Path(dest).resolve()  # "." or "x/.." need a real name and parent
    if patients < MIN_PATIENTS:
        raise UsageError(f"A demo needs at least {MIN_PATIENTS} patients (got {patients}).")
    if patients > MAX_PATIENTS:
        raise UsageError(
            f"A demo holds at most {MAX_PATIENTS} patients (got {patients}); the real "
            "dataset has 291."
        )
    if seed < 0:
        raise UsageError(f"The seed must be zero or positive (got {seed}).")
    _check_destination(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _clear_stale_partials(dest)
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}{PARTIAL}", dir=dest.parent))
    except OSError as exc:
        raise UsageError(
            f"{dest.parent}: cannot write the demo there ({exc.strerror or exc}). "
            "Choose a folder you can write to."
        ) from exc
    try:
        made: list[PhantomPatient] = []
        for plan in demo_plan(patients, seed):
            p = generate_patient(plan.number, plan.metastatic, seed, superscan=plan.superscan)
            folder = work / CLASS_FOLDERS[p.metastatic]
            views = zip(VIEW_FOLDERS, (p.anterior, p.posterior), "AP", strict=True)
            for view, image, letter in views:
                (folder / view).mkdir(parents=True, exist_ok=True)
                (folder / view / f"{letter}{p.number}.png").write_bytes(png_bytes(image))
            made.append(p)
            if progress is not None:
                progress(len(made), patients)
        for metastatic in (True, False):  # both class folders, even if one is empty
            for view in VIEW_FOLDERS:
                (work / CLASS_FOLDERS[metastatic] / view).mkdir(parents=True, exist_ok=True)
        (work / SHEET_NAME).write_bytes(_sheet_bytes(made))
        (work / MARKER_NAME).write_text(MARKER_TEXT.format(seed=seed, patients=patients),
                                        encoding="utf-8", newline="\n")
        write_phantom_annotations(work, made)  # the generator's truth: annotations.bstann
        _swap_in(work, dest)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise UsageError(
            f"{dest}: the demo could not be written ({exc.strerror or exc}); nothing was "
            "left behind. Free some space or choose another folder."
        ) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


def _swap_in(work: Path, dest: Path) -> None:
    """Move the finished folder to ``dest``, replacing an empty folder or an old demo."""
    old: Path | None = None
    if dest.exists():
        _check_destination(dest)  # nothing else appeared while we were writing
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        dest.rename(old)
    try:
        work.rename(dest)
    except OSError:
        if old is not None:
            old.rename(dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
