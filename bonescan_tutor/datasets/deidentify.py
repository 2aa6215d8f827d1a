"""De-identified teaching copies of a dataset's images.

A clinic capture carries burned-in text (the hospital, the patient's name, number and
study date) around the bodies. A teaching copy keeps each view's body silhouette (a few
pixels wider, so the outline is not clipped) and blacks out everything else, inside
each view's crop as well as around it; it is written from the pixels alone, so no
metadata of the original file survives. Text lying on the body itself cannot be told
from uptake and stays: ``OVERLAP_NOTE`` says so wherever copies are made.

Copies are 16-bit grey PNGs, uptake bright, one per view, with a ``manifest.csv``
listing case, anterior, posterior, diagnosis. They go into a new or empty folder, each
file written whole (a temporary file renamed into place) with the user's umask.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bonescan_tutor.core.body import as_float_image, find_body, label_components, max_filter
from bonescan_tutor.core.cases import Dataset, View
from bonescan_tutor.core.errors import ImageError, UsageError
from bonescan_tutor.datasets.images import view_pixels

# The silhouette is widened by this many pixels before the rest is blacked out.
MARGIN_PX = 4
OVERLAP_NOTE = ("Text or markers lying on the body itself cannot be removed this way: check "
                "each copy before you share it.")
MANIFEST = "manifest.csv"


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """``mask`` with the background regions it encloses (not reaching the edge) filled."""
    labels, _n = label_components(~mask)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    out: np.ndarray = mask | ~np.isin(labels, edge)
    return out


def silhouette(image: np.ndarray, margin: int = MARGIN_PX) -> np.ndarray:
    """The body silhouette of a view at its full size (holes filled), ``margin`` pixels wider; all
    False when no body is found (then nothing of the view is kept)."""
    img = np.asarray(image)
    body = find_body(as_float_image(img)).body
    if body is None:
        return np.zeros(img.shape, dtype=bool)
    full = np.zeros(img.shape, dtype=bool)
    grid = np.repeat(np.repeat(_fill_holes(body.mask), 2, axis=0), 2, axis=1)
    full[: grid.shape[0], : grid.shape[1]] = grid
    return max_filter(full, margin)  # the mask dilated by the margin


@dataclass(frozen=True)
class Deidentified:
    """One view before (as read, uptake bright) and after de-identification."""

    view: View
    before: np.ndarray
    after: np.ndarray
    removed: int  # pixels outside the silhouette that held something, now black


def deidentify_image(image: np.ndarray) -> tuple[np.ndarray, int]:
    """The image with everything outside the body silhouette set to 0, and how many
    non-zero pixels that blacked out."""
    keep = silhouette(image)
    out = np.where(keep, image, 0).astype(image.dtype, copy=False)
    return out, int(np.count_nonzero(np.asarray(image)[~keep]))


def deidentify_view(view: View) -> Deidentified:
    """Read a view (cut from its capture, uptake bright) and black out all but the body."""
    before, _note = view_pixels(view)
    after, removed = deidentify_image(before)
    return Deidentified(view, before, after, removed)


def png_bytes(image: np.ndarray) -> bytes:
    """A 16-bit grey PNG of the pixels alone (no text chunks, no metadata)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint16)).save(buf, format="PNG")
    return buf.getvalue()


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` (created with the user's umask)
    and rename it into place; on failure nothing is left behind."""
    tmp = path.with_name(f".{path.name}.partial-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class TeachingCopy:
    folder: Path
    files: tuple[Path, ...]
    cases: int
    skipped: tuple[str, ...]  # "case: why" for views that could not be read


def write_teaching_copy(
    dataset: Dataset,
    dest: Path | str,
    progress: Callable[[int, int], None] | None = None,
) -> TeachingCopy:
    """Write de-identified copies of every case's views and a manifest into ``dest``
    (a missing or empty folder: files already there are never overwritten)."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"{dest}: not an empty folder. Choose a new or empty folder for the "
                         "teaching copies; nothing already there is overwritten.")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{dest}: cannot create the folder ({exc.strerror or exc}).") from exc
    files: list[Path] = []
    skipped: list[str] = []
    rows: list[list[str]] = []
    total = len(dataset.cases)
    try:
        for done, case in enumerate(dataset.cases, start=1):
            names: dict[str, str] = {}
            for view in case.views:
                try:
                    result = deidentify_view(view)
                except ImageError as exc:
                    skipped.append(f"{case.key}: {exc}")
                    continue
                name = f"{case.key}_{view.projection.value}.png"
                write_whole(dest / name, png_bytes(result.after))
                files.append(dest / name)
                names[view.projection.value] = name
            if names:
                rows.append([case.key, names.get("anterior", ""), names.get("posterior", ""),
                             case.diagnosis.label])
            if progress is not None:
                progress(done, total)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["case", "anterior", "posterior", "diagnosis"])
        writer.writerows(rows)
        write_whole(dest / MANIFEST, text.getvalue().encode("utf-8"))
        files.append(dest / MANIFEST)
    except OSError as exc:
        raise UsageError(f"{dest}: the teaching copies could not be written "
                         f"({exc.strerror or exc}).") from exc
    return TeachingCopy(dest, tuple(files), len(rows), tuple(skipped))
