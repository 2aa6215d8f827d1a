"""Case thumbnails: inverted gray, the requested height, and silence for missing cases."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from bonescan_tutor.core.cases import View
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.thumbnails import THUMB_HEIGHT, case_thumbnails, thumbnail_png
from tests.builders import build


def test_a_thumbnail_is_inverted_gray_at_the_height() -> None:
    pixels = np.zeros((1024, 256), np.uint16)
    pixels[400:480, 64:192] = 60000  # a hot spot: dark on white once inverted
    img = Image.open(io.BytesIO(thumbnail_png(pixels, 64)))
    assert img.size == (16, 64) and img.mode == "L"
    arr = np.asarray(img)
    assert arr[0, 0] > 200 and arr[27, 8] < 60


def test_case_thumbnails_skip_unknown_and_unreadable_cases(tmp_path: Path) -> None:
    dataset, _ = open_dataset(build(tmp_path / "d"))
    calls: list[View] = []

    def load(view: View) -> np.ndarray:
        calls.append(view)
        if view.file_name.startswith("A2"):
            raise ImageError("A2.png: damaged")
        return np.full((1024, 256), 1000, np.uint16)

    thumbs = case_thumbnails(dataset, ["1", "2", "nope"], load=load)
    assert set(thumbs) == {"1"} and len(calls) == 2
    assert Image.open(io.BytesIO(thumbs["1"])).height == THUMB_HEIGHT
