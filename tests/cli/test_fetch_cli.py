"""``bonescan-tutor fetch`` against a fake Zenodo on 127.0.0.1."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bonescan_tutor import cli
from bonescan_tutor.commands.fetch import TerminalProgress
from tests.fake_zenodo import FakeZenodo, closed_port_url, make_zip

ZIP_NAME = "Bone Scan Images Dataset.zip"


@pytest.fixture
def record(fake_zenodo: FakeZenodo) -> FakeZenodo:
    fake_zenodo.files[ZIP_NAME] = make_zip({"Bone metastases/Anterior/A1.png": b"png" * 3000})
    return fake_zenodo


def test_fetch_yes_downloads_extracts_and_says_how_to_open(
    record: FakeZenodo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["fetch", "--dest", str(tmp_path), "--yes"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "Bone Scan Images Dataset"
    assert (folder / "Bone metastases" / "Anterior" / "A1.png").is_file()
    assert ZIP_NAME in out and "md5:" in out  # the listing
    assert f'bonescan-tutor --dataset "{folder}"' in out
    assert not (tmp_path / ZIP_NAME).exists()


def test_fetch_no_extract_keeps_the_zip_to_open_directly(
    record: FakeZenodo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["fetch", "--dest", str(tmp_path), "--yes", "--no-extract"]) == 0
    assert f'--dataset "{tmp_path / ZIP_NAME}"' in capsys.readouterr().out
    assert not (tmp_path / "Bone Scan Images Dataset").exists()


def test_fetch_keep_zip(record: FakeZenodo, tmp_path: Path) -> None:
    assert cli.run(["fetch", "--dest", str(tmp_path), "--yes", "--keep-zip"]) == 0
    assert (tmp_path / ZIP_NAME).is_file()
    assert (tmp_path / "Bone Scan Images Dataset").is_dir()


def test_fetch_asks_first_and_no_downloads_nothing(
    record: FakeZenodo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.run(["fetch", "--dest", str(tmp_path)]) == 1
    assert "--yes" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert record.file_requests(ZIP_NAME) == []


def test_fetch_default_dest_is_the_user_data_folder(
    record: FakeZenodo, _isolated_home: Path
) -> None:
    assert cli.run(["fetch", "--yes", "--no-extract"]) == 0
    assert (_isolated_home / "data" / "datasets" / ZIP_NAME).is_file()


def test_fetch_server_option_overrides_the_environment(
    record: FakeZenodo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BONESCAN_TUTOR_ZENODO_URL", closed_port_url())
    args = ["fetch", "--dest", str(tmp_path), "--yes", "--server", record.base_url]
    assert cli.run(args) == 0


def test_fetch_offline_prints_the_manual_route(
    fake_zenodo: FakeZenodo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.run(["fetch", "--dest", str(tmp_path), "--yes", "--server", closed_port_url()])
    assert code == 2
    err = capsys.readouterr().err
    assert "https://zenodo.org/records/13900966" in err
    assert "--dataset FILE.zip" in err


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_in_place_and_ends_the_line() -> None:
    stream = FakeTty()
    bar = TerminalProgress(stream, interval=0.0)
    bar(500, 1000, "data.zip")
    bar(1000, 1000, "data.zip")
    text = stream.getvalue()
    assert text.count("\r") == 2
    assert " 50.0%" in text and "100.0%" in text
    assert text.endswith("\n") and text.count("\n") == 1


def test_progress_bar_is_throttled() -> None:
    stream = FakeTty()
    bar = TerminalProgress(stream, interval=3600)
    for done in range(1, 101):
        bar(done, 100, "data.zip")
    assert stream.getvalue().count("\r") == 2  # the first draw and the completed one


@pytest.mark.parametrize("key", ["...zip", "a\x00b.zip", "../x.zip"])
def test_fetch_refuses_a_key_that_is_not_a_plain_file_name(
    fake_zenodo: FakeZenodo, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    fake_zenodo.files[key] = make_zip({"A1.png": b"png"})
    assert cli.run(["fetch", "--dest", str(tmp_path / "dest"), "--yes"]) == 2
    out, err = capsys.readouterr()
    assert "plain file name" in err and "Traceback" not in err
    assert "Dataset ready" not in out
    assert not (tmp_path / "dest").exists()


def test_fetch_refuses_a_file_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "secret.zip").write_bytes(b"PK")
    assert cli.run(["fetch", "--server", f"file://{tmp_path}", "--dest", str(tmp_path / "d"),
                    "--yes"]) == 2
    assert "not an http:// or https:// address" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_fetch_stops_a_file_larger_than_declared(
    record: FakeZenodo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record.record_json = lambda: {  # type: ignore[method-assign]
        "files": [{"key": ZIP_NAME, "size": 100, "links": {"self": record.file_url(ZIP_NAME)}}]
    }
    assert cli.run(["fetch", "--dest", str(tmp_path), "--yes"]) == 2
    assert "more than the 100 bytes" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
