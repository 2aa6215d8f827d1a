"""File > Download IICS-UNA dataset, against a fake Zenodo on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from bonescan_tutor import paths
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.fetch import MANUAL_ROUTE, RECORD_PAGE, RemoteFile, RetryPolicy
from bonescan_tutor.gui.dialogs.download import (
    DEST_KEY,
    DownloadDialog,
    DownloadState,
    download_dataset,
)
from bonescan_tutor.gui.dialogs.transfer import TransferMeter, rich_text
from tests.builders import build, zip_tree
from tests.fake_zenodo import FakeZenodo, closed_port_url

FAST = RetryPolicy(attempts=3, backoff_s=0.001, max_wait_s=0.01, timeout_s=10, chunk_size=1024)
ZIP_NAME = "Bone Scan Images Dataset.zip"
FOLDER = "Bone Scan Images Dataset"
SETTLED = (DownloadState.READY, DownloadState.LIST_FAILED)
STOPPED = (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED)


@pytest.fixture
def record(fake_zenodo: FakeZenodo, tmp_path: Path) -> FakeZenodo:
    """The fake record holds a real (tiny) IICS-UNA zip: 2 metastatic, 3 normal cases."""
    top = build(tmp_path / "src" / FOLDER)
    fake_zenodo.files[ZIP_NAME] = zip_tree(top, tmp_path / "src" / ZIP_NAME).read_bytes()
    return fake_zenodo


def _dialog(qtbot, settings, server: str, dest: Path | None = None, **kw) -> DownloadDialog:
    dialog = DownloadDialog(settings, server=server, policy=FAST, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state in SETTLED)
    if dest is not None:
        dialog.dest_edit.setText(str(dest))
    return dialog


def _download(qtbot, dialog: DownloadDialog) -> None:
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in STOPPED)


def test_the_record_is_listed_with_sizes_and_checksums(qtbot, settings, record) -> None:
    dialog = _dialog(qtbot, settings, record.base_url)
    data = record.files[ZIP_NAME]
    cells = [dialog.table.item(0, c).text() for c in range(3)]
    assert cells[0] == ZIP_NAME
    assert cells[1].endswith("kB") and cells[1] in dialog.status_message
    assert cells[2] == "md5:" + hashlib.md5(data).hexdigest()
    assert dialog.download_button.isVisible() and not dialog.retry_button.isVisible()
    assert dialog.dest_edit.text() == str(paths.datasets_dir())


def test_a_download_ends_with_the_folder_that_opens(qtbot, settings, record, tmp_path) -> None:
    dest = tmp_path / "datasets"
    dialog = _dialog(qtbot, settings, record.base_url, dest)
    _download(qtbot, dialog)
    assert dialog.state is DownloadState.DONE, dialog.status_message
    assert dialog.result_path == dest / FOLDER
    dataset, report = open_dataset(dialog.result_path)
    assert len(dataset) == 5 and not report.errors
    assert not (dest / ZIP_NAME).exists() and not list(dest.glob("*.part"))
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() > 0
    assert dialog.open_button.isVisible() and not dialog.download_button.isVisible()
    assert str(dest / FOLDER) in dialog.message.text()
    assert settings.value(DEST_KEY) == str(dest)
    again = _dialog(qtbot, settings, record.base_url)
    assert again.dest_edit.text() == str(dest)  # remembered for next time


def test_keep_zip_keeps_the_verified_zip(qtbot, settings, record, tmp_path) -> None:
    dialog = _dialog(qtbot, settings, record.base_url, tmp_path)
    dialog.keep_zip.setChecked(True)
    _download(qtbot, dialog)
    assert (tmp_path / ZIP_NAME).read_bytes() == record.files[ZIP_NAME]


def test_cancel_midway_leaves_no_final_file(qtbot, settings, record, tmp_path) -> None:
    record.script[ZIP_NAME] = ["hold:4096"]  # the server stalls after 4 kB until released
    dialog = _dialog(qtbot, settings, record.base_url, tmp_path)
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.meter is not None and dialog.meter.done > 0)
    assert dialog.state is DownloadState.DOWNLOADING
    assert ZIP_NAME in dialog.status_message and "kB of" in dialog.status_message
    assert 0 < dialog.progress_bar.value() < dialog.progress_bar.maximum()
    assert dialog.cancel_button.isVisible() and not dialog.dest_edit.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    record.release.set()
    qtbot.waitUntil(lambda: dialog.state in STOPPED)
    assert dialog.state is DownloadState.CANCELLED
    assert "cancelled" in dialog.message.text().lower()
    assert f"{ZIP_NAME}.part" in dialog.status_message
    assert not (tmp_path / ZIP_NAME).exists() and not (tmp_path / FOLDER).exists()
    assert dialog.result_path is None
    assert dialog.download_button.isVisible() and dialog.download_button.text() == "Resume download"
    _download(qtbot, dialog)  # resumes from the .part and still verifies
    assert dialog.state is DownloadState.DONE
    assert record.file_requests(ZIP_NAME)[-1].get("Range", "").startswith("bytes=")
    assert len(open_dataset(dialog.result_path)[0]) == 5


def test_closing_during_a_download_cancels_it_first(qtbot, settings, record, tmp_path) -> None:
    record.script[ZIP_NAME] = ["hold:4096"]
    dialog = _dialog(qtbot, settings, record.base_url, tmp_path)
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.meter is not None and dialog.meter.done > 0)
    dialog.reject()
    assert dialog.isVisible() and dialog.state is DownloadState.CANCELLING
    with qtbot.waitSignal(dialog.rejected):
        record.release.set()
    assert dialog.state is DownloadState.CANCELLED and not (tmp_path / ZIP_NAME).exists()


def test_offline_shows_the_manual_route(qtbot, settings) -> None:
    dialog = _dialog(qtbot, settings, closed_port_url())
    assert dialog.state is DownloadState.LIST_FAILED
    assert "offline" in dialog.status_message and MANUAL_ROUTE in dialog.status_message
    assert f'href="{RECORD_PAGE}"' in dialog.message.text()
    assert dialog.message.isVisible()
    assert dialog.retry_button.isVisible() and not dialog.download_button.isVisible()


def test_try_again_lists_once_the_server_answers(qtbot, settings, record) -> None:
    record.script["record"] = ["status:404:"]
    dialog = _dialog(qtbot, settings, record.base_url)
    assert dialog.state is DownloadState.LIST_FAILED and "HTTP 404" in dialog.status_message
    assert MANUAL_ROUTE in dialog.status_message
    qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in SETTLED)
    assert dialog.state is DownloadState.READY and dialog.table.rowCount() == 1


def test_a_checksum_failure_is_shown_with_the_manual_route(
    qtbot, settings, record, tmp_path
) -> None:
    record.checksums[ZIP_NAME] = "md5:" + "0" * 32
    dialog = _dialog(qtbot, settings, record.base_url, tmp_path)
    _download(qtbot, dialog)
    assert dialog.state is DownloadState.FAILED
    assert "checksum failed" in dialog.status_message and MANUAL_ROUTE in dialog.status_message
    assert "checksum failed" in dialog.message.text()
    assert not (tmp_path / ZIP_NAME).exists() and not list(tmp_path.glob("*.part"))
    assert dialog.result_path is None and dialog.download_button.isVisible()


def test_a_missing_file_and_a_busy_server_are_explained(qtbot, settings, record, tmp_path) -> None:
    record.script[ZIP_NAME] = ["status:503:0"] * FAST.attempts
    dialog = _dialog(qtbot, settings, record.base_url, tmp_path)
    _download(qtbot, dialog)
    assert dialog.state is DownloadState.FAILED
    assert "busy" in dialog.status_message and f"tried {FAST.attempts} times" in dialog.status_message
    del record.files[ZIP_NAME]  # listed a moment ago, gone now
    _download(qtbot, dialog)
    assert dialog.state is DownloadState.FAILED and "HTTP 404" in dialog.status_message
    assert MANUAL_ROUTE in dialog.status_message


def test_an_unwritable_destination_says_so(qtbot, settings, record, tmp_path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    dialog = _dialog(qtbot, settings, record.base_url, blocker / "sub")
    _download(qtbot, dialog)
    assert dialog.state is DownloadState.FAILED
    assert str(blocker / "sub") in dialog.status_message
    assert "Choose another folder" in dialog.status_message


def test_download_dataset_returns_the_folder_to_open(qtbot, settings, record) -> None:
    clicked: list[DownloadState] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, DownloadDialog):
            return
        if dialog.state is DownloadState.READY and not clicked:
            clicked.append(dialog.state)
            dialog.download_button.click()
        elif dialog.state is DownloadState.DONE:
            dialog.open_button.click()
        elif dialog.state in (DownloadState.FAILED, DownloadState.LIST_FAILED):
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(10)
    try:
        path = download_dataset(None, settings)
    finally:
        timer.stop()
    assert path == paths.datasets_dir() / FOLDER
    assert len(open_dataset(path)[0]) == 5


def test_meter_speed_ignores_bytes_a_resumed_part_already_held() -> None:
    now = [100.0]
    files = [RemoteFile("a.zip", 5_000_000, None, "u"), RemoteFile("b.xlsx", 1_000_000, None, "u")]
    meter = TransferMeter(files, clock=lambda: now[0])
    meter.update(2_000_000, 5_000_000, "a.zip")  # resumed: 2 MB were on disk already
    assert meter.rate() is None and "MB/s" not in meter.line()
    now[0] += 2.0
    meter.update(3_000_000, 5_000_000, "a.zip")
    assert meter.rate() == pytest.approx(500_000)
    assert meter.line() == "a.zip — 3.0 MB of 5.0 MB · 0.5 MB/s · about 4 s left"
    assert meter.fraction() == pytest.approx(0.5)
    meter.update(500_000, 1_000_000, "b.xlsx")
    assert meter.fraction() == pytest.approx(5.5 / 6)
    assert meter.rate() is None  # a new file starts a new measure


def test_rich_text_sets_the_manual_route_apart_with_a_live_link() -> None:
    text = rich_text(f"x.zip: the checksum failed <md5>. {MANUAL_ROUTE}", "#123456")
    first, route = text.split("<br><br>")
    assert first == "x.zip: the checksum failed &lt;md5&gt;."
    assert f'<a href="{RECORD_PAGE}" style="color: #123456;' in route
    assert "<code>bonescan-tutor --dataset FILE.zip</code>" in route
