"""Zips opened directly or unpacked: encrypted entries, bombs and cut-short files end in
a clear message, and memory stays bounded whatever a member declares."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.core.validation import ProblemKind
from bonescan_tutor.datasets.archives import UnsafeArchiveError, safe_extract
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.files import zips
from tests.builders import Spec, build, zip_tree

BOMB_MEMBER = "d/No bone metastases/Anterior/A5.png"


def png_head(width: int = 256, height: int = 1024) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
            + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))


def encrypt_flags(path: Path) -> None:
    """Mark every entry encrypted, as ``zip -P`` does (the data is not needed to refuse)."""
    data = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + at] |= 0x01
            start = i + 4
    path.write_bytes(bytes(data))


def dataset_zip(tmp_path: Path) -> Path:
    top = build(tmp_path / "d", Spec())
    return zip_tree(top, tmp_path / "dataset.zip")


def with_bomb_member(tmp_path: Path, size: int = 3 * 1024 * 1024) -> Path:
    """The dataset zip with A5.png replaced by a PNG header and ``size`` zero bytes."""
    z = dataset_zip(tmp_path)
    out_path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z) as src, \
            zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != BOMB_MEMBER:
                out.writestr(info.filename, src.read(info))
        with out.open(BOMB_MEMBER, "w", force_zip64=True) as member:
            member.write(png_head())
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return out_path


def test_an_encrypted_zip_opened_is_refused_with_a_message(tmp_path: Path) -> None:
    z = dataset_zip(tmp_path)
    encrypt_flags(z)
    with pytest.raises(DatasetError, match="password") as info:
        open_dataset(z)
    assert str(z) in str(info.value)


def test_an_encrypted_zip_is_not_unpacked(tmp_path: Path) -> None:
    z = dataset_zip(tmp_path)
    encrypt_flags(z)
    with pytest.raises(UnsafeArchiveError, match="password"):
        safe_extract(z, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_real_zip_p_archive_is_refused(tmp_path: Path) -> None:
    top = build(tmp_path / "d", Spec())
    z = tmp_path / "secret.zip"
    try:
        subprocess.run(["zip", "-q", "-r", "-P", "pw", str(z), top.name], cwd=tmp_path,
                       check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the zip program is not installed")
    with pytest.raises(DatasetError, match="password"):
        open_dataset(z)


def test_a_bomb_member_is_reported_at_indexing_and_the_rest_loads(tmp_path: Path) -> None:
    z = with_bomb_member(tmp_path)
    dataset, report = open_dataset(z)
    (problem,) = report.of_kind(ProblemKind.IMAGE_TOO_LARGE)
    assert problem.file.endswith("A5.png") and "zip bomb" in problem.message
    assert dataset.case("5").anterior is None
    assert len(dataset) == 5


def test_a_bomb_member_decoded_directly_is_refused_unread(tmp_path: Path) -> None:
    z = with_bomb_member(tmp_path)
    view = View(Projection.ANTERIOR, BOMB_MEMBER, archive=str(z))
    with pytest.raises(ImageError, match="zip bomb"):
        load_view(view)


def test_a_member_beyond_the_cap_is_refused_unread(tmp_path: Path) -> None:
    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", os.urandom(2 * 1024 * 1024))
    with zipfile.ZipFile(z) as zf:
        with pytest.raises(DatasetError, match=r"big\.bin"):
            zips.read_member(zf, "big.bin", f"{z}!big.bin", max_bytes=1024 * 1024,
                             error=DatasetError)
        assert len(zips.read_member(zf, "big.bin", "x", error=DatasetError)) == 2 * 1024 * 1024


def test_validate_deep_reports_the_bomb_member(tmp_path: Path) -> None:
    z = with_bomb_member(tmp_path)
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor", "validate", "--deep", "--json",
                        str(z)], capture_output=True, text=True, timeout=120)
    report = json.loads(r.stdout)
    bombs = [p for p in report["problems"] if p["file"].endswith("A5.png")]
    assert bombs and "zip bomb" in bombs[0]["message"]


def test_a_truncated_zip_is_called_cut_short(tmp_path: Path) -> None:
    z = dataset_zip(tmp_path)
    z.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    with pytest.raises(DatasetError) as info:
        open_dataset(z)
    message = str(info.value)
    assert "neither a folder nor a zip" not in message
    assert "cut short" in message and "download" in message


def test_an_image_failing_at_decode_is_not_shown_without_naming_its_file(tmp_path: Path) -> None:
    from bonescan_tutor.datasets.images import NOT_SHOWN, load_view_for_quiz

    top = build(tmp_path / "d", Spec(n_met=1, n_normal=1))
    z = tmp_path / "d.zip"
    with zipfile.ZipFile(z, "w") as zf:  # stored: the cut PNG passes indexing in a zip
        for f in sorted(top.rglob("*")):
            if f.is_file():
                data = f.read_bytes()
                zf.writestr(f.relative_to(tmp_path).as_posix(),
                            data[: len(data) // 2] if f.name == "P2.png" else data)
    dataset, _ = open_dataset(z)
    good = load_view_for_quiz(dataset.case("1").posterior)
    assert good.shown and good.status == "shown" and good.pixels.shape == (1024, 256)
    bad = load_view_for_quiz(dataset.case("2").posterior)
    assert not bad.shown and bad.status == NOT_SHOWN and bad.pixels is None
    assert bad.reason and "P2" not in bad.reason and "metastases" not in bad.reason
    assert "P2.png" in bad.detail


def test_a_zip_with_damaged_compressed_data_is_refused_with_a_message(tmp_path: Path) -> None:
    z = dataset_zip(tmp_path)
    data = bytearray(z.read_bytes())
    at = data.find(b"A1.png") + len(b"A1.png") + 20  # inside the first image's deflate stream
    data[at:at + 8] = b"\xff" * 8
    z.write_bytes(bytes(data))
    with pytest.raises(UnsafeArchiveError, match="damaged"):
        safe_extract(z, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_png_with_a_cut_header_chunk_is_an_image_error() -> None:
    from bonescan_tutor.datasets.images import decode_image

    ihdr = b"IHDR\x00\x00\x01\x00"  # a 4-byte IHDR where 13 are due
    broken = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 4) + ihdr
              + struct.pack(">I", zlib.crc32(ihdr)))
    with pytest.raises(ImageError, match=r"x\.png"):
        decode_image(broken, "x.png")


def test_validate_json_on_an_encrypted_zip_is_json_with_the_reason(tmp_path: Path) -> None:
    z = dataset_zip(tmp_path)
    encrypt_flags(z)
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor", "validate", "--json", str(z)],
                       capture_output=True, text=True, timeout=120)
    report = json.loads(r.stdout)
    assert r.returncode == 1 and report["ok"] is False and "password" in report["error"]
    assert "password" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("data", "said"),
    [(b"<!DOCTYPE html><html>Sign in</html>", "web page"), (b"", "empty"),
     (b"just some text", "not a zip")],
)
def test_a_file_named_zip_that_is_not_one_says_what_it_is(
    tmp_path: Path, data: bytes, said: str
) -> None:
    z = tmp_path / "Bone Scan Images Dataset.zip"
    z.write_bytes(data)
    with pytest.raises(DatasetError, match=said) as info:
        open_dataset(z)
    assert "neither a folder nor a zip" not in str(info.value)


def test_a_zip_whose_member_offset_makes_the_seek_fail_is_called_damaged(tmp_path: Path) -> None:
    """A crafted central directory whose offset sends the read before the file's start
    raised a bare OSError (EINVAL) out of the unpacking."""
    z = tmp_path / "crafted.zip"
    z.write_bytes((Path(__file__).parent / "data" / "zip_member_offset_past_end.zip").read_bytes())
    with pytest.raises(UnsafeArchiveError, match="damaged"):
        safe_extract(z, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["crafted.zip"]


def test_a_full_disk_while_unpacking_names_the_folder_not_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins
    import errno

    z = dataset_zip(tmp_path)
    real_open = builtins.open

    class Full:
        def __init__(self, f: object) -> None:
            self.f = f

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *a: object) -> None:
            self.f.close()  # type: ignore[attr-defined]

        def write(self, b: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(path: object, mode: str = "r", *a: object, **k: object) -> object:
        f = real_open(path, mode, *a, **k)  # type: ignore[call-overload]
        return Full(f) if "w" in mode and str(path).endswith(".png") else f

    monkeypatch.setattr(builtins, "open", fake_open)
    with pytest.raises(UnsafeArchiveError, match=r"No space left on device.*Free some space"):
        safe_extract(z, tmp_path / "out")
    monkeypatch.undo()
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".unpacking")]


def test_a_zip_entry_without_a_name_is_skipped_not_a_crash() -> None:
    """A crafted zip (found by the hostile-input suite) whose last entry has no name."""
    import contextlib

    from bonescan_tutor.core.errors import BonescanError
    from bonescan_tutor.datasets.detect import open_dataset

    path = Path(__file__).parent / "data" / "zip_entry_without_name.zip"
    with contextlib.suppress(BonescanError):  # refused with a message is fine
        open_dataset(path)  # an IndexError is not
