"""Clinic-style screen captures of the phantom, as a workstation or PACS exports them.

Both whole-body views side by side on a black canvas, as 8-bit grey (or RGB, or JPEG),
display-inverted or not, with burned-in text (a hospital, a patient's name, number and
date above the views, ANTERIOR/POSTERIOR labels, an R or L marker inside each view, beside the knees) and a
spot view at the right. ``Capture.origin`` says where each 256 x 1024 view was pasted,
so a test can compare what is found in the capture with the separate 16-bit views.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.phantom import symmetric_phantom
from bonescan_tutor.datasets.phantom_canvas import HEIGHT, WIDTH

# Where the lesion is planted: the image's left of the anterior view = the patient's right.
LESION = (92.0, 430.0)
TOP = 72  # the text margin above the views
LEFT = 40
GAP = 64  # canvas between the two views
CANVAS_SIZE = (LEFT + WIDTH + GAP + WIDTH + 40 + 160 + 40, TOP + HEIGHT + 36)
PATIENT_TEXT = "DOE^JOHN  ID 0012345  2024-03-05"


@dataclass(frozen=True)
class Capture:
    path: Path
    inverted: bool
    origin: dict[Projection, tuple[int, int]]  # top-left corner of each pasted view


def phantom_views(lesion: bool = True) -> dict[Projection, np.ndarray]:
    """The separate 16-bit anterior and posterior views (the lesion in the anterior)."""
    anterior = symmetric_phantom(seed=3, spot=LESION if lesion else None, spot_gain=2.0)
    posterior = symmetric_phantom(seed=4)[:, ::-1].copy()
    return {Projection.ANTERIOR: anterior, Projection.POSTERIOR: posterior}


def to_display(view: np.ndarray, inverted: bool) -> np.ndarray:
    """8-bit as a screen shows it: the full range, uptake bright or (inverted) dark."""
    v8 = np.rint(view.astype(np.float64) * (255.0 / float(view.max()))).astype(np.uint8)
    return 255 - v8 if inverted else v8


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def make_capture(path: Path, *, inverted: bool, order: str = "AP", rgb: bool = False,
                 lesion: bool = True, spot_view: bool = True, text: bool = True) -> Capture:
    """Write one capture of both phantom views (PNG, or JPEG when ``path`` ends .jpg)."""
    views = phantom_views(lesion)
    canvas = np.zeros((CANVAS_SIZE[1], CANVAS_SIZE[0]), dtype=np.uint8)
    left_first = (Projection.ANTERIOR, Projection.POSTERIOR)
    placed = left_first if order == "AP" else left_first[::-1]
    origin: dict[Projection, tuple[int, int]] = {}
    for i, projection in enumerate(placed):
        x = LEFT + i * (WIDTH + GAP)
        canvas[TOP : TOP + HEIGHT, x : x + WIDTH] = to_display(views[projection], inverted)
        origin[projection] = (x, TOP)
    if spot_view:  # a magnified spot view of the pelvis, right of both views
        x = LEFT + 2 * WIDTH + GAP + 40
        part = to_display(views[Projection.ANTERIOR], inverted)[520:680, 48:208]
        canvas[TOP + 300 : TOP + 460, x : x + 160] = part
    img = Image.fromarray(canvas, "L")
    draw = ImageDraw.Draw(img)
    if not text:
        draw.text = lambda *args, **kwargs: None  # type: ignore[method-assign]
    draw.text((LEFT, 8), "ST ELSEWHERE NUCLEAR MEDICINE", fill=255, font=_font(18))
    draw.text((LEFT, 34), PATIENT_TEXT, fill=255, font=_font(18))
    ink = 0 if inverted else 255
    for projection, (x, y) in origin.items():
        draw.text((x + 80, y - 22), projection.value.upper(), fill=255, font=_font(14))
        draw.text((x + 6, y + 700), "R" if projection is Projection.ANTERIOR else "L",
                  fill=ink, font=_font(22))
    out = img.convert("RGB") if rgb or path.suffix.lower() in (".jpg", ".jpeg") else img
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        out.save(path, quality=95)
    else:
        out.save(path)
    return Capture(path, inverted, origin)


def write_separate_views(folder: Path, stem: str = "sep") -> dict[Projection, Path]:
    """The same phantom as separate 16-bit PNGs."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for projection, view in phantom_views().items():
        p = folder / f"{stem}_{projection.letter}.png"
        Image.fromarray(view).save(p)
        out[projection] = p
    return out


def clinic_manifest(folder: Path) -> dict[str, Capture]:
    """A manifest of four captures: normal and inverted PNG, inverted RGB JPEG, and a
    normal capture laid out posterior-left (``order`` PA); plus the separate 16-bit
    views of the same phantom as case ``sep``."""
    caps = {
        "normal": make_capture(folder / "img" / "normal.png", inverted=False),
        "inverted": make_capture(folder / "img" / "inverted.png", inverted=True),
        "jpeg": make_capture(folder / "img" / "inverted.jpg", inverted=True),
        "pa": make_capture(folder / "img" / "pa.png", inverted=False, order="PA"),
    }
    sep = write_separate_views(folder / "img")
    rows = ["case,image,order,anterior,posterior,diagnosis"]
    for key, cap in caps.items():
        order = "PA" if key == "pa" else ""
        rows.append(f"{key},img/{cap.path.name},{order},,,Bone metastases")
    rows.append(f"sep,,,img/{sep[Projection.ANTERIOR].name},img/{sep[Projection.POSTERIOR].name},"
                "Bone metastases")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return caps
