"""Property tests: whatever bytes a user (or a server) feeds a parser, the outcome is a
loaded dataset or file, or a ``BonescanError`` with a message, never another exception.

Covers every reader of the datasets side: PNG headers and decoding, CSV and xlsx tables,
case manifests, BS-80K label lists, zips (opened directly and unpacked) and the Zenodo
records-API answer. Inputs are random bytes and small mutations of valid files, which
reach deeper into each parser than random bytes alone.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets import archives, bs80k, fetch, manifest
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.images import decode_image, read_header
from bonescan_tutor.files import tables
from tests.fake_zenodo import make_zip

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _png(size: tuple[int, int] = (8, 32)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.arange(size[0] * size[1], dtype=np.uint16).reshape(size[1], size[0])
                    ).save(buf, format="PNG")
    return buf.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["PATIENT", "AGE", "DIAGNOSIS CLASSIFICATION"])
    ws.append([1, 53, "Bone metastases"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PNG = _png()
XLSX = _xlsx()
DATASET_ZIP = make_zip({
    "d/Bone metastases/Anterior/A1.png": PNG,
    "d/Bone metastases/Posterior/P1.png": PNG,
    "d/No bone metastases/Anterior/A2.png": PNG,
})
CSV = (b"case,anterior,posterior,diagnosis,age,weight,note\n"
       b'1,a.png,p.png,Bone metastases,53,70,"say ""hi"", then"\n'
       b"2,a.png,,normal,nan,1e400,\n")


def mutated(valid: bytes) -> st.SearchStrategy[bytes]:
    """``valid`` with a few bytes overwritten, cut short, or extended: near misses."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        cut = draw(st.integers(0, len(data)))
        tail = draw(st.binary(max_size=16))
        return bytes(data[:cut]) + tail if draw(st.booleans()) else bytes(data) + tail

    return build()


def either(valid: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=400), mutated(valid))


def only_bonescan_errors(fn: Callable[[], object]) -> object:
    try:
        return fn()
    except BonescanError as exc:
        assert str(exc).strip(), "an error without a message"
        return exc


@FAST
@given(either(PNG))
def test_png_headers_and_pixels(data: bytes) -> None:
    only_bonescan_errors(lambda: read_header(data, "x.png"))
    only_bonescan_errors(lambda: decode_image(data, "x.png"))


@FAST
@given(st.one_of(st.binary(max_size=400), mutated(CSV), st.text(max_size=200).map(str.encode)))
def test_csv_tables(data: bytes) -> None:
    result = only_bonescan_errors(lambda: tables.csv_rows(data, "t.csv"))
    assert isinstance(result, BonescanError | list)


@FAST
@given(either(XLSX))
def test_xlsx_tables(data: bytes) -> None:
    only_bonescan_errors(lambda: tables.xlsx_rows(data, "t.xlsx"))


@FAST
@given(st.one_of(mutated(CSV), st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace"))),
       st.sampled_from(["manifest.csv", "manifest.xlsx"]))
def test_case_manifests(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "a.png").write_bytes(PNG)
        (root / "p.png").write_bytes(PNG)
        (root / name).write_bytes(data if name.endswith(".csv") else XLSX[: len(data)])
        result = only_bonescan_errors(lambda: manifest.read(root, ValidationReport()))
        assert isinstance(result, Dataset | BonescanError)


@FAST
@given(st.one_of(st.binary(max_size=300),
                 st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_bs80k_lists(listing: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in ("wholeBodyANT", "wholeBodyPOST"):
            d = root / folder
            d.mkdir()
            (d / "1.png").write_bytes(PNG)
            (d / f"{folder}.txt").write_bytes(b"1.png 1\n" + listing)
        result = only_bonescan_errors(lambda: bs80k.read(root, ValidationReport()))
        assert isinstance(result, Dataset | BonescanError)


@FAST
@given(either(DATASET_ZIP))
def test_zips_opened_directly_and_unpacked(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        z = Path(tmp) / "dataset.zip"
        z.write_bytes(data)
        opened = only_bonescan_errors(lambda: open_dataset(z))
        if isinstance(opened, tuple):
            from bonescan_tutor.datasets.images import load_view_for_quiz

            for case in opened[0]:
                for view in case.views:
                    load_view_for_quiz(view)  # never raises: shown or not shown
        only_bonescan_errors(lambda: archives.safe_extract(z, Path(tmp) / "out"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["files", "entries", "key", "filename", "size", "filesize", "checksum",
                         "links", "content", "self", "download", "x"]), inner, max_size=5),
    max_leaves=20,
)


@FAST
@given(st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    mutated(json.dumps({"files": [{"key": "x.zip", "size": 3, "checksum": "md5:" + "a" * 32,
                                   "links": {"self": "http://s/api/records/1/files/x.zip"}}]}
                       ).encode()),
))
def test_zenodo_api_answers(body: bytes) -> None:
    result = only_bonescan_errors(lambda: fetch.parse_answer(body, "Zenodo record 1", "http://s",
                                                             "1"))
    if isinstance(result, list):
        for remote in result:
            assert remote.url.startswith(("http://", "https://"))
            assert "/" not in remote.name and remote.size >= 0
