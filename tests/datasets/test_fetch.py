"""Downloading the Zenodo record against a fake server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from bonescan_tutor.datasets import fetch
from bonescan_tutor.datasets.archives import UnsafeArchiveError, safe_extract
from bonescan_tutor.datasets.fetch import (
    Cancelled,
    FetchError,
    RemoteFile,
    RetryPolicy,
    fetch_record,
    list_files,
)
from tests.fake_zenodo import FakeZenodo, closed_port_url, make_zip

FAST = RetryPolicy(attempts=4, backoff_s=0.001, max_wait_s=0.01, timeout_s=10, chunk_size=1024)
ZIP_NAME = "Bone Scan Images Dataset.zip"


def dataset_zip() -> bytes:
    return make_zip(
        {
            "Bone Scan Images Dataset/Bone Scan Images Dataset.xlsx": b"sheet" * 100,
            "Bone Scan Images Dataset/Bone metastases/Anterior/A1.png": os.urandom(20_000),
            "Bone Scan Images Dataset/Bone metastases/Posterior/P1.png": os.urandom(20_000),
        }
    )


@pytest.fixture
def record(fake_zenodo: FakeZenodo) -> FakeZenodo:
    fake_zenodo.files[ZIP_NAME] = dataset_zip()
    return fake_zenodo


def test_lists_files_with_size_checksum_and_content_link(record: FakeZenodo) -> None:
    files = list_files(None, fetch.RECORD_ID, policy=FAST)  # server from the environment
    assert len(files) == 1
    f = files[0]
    assert f.name == ZIP_NAME
    assert f.size == len(record.files[ZIP_NAME])
    assert f.checksum == "md5:" + hashlib.md5(record.files[ZIP_NAME]).hexdigest()
    assert f.url.endswith("/files/Bone%20Scan%20Images%20Dataset.zip/content")


def test_old_style_bucket_links_download_too(record: FakeZenodo, tmp_path: Path) -> None:
    record.new_style_links = False
    out = fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert out == tmp_path / ZIP_NAME
    assert out.read_bytes() == record.files[ZIP_NAME]


def test_parse_files_tolerates_invenio_entries_and_bare_digests() -> None:
    digest = "a" * 32
    data = {
        "entries": [
            {
                "key": "x.zip",
                "size": 3,
                "checksum": digest,
                "links": {"self": "http://s/api/records/1/files/x.zip", "content": "http://c"},
            },
            {
                "filename": "y.zip",
                "filesize": 5,
                "checksum": "SHA256:" + "B" * 64,
                "links": {"self": "http://s/api/records/1/files/y.zip"},
            },
        ]
    }
    x, y = fetch.parse_files(data, "http://s", "1")
    assert (x.name, x.size, x.checksum, x.url) == ("x.zip", 3, f"md5:{digest}", "http://c")
    assert (y.name, y.size, y.checksum) == ("y.zip", 5, "sha256:" + "b" * 64)
    assert y.url == "http://s/api/records/1/files/y.zip/content"


def test_normal_download_verifies_extracts_and_reports_progress(
    record: FakeZenodo, tmp_path: Path
) -> None:
    seen: list[tuple[int, int, str]] = []
    out = fetch_record(
        tmp_path, server=record.base_url, progress=lambda *a: seen.append(a), policy=FAST
    )
    assert out == tmp_path / "Bone Scan Images Dataset"
    assert (out / "Bone Scan Images Dataset" / "Bone metastases" / "Anterior" / "A1.png").is_file()
    assert not (tmp_path / ZIP_NAME).exists()  # not kept unless asked
    assert not list(tmp_path.glob("*.part"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    size = len(record.files[ZIP_NAME])
    assert seen[-1] == (size, size, ZIP_NAME)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


def test_keep_zip_keeps_the_verified_zip(record: FakeZenodo, tmp_path: Path) -> None:
    fetch_record(tmp_path, server=record.base_url, policy=FAST, keep_zip=True)
    assert (tmp_path / ZIP_NAME).read_bytes() == record.files[ZIP_NAME]


def test_a_second_run_reuses_the_verified_file(record: FakeZenodo, tmp_path: Path) -> None:
    fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    before = len(record.file_requests(ZIP_NAME))
    fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert len(record.file_requests(ZIP_NAME)) == before


def test_dropped_connection_resumes_with_a_range_request(
    record: FakeZenodo, tmp_path: Path
) -> None:
    record.script[ZIP_NAME] = ["drop:1000"]
    out = fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    first, second = record.file_requests(ZIP_NAME)
    assert "Range" not in first
    assert second["Range"] == "bytes=1000-"
    assert out.read_bytes() == record.files[ZIP_NAME]


def test_server_ignoring_range_restarts_from_zero(record: FakeZenodo, tmp_path: Path) -> None:
    record.script[ZIP_NAME] = ["drop:1500", "ignore-range"]
    out = fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert record.file_requests(ZIP_NAME)[1]["Range"] == "bytes=1500-"
    assert out.read_bytes() == record.files[ZIP_NAME]


def test_connection_that_keeps_dropping_says_run_again(record: FakeZenodo, tmp_path: Path) -> None:
    record.script[ZIP_NAME] = ["drop:100"] * 10
    with pytest.raises(FetchError, match="resumes"):
        fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert not (tmp_path / ZIP_NAME).exists()
    assert (tmp_path / f"{ZIP_NAME}.part").stat().st_size == 400  # 4 attempts of 100 bytes


def test_wrong_checksum_rejects_and_removes_the_file(record: FakeZenodo, tmp_path: Path) -> None:
    record.checksums[ZIP_NAME] = "md5:" + "0" * 32
    with pytest.raises(FetchError, match=r"checksum failed.*Try again"):
        fetch_record(tmp_path, server=record.base_url, policy=FAST)
    assert list(tmp_path.iterdir()) == []


def test_sha256_checksum_verifies(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"bone scan")
    assert fetch.verify_checksum(p, "sha256:" + hashlib.sha256(b"bone scan").hexdigest())
    assert not fetch.verify_checksum(p, "sha256:" + "0" * 64)


def test_unknown_record_is_a_clear_404(record: FakeZenodo) -> None:
    with pytest.raises(FetchError, match=r"record 999\b.*404"):
        list_files(record.base_url, "999", policy=FAST)


def test_missing_file_404_names_the_file(record: FakeZenodo, tmp_path: Path) -> None:
    ghost = RemoteFile("ghost.zip", 10, None, f"{record.base_url}/api/records/1/files/g/content")
    with pytest.raises(FetchError, match=r"ghost\.zip.*404"):
        fetch.download_file(ghost, tmp_path, policy=FAST)
    assert not (tmp_path / "ghost.zip").exists()


def test_429_and_503_honour_retry_after_then_succeed(record: FakeZenodo, tmp_path: Path) -> None:
    record.script["record"] = ["status:429:0"]
    # A huge Retry-After is capped by the policy (tiny here), so the run still finishes.
    record.script[ZIP_NAME] = ["status:503:3600", "status:429:0"]
    out = fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert out.read_bytes() == record.files[ZIP_NAME]
    assert len(record.file_requests(ZIP_NAME)) == 3


def test_server_busy_every_time_gives_up_with_advice(record: FakeZenodo) -> None:
    record.script["record"] = ["status:503:0"] * 10
    with pytest.raises(FetchError, match=r"busy.*Try again later"):
        list_files(record.base_url, fetch.RECORD_ID, policy=FAST)


def test_cancel_leaves_only_the_part_file_and_a_later_run_resumes(
    record: FakeZenodo, tmp_path: Path
) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int, name: str) -> None:
        if done >= 8 * 1024:
            cancel.set()

    with pytest.raises(Cancelled):
        fetch_record(
            tmp_path,
            server=record.base_url,
            progress=progress,
            cancel=cancel,
            policy=FAST,
            extract=False,
        )
    assert not (tmp_path / ZIP_NAME).exists()
    part = tmp_path / f"{ZIP_NAME}.part"
    assert 8 * 1024 <= part.stat().st_size < len(record.files[ZIP_NAME])

    out = fetch_record(tmp_path, server=record.base_url, policy=FAST, extract=False)
    assert record.file_requests(ZIP_NAME)[-1]["Range"].startswith("bytes=")
    assert out.read_bytes() == record.files[ZIP_NAME]


def test_offline_gives_the_manual_route() -> None:
    with pytest.raises(FetchError) as info:
        list_files(closed_port_url(), fetch.RECORD_ID, policy=FAST)
    message = str(info.value)
    assert "https://zenodo.org/records/13900966" in message
    assert "File > Open dataset" in message
    assert "bonescan-tutor --dataset FILE.zip" in message


def test_served_zip_escaping_its_folder_is_refused(record: FakeZenodo, tmp_path: Path) -> None:
    record.files[ZIP_NAME] = make_zip({"ok.txt": b"x", "../escaped.txt": b"evil"})
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeArchiveError, match="outside"):
        fetch_record(dest, server=record.base_url, policy=FAST)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (dest / "Bone Scan Images Dataset").exists()
    assert not [p for p in dest.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "name", ["../up.txt", "a/../../up.txt", "/abs.txt", "C:/drive.txt", "a\\..\\up.txt"]
)
def test_safe_extract_refuses_escaping_names(tmp_path: Path, name: str) -> None:
    z = tmp_path / "bad.zip"
    z.write_bytes(make_zip({"fine.txt": b"x", name: b"evil"}))
    dest = tmp_path / "inner" / "out"
    with pytest.raises(UnsafeArchiveError, match=r"bad\.zip"):
        safe_extract(z, dest)
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["bad.zip", "inner"]


def test_safe_extract_refuses_symlinks(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    z = tmp_path / "link.zip"
    z.write_bytes(buf.getvalue())
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        safe_extract(z, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_safe_extract_refuses_a_bomb_before_writing(tmp_path: Path) -> None:
    z = tmp_path / "bomb.zip"
    z.write_bytes(make_zip({"zeros.bin": bytes(20 * 1024 * 1024)}))
    with pytest.raises(UnsafeArchiveError, match=r"bomb\.zip.*zip bomb"):
        safe_extract(z, tmp_path / "out")
    with pytest.raises(UnsafeArchiveError, match=r"bomb\.zip.*GB once unpacked"):
        safe_extract(z, tmp_path / "out", max_total_bytes=1024 * 1024, max_ratio=1e9)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]


def test_safe_extract_unpacks_a_plain_zip(tmp_path: Path) -> None:
    z = tmp_path / "ok.zip"
    z.write_bytes(make_zip({"a/b.txt": b"hello", "c.txt": b"world"}))
    out = safe_extract(z, tmp_path / "out")
    assert (out / "a" / "b.txt").read_bytes() == b"hello"
    assert (out / "c.txt").read_bytes() == b"world"


def test_a_file_larger_than_declared_is_stopped_and_never_kept(
    record: FakeZenodo, tmp_path: Path
) -> None:
    declared = RemoteFile(ZIP_NAME, 1000, None, record.file_url(ZIP_NAME))
    assert len(record.files[ZIP_NAME]) > 1000
    with pytest.raises(FetchError, match="more than the 1000 bytes"):
        fetch_record(tmp_path, files=[declared], policy=FAST)
    assert list(tmp_path.iterdir()) == []


def test_without_a_declared_size_the_hard_cap_stops_the_download(
    record: FakeZenodo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "MAX_UNDECLARED_BYTES", 2000)
    undeclared = RemoteFile(ZIP_NAME, 0, None, record.file_url(ZIP_NAME))
    with pytest.raises(FetchError, match="2000 bytes"):
        fetch_record(tmp_path, files=[undeclared], policy=FAST)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("link", ["file:///etc/passwd", "ftp://example.org/x.zip", "x.zip"])
def test_a_link_that_is_not_http_is_refused(link: str, tmp_path: Path) -> None:
    data = {"files": [{"key": "x.zip", "size": 1, "links": {"content": link}}]}
    with pytest.raises(FetchError, match="http"):
        fetch.parse_files(data, "http://s", "1")
    with pytest.raises(FetchError, match="http"):
        fetch.download_file(RemoteFile("x.zip", 1, None, link), tmp_path, policy=FAST)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "key", ["...zip", "..", "a\x00b.zip", "../../evil.zip", "sub/x.zip", "C:\\x.zip", ".hidden.zip"]
)
def test_a_key_that_is_not_a_plain_file_name_is_refused(key: str) -> None:
    with pytest.raises(FetchError, match="plain file name"):
        fetch.parse_files({"files": [{"key": key, "size": 1}]}, "http://s", "1")


def test_a_web_page_served_instead_of_the_zip_is_called_so(
    record: FakeZenodo, tmp_path: Path
) -> None:
    page = b"<!DOCTYPE html>\n<html><body>Please log in</body></html>\n"
    record.files["login"] = page
    remote = RemoteFile(ZIP_NAME, 80_000_000, None, record.file_url("login"))
    with pytest.raises(FetchError, match="web page") as info:
        fetch_record(tmp_path, files=[remote], policy=FAST)
    assert "dropped" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "body", [b"[" * 100_000 + b"]" * 100_000, b'{"files": ' + b"9" * 5000 + b"}",
             b"\xff\xfe", b"", b'{"files": NaN}']
)
def test_a_hostile_api_answer_is_a_fetch_error(body: bytes) -> None:
    with pytest.raises(FetchError, match="Zenodo record 1"):
        fetch.parse_answer(body, "Zenodo record 1 at http://s", "http://s", "1")


def test_an_api_answer_with_a_byte_order_mark_is_read(record: FakeZenodo) -> None:
    body = b"\xef\xbb\xbf" + json.dumps(record.record_json()).encode()
    [f] = fetch.parse_answer(body, "Zenodo record", record.base_url, fetch.RECORD_ID)
    assert f.name == ZIP_NAME
