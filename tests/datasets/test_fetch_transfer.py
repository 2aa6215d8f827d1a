"""One transfer request of a download, path by path: resume, restart, refusal, cancel."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from bonescan_tutor.datasets import fetch
from bonescan_tutor.datasets.fetch import Cancelled, FetchError, RemoteFile, RetryPolicy
from tests.fake_zenodo import FakeZenodo, make_zip

FAST = RetryPolicy(attempts=4, backoff_s=0.001, max_wait_s=0.01, timeout_s=10, chunk_size=1024)
NAME = "scans.zip"
DATA = make_zip({f"scan{i}.bin": random.Random(i).randbytes(2000) for i in range(6)})


@pytest.fixture
def server(fake_zenodo: FakeZenodo) -> FakeZenodo:
    fake_zenodo.files[NAME] = DATA
    return fake_zenodo


def _remote(server: FakeZenodo, size: int = len(DATA)) -> RemoteFile:
    return RemoteFile(NAME, size, None, server.file_url(NAME))


def test_a_part_file_already_complete_is_not_requested_again(server: FakeZenodo,
                                                             tmp_path: Path) -> None:
    (tmp_path / f"{NAME}.part").write_bytes(DATA)
    out = fetch.download_file(_remote(server), tmp_path, policy=FAST)
    assert out.read_bytes() == DATA and server.file_requests(NAME) == []
    assert not (tmp_path / f"{NAME}.part").exists()


def test_a_part_file_longer_than_the_record_says_starts_again(server: FakeZenodo,
                                                              tmp_path: Path) -> None:
    (tmp_path / f"{NAME}.part").write_bytes(b"x" * (len(DATA) + 10))
    out = fetch.download_file(_remote(server), tmp_path, policy=FAST)
    assert out.read_bytes() == DATA
    assert ["Range" in h for h in server.file_requests(NAME)] == [False]


def test_a_part_file_the_server_cannot_resume_is_dropped_and_fetched_whole(
        server: FakeZenodo, tmp_path: Path) -> None:
    # No declared size: a .part as long as the file asks for a range past its end (HTTP 416).
    (tmp_path / f"{NAME}.part").write_bytes(b"x" * len(DATA))
    out = fetch.download_file(_remote(server, 0), tmp_path, policy=FAST)
    assert out.read_bytes() == DATA
    first, second = server.file_requests(NAME)
    assert first["Range"] == f"bytes={len(DATA)}-" and "Range" not in second


def test_a_resume_at_another_offset_restarts_from_zero(server: FakeZenodo,
                                                       tmp_path: Path) -> None:
    server.script[NAME] = ["drop:3000", "range-from-zero"]
    out = fetch.download_file(_remote(server), tmp_path, policy=FAST)
    assert out.read_bytes() == DATA
    ranges = [h.get("Range") for h in server.file_requests(NAME)]
    assert ranges == [None, "bytes=3000-", None]


def test_without_a_declared_size_the_total_is_the_content_length(server: FakeZenodo,
                                                                 tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    fetch.download_file(_remote(server, 0), tmp_path, policy=FAST,
                        progress=lambda *a: seen.append(a))
    assert seen[0] == (1024, len(DATA), NAME) and seen[-1] == (len(DATA), len(DATA), NAME)


def test_a_body_without_a_length_is_still_stopped_at_the_declared_size(
        server: FakeZenodo, tmp_path: Path) -> None:
    server.script[NAME] = ["no-length"]
    with pytest.raises(FetchError) as info:
        fetch.download_file(_remote(server, 2000), tmp_path, policy=FAST)
    assert str(info.value) == (
        f"{NAME}: the server sends more than the 2000 bytes the record declares; the download "
        f"was stopped and deleted. It is not the file the record lists. {fetch.MANUAL_ROUTE}")
    assert list(tmp_path.iterdir()) == []


def test_a_body_without_a_length_loads_when_it_fits(server: FakeZenodo, tmp_path: Path) -> None:
    server.script[NAME] = ["no-length"]
    seen: list[tuple[int, int, str]] = []
    out = fetch.download_file(_remote(server, 0), tmp_path, policy=FAST,
                              progress=lambda *a: seen.append(a))
    assert out.read_bytes() == DATA and seen[-1] == (len(DATA), 0, NAME)


def test_a_web_page_sent_without_a_declared_size_is_called_so(server: FakeZenodo,
                                                              tmp_path: Path) -> None:
    server.files["page"] = b"<html><body>Sign in</body></html>"
    remote = RemoteFile(NAME, 0, None, server.file_url("page"))
    with pytest.raises(FetchError, match=r"^scans\.zip: the server sent a web page instead"):
        fetch.download_file(remote, tmp_path, policy=FAST)
    assert list(tmp_path.iterdir()) == []


def test_bytes_that_are_not_a_zip_are_refused(server: FakeZenodo, tmp_path: Path) -> None:
    server.files["junk"] = b"\x00\x01 not a zip at all" * 10
    remote = RemoteFile(NAME, 0, None, server.file_url("junk"))
    with pytest.raises(FetchError, match=r"^scans\.zip: the server sent something that is not a "
                       r"zip; nothing was kept"):
        fetch.download_file(remote, tmp_path, policy=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_mid_transfer_names_the_kept_part_file(server: FakeZenodo,
                                                        tmp_path: Path) -> None:
    cancel = threading.Event()
    with pytest.raises(Cancelled) as info:
        fetch.download_file(_remote(server), tmp_path, policy=FAST, cancel=cancel,
                            progress=lambda done, total, name: cancel.set())
    part = tmp_path / f"{NAME}.part"
    assert str(info.value) == f"Download of {NAME} cancelled; {part} is kept."
    assert part.read_bytes() == DATA[:1024]
