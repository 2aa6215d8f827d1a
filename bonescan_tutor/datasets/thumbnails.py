"""Case thumbnails: a small inverted-gray picture of a case's anterior view, as PNG bytes.

One implementation for the cohort workbook (``bonescan-tutor cohort --dataset``) and
the GUI's cohort view. It lives in ``datasets`` because it reads the images; the
caller may pass its own loader (the GUI passes its image cache's ``get``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from PIL import Image

from bonescan_tutor.core.cases import Dataset, View
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.windowing import apply_window, auto_window
from bonescan_tutor.datasets.images import load_view

THUMB_HEIGHT = 128


def thumbnail_png(pixels: np.ndarray, height: int = THUMB_HEIGHT) -> bytes:
    """PNG bytes of one view: skeleton auto window, inverted gray, ``height`` pixels tall."""
    gray = apply_window(pixels, replace(auto_window(pixels), invert=True))
    img = Image.fromarray(gray)
    width = max(1, round(img.width * height / img.height))
    img = img.resize((width, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def case_thumbnails(
    dataset: Dataset,
    keys: Sequence[str],
    load: Callable[[View], np.ndarray] = load_view,
    height: int = THUMB_HEIGHT,
) -> dict[str, bytes]:
    """Thumbnails of the anterior view of each case in ``keys`` that has one.

    A case the dataset lacks, or whose image cannot be read, simply gets none.
    """
    out: dict[str, bytes] = {}
    for key in keys:
        case = dataset.get(key)
        view = case.anterior if case is not None else None
        if view is None:
            continue
        try:
            pixels = load(view)
        except BonescanError:
            continue
        out[key] = thumbnail_png(pixels, height)
    return out
