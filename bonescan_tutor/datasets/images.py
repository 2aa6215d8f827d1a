"""The one image decoder: PNG (or JPEG) to a row-major uint16 numpy array.

Accepts 16-bit (``I;16``, ``I``), 8-bit (``L``), and colour (``RGB``/``RGBA``,
converted to luminance). Headers are read without decoding pixels, so indexing a
dataset stays cheap; pixels are decoded only when a view is shown.

``load_view`` reads every view uptake-bright: a view cut from a clinic capture is cut
out first (its crop box, or the automatic split of a combined capture), then a
display-inverted view (uptake dark on a white background) is turned over. What was
done is kept per view (``decode_note``) for the reports.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, UnidentifiedImageError

from bonescan_tutor.core.body import as_float_image, find_body
from bonescan_tutor.core.cases import View
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.datasets import captures
from bonescan_tutor.files import zips

# Every layout's whole-body view is 256 x 1024 (0.26 Mpixel); the largest image the app
# shows is four times that on each side (1024 x 4096, 4 Mpixel, about 0.1 s and 60 MB to
# render). Anything larger is no scan and may be a decompression bomb: refused from its
# header, before a single pixel is decoded.
LAYOUT_SIZE = (256, 1024)
MAX_SCALE = 4
MAX_PIXELS = LAYOUT_SIZE[0] * LAYOUT_SIZE[1] * MAX_SCALE * MAX_SCALE
# The largest image file read into memory: a 16-bit RGBA PNG at MAX_PIXELS is below it.
MAX_IMAGE_BYTES = 64 * 1024 * 1024
# Enough bytes to hold a PNG's or JPEG's header chunks.
HEADER_BYTES = 64 * 1024
PNG_TAIL = b"\x00\x00\x00\x00IEND\xaeB`\x82"

COLOUR_MODES = frozenset({"RGB", "RGBA", "P", "PA", "CMYK", "YCbCr", "LA"})


@dataclass(frozen=True)
class ImageHeader:
    width: int
    height: int
    mode: str
    format: str | None

    @property
    def is_colour(self) -> bool:
        return self.mode in COLOUR_MODES

    @property
    def bit_depth(self) -> int:
        return 16 if self.mode.startswith("I") or self.mode == "F" else 8


Source = str | os.PathLike[str] | bytes


def _name(source: Source) -> str:
    return "<memory>" if isinstance(source, bytes) else str(source)


@contextmanager
def _opened(source: Source, name: str, head_only: bool) -> Iterator[Image.Image]:
    """Open with Pillow, turning every failure into an ``ImageError`` naming the file."""
    empty = f"{name}: the file is empty (0 bytes). Replace it with the original image."
    try:
        with ExitStack() as stack:
            if isinstance(source, bytes):
                if not source:
                    raise ImageError(empty)
                fp: IO[bytes] = io.BytesIO(source)
            else:
                try:
                    fp = stack.enter_context(open(source, "rb"))
                except (FileNotFoundError, IsADirectoryError):
                    raise ImageError(f"{name}: the file does not exist.") from None
                if os.fstat(fp.fileno()).st_size == 0:
                    raise ImageError(empty)
                if head_only:
                    fp = io.BytesIO(fp.read(HEADER_BYTES))
            # Given a path, Pillow loads only the decoder the file's extension names; given
            # a file object, its five common decoders first (some 10 ms at the first image).
            opened: IO[bytes] | str = fp if isinstance(source, bytes) or head_only \
                else os.fspath(source)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(opened) as img:
                    _refuse_bomb(img.width, img.height, name)
                    yield img
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"{name}: the image declares an enormous size and was refused as a possible "
            f"decompression bomb ({exc}). Replace it with the original scan."
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"{name}: not an image Pillow can read. Replace it with the original PNG.") from exc
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc}). The file may be damaged or truncated.") from exc
    except ImageError:
        raise
    except (SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError,
            ZeroDivisionError) as exc:
        # Pillow's decoders raise these on malformed chunks (a damaged file, not a bug here).
        raise ImageError(
            f"{name}: the image is damaged ({type(exc).__name__}: {exc}). Replace it with the "
            "original scan."
        ) from exc


def _refuse_bomb(width: int, height: int, name: str) -> None:
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"{name}: the image declares {width} x {height} pixels ({width * height / 1e6:.0f} "
            f"Mpixel); a whole-body scan is {LAYOUT_SIZE[0]} x {LAYOUT_SIZE[1]} and this app "
            f"shows at most {MAX_PIXELS / 1e6:.1f} Mpixel. Refused unread (it may be a "
            "decompression bomb); replace it with the original scan, or scale it down."
        )


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour type and bit depth -> the mode Pillow opens it in.
_PNG_MODES = {(0, 16): "I;16", (0, 8): "L", (0, 1): "1", (2, 8): "RGB", (2, 16): "RGB",
              (3, 8): "P", (4, 8): "LA", (6, 8): "RGBA", (6, 16): "RGBA"}


def parse_png_header(head: bytes, name: str) -> ImageHeader | None:
    """Size and mode from a PNG's IHDR chunk (the first 33 bytes); None if not a PNG."""
    if not head.startswith(PNG_SIGNATURE):
        return None
    if len(head) < 33 or head[12:16] != b"IHDR":
        raise ImageError(f"{name}: the PNG header is incomplete; the file is damaged or truncated.")
    width, height, depth, colour = struct.unpack(">IIBB", head[16:26])
    if width == 0 or height == 0:
        raise ImageError(f"{name}: the PNG declares a size of {width} x {height} pixels.")
    _refuse_bomb(width, height, name)
    mode = _PNG_MODES.get((colour, depth), "L" if colour == 0 else "RGB")
    return ImageHeader(width, height, mode, "PNG")


def read_header(source: Source, name: str | None = None) -> ImageHeader:
    """Size and mode from the header only; raises ``ImageError`` with the file named.

    PNGs are read from their first 33 bytes; other formats through Pillow's lazy open.
    """
    name = name or _name(source)
    if isinstance(source, bytes):
        head = source[:33]
    else:
        try:
            with open(source, "rb") as f:
                head = f.read(33)
        except OSError as exc:
            raise ImageError(f"{name}: could not be read ({exc}).") from exc
    if not head:
        raise ImageError(f"{name}: the file is empty (0 bytes). Replace it with the original image.")
    header = parse_png_header(head, name)
    if header is not None:
        return header
    with _opened(source, name, head_only=True) as img:
        return ImageHeader(img.width, img.height, img.mode, img.format)


def to_uint16(img: Image.Image) -> np.ndarray:
    """Pixels of any supported mode as a (height, width) uint16 array."""
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        arr = np.asarray(img).astype(np.uint16, copy=False)
    elif mode == "L":
        arr = np.asarray(img, dtype=np.uint8).astype(np.uint16)
    elif mode in ("I", "F"):
        raw = np.asarray(img)
        a = np.nan_to_num(raw.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        a = np.clip(a, 0, None)
        top = float(a.max()) if a.size else 0.0
        if top > 65535:
            a = a * (65535.0 / top)
        arr = np.rint(a).astype(np.uint16)
    elif mode == "1":
        arr = np.asarray(img.convert("L"), dtype=np.uint8).astype(np.uint16)
    else:
        # Colour: ITU-R BT.601 luminance, the weights Pillow's own "L" conversion uses.
        rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
        lum = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        arr = np.rint(lum).astype(np.uint16)
    return np.ascontiguousarray(arr)


def decode_image(source: Source, name: str | None = None) -> np.ndarray:
    """Decode a whole image to uint16; raises ``ImageError`` naming the file and the fix."""
    name = name or _name(source)
    with _opened(source, name, head_only=False) as img:
        try:
            img.load()
        except OSError as exc:
            raise ImageError(
                f"{name}: the image data is incomplete ({exc}); the file was probably cut "
                "short while copying. Copy it again from the original dataset."
            ) from exc
        return to_uint16(img)


def read_view_bytes(view: View) -> bytes:
    """The raw file bytes behind a view, from a folder or a zip, at most ``MAX_IMAGE_BYTES``
    (a zip member is streamed and cut off there, whatever it declares)."""
    name = view.display_path
    try:
        if view.archive:
            with zips.open_zip(Path(view.archive), error=ImageError) as zf:
                return zips.read_member(zf, view.path, name, max_bytes=MAX_IMAGE_BYTES,
                                        error=ImageError)
        with open(view.path, "rb") as fh:
            data = fh.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc}).") from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"{name}: larger than {MAX_IMAGE_BYTES // 1_000_000} MB, far more than "
                         "any whole-body scan; refused. Replace it with the original scan.")
    return data


def decode_file(view: View) -> np.ndarray:
    """Decode the whole file behind a view, as it is (no crop, no polarity change)."""
    if view.archive:
        return decode_image(read_view_bytes(view), view.display_path)
    return decode_image(view.path, view.display_path)


# Separate marks beside a body (in analysis bins) from which on a view "may show
# patient details": a letter of burned-in text is larger than this, a noise speck smaller.
MARK_BINS = 6


@dataclass(frozen=True)
class DecodeNote:
    """What reading a view did: the box cut from its file, whether it was turned over
    from display-inverted, and what was left out around the body."""

    view: View
    box: tuple[int, int, int, int] | None
    inverted: bool
    dropped: int  # regions of a combined capture outside both views (spot views, text)
    marks: int  # analysis bins of marks inside the view but outside the body

    @property
    def may_show_patient_details(self) -> bool:
        """Burned-in text or marks above or beside the body (a name, a number, a date)."""
        return self.dropped > 0 or self.marks >= MARK_BINS


_notes: dict[tuple[str, str], DecodeNote] = {}
_notes_lock = threading.Lock()


def _note_key(view: View) -> tuple[str, str]:
    return (view.display_path, view.projection.value)


def decode_note(view: View) -> DecodeNote | None:
    """What the last decoding of this view did, or None when it was not decoded yet."""
    with _notes_lock:
        return _notes.get(_note_key(view))


def view_pixels(view: View) -> tuple[np.ndarray, DecodeNote]:
    """Decode one view uptake-bright (cut from its file when it is a part of one), with
    a note of what was done."""
    image = decode_file(view)
    box = None
    dropped = 0
    if view.combined is not None:
        split = captures.split_capture(image, view.combined, view.display_path)
        box, dropped = split.box(view.projection), len(split.dropped)
    elif view.crop is not None:
        box = view.crop
    if box is not None:
        image = captures.crop(image, box, view.display_path)
    image, inverted = captures.uptake_bright(image)
    marks = 0
    standard = (view.width, view.height) == LAYOUT_SIZE or (view.mode or "I").startswith("I")
    if box is not None or inverted or not standard:
        # A display capture (cut out, inverted, or an 8-bit or colour image of another size
        # than a dataset's whole-body view) may carry burned-in text: look for marks.
        search = find_body(as_float_image(image))
        marks = search.body.marks if search.body is not None else 0
    note = DecodeNote(view, box, inverted, dropped, marks)
    with _notes_lock:
        _notes[_note_key(view)] = note
    return image, note


def load_view(view: View) -> np.ndarray:
    """Decode one view's pixels (uint16, row-major), uptake bright."""
    return view_pixels(view)[0]


NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class ShownView:
    """A view as a quiz shows it: its pixels, or ``NOT_SHOWN`` with the reason.

    ``reason`` never names the file (a file name or folder can give a hidden label away);
    the full message with the file, for logs outside a quiz, is ``detail``.
    """

    view: View
    pixels: np.ndarray | None
    reason: str | None = None
    detail: str | None = None

    @property
    def shown(self) -> bool:
        return self.pixels is not None

    @property
    def status(self) -> str:
        return "shown" if self.shown else NOT_SHOWN


def load_view_for_quiz(view: View) -> ShownView:
    """Decode a view for a quiz; an image that fails to decode comes back not shown (to
    be recorded as such and not scored) instead of raising."""
    try:
        return ShownView(view, load_view(view))
    except ImageError as exc:
        return not_shown(view, exc)


def not_shown(view: View, exc: ImageError) -> ShownView:
    """The ``ShownView`` of a view whose decoding failed with ``exc``."""
    detail = str(exc)
    prefix = f"{view.display_path}: "
    reason = detail[len(prefix):] if detail.startswith(prefix) else "the image cannot be read"
    return ShownView(view, None, reason, detail)
