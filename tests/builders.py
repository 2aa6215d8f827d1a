"""Tiny IICS-UNA-layout datasets built in tmp_path, with every variant the reader tolerates."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

W, H = 256, 1024
HEADERS = ["PATIENT", "IMAGE ANTERIOR VIEW", "IMAGE POSTERIOR VIEW", "FORMAT",
           "ACQUISITION DATE", "SEX", "AGE", "WEIGHT", "HEIGHT", "DIAGNOSIS CLASSIFICATION"]


def scan_array(seed: int, width: int = W, height: int = H) -> np.ndarray:
    """A small distinctive uint16 image: a bright body column and a patient-specific spot."""
    rng = np.random.default_rng(seed)
    a = np.zeros((height, width), np.uint16)
    a[height // 10: height - height // 20, width // 3: 2 * width // 3] = 3000
    y, x = rng.integers(0, height - 8), rng.integers(0, width - 8)
    a[y:y + 8, x:x + 8] = 65535
    return a


def write_png(path: Path, arr: np.ndarray, mode: str = "I;16") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "I;16":
        Image.fromarray(arr.astype(np.uint16)).save(path)
    elif mode == "L":
        Image.fromarray((arr // 257).astype(np.uint8)).save(path)
    elif mode in ("RGB", "RGBA"):
        g = (arr // 257).astype(np.uint8)
        Image.fromarray(np.dstack([g] * len(mode))).save(path)
    else:
        raise ValueError(mode)


@dataclass
class Spec:
    n_met: int = 2
    n_normal: int = 3
    classes: tuple[str, str] = ("Bone metastases", "No bone metastases")
    views: tuple[str, str] = ("Anterior", "Posterior")
    wrapper: tuple[str, ...] = ()
    mode: str = "I;16"
    header_row: int = 2
    labels: tuple[str, str] = ("Bone metastases", "No bone metastases")
    headers: tuple[str, ...] = tuple(HEADERS)
    dates_as_text: bool = False
    sheet_name: str | None = "Bone Scan Images Dataset.xlsx"
    first_number: int = 1  # patient numbers run from here (distinctive keys for leak tests)


def build(root: Path, spec: Spec | None = None) -> Path:
    """Write the dataset under root (plus wrapper folders); return the dataset folder."""
    from openpyxl import Workbook

    spec = spec or Spec()
    base = root.joinpath(*spec.wrapper)
    n = spec.n_met + spec.n_normal
    wb = Workbook()
    ws = wb.active
    for _ in range(spec.header_row - 1):
        ws.append([None] * len(spec.headers))
    ws.append(list(spec.headers))
    for number in range(spec.first_number, spec.first_number + n):
        met = number < spec.first_number + spec.n_met
        cls = spec.classes[0 if met else 1]
        for letter, view in zip("AP", spec.views, strict=True):
            write_png(base / cls / view / f"{letter}{number}.png", scan_array(number * 2 + (letter == "P")), spec.mode)
        date = dt.date(2021, 1, 1) + dt.timedelta(days=37 * number)
        ws.append([number, f"A{number}", f"P{number}", ".png",
                   date.isoformat() if spec.dates_as_text else date,
                   "Female", 40 + number, 60 + number, 160 + number,
                   spec.labels[0 if met else 1]])
    if spec.sheet_name:
        wb.save(base / spec.sheet_name)
    return base


def zip_tree(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder.parent).as_posix())
    return out
