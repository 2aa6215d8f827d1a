"""Opening the progress file: another program's SQLite file is left untouched with a clear
message; a damaged file set aside is named to the user."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bonescan_tutor import cli
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.progress_file import ProgressFileError


def foreign_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    return path


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = foreign_db(tmp_path / "progress.sqlite3")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(ProgressFileError) as info:
        ProgressStore.open(db)
    message = str(info.value)
    assert str(db) in message and "another program" in message and "moz_places" in message
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert db.read_bytes()[18:20] == b"\x01\x01"  # still a rollback-journal file, never WAL
    assert not Path(f"{db}-wal").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"]


def test_an_empty_sqlite_file_is_taken_as_a_fresh_store(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    sqlite3.connect(db).close()
    with ProgressStore.open(db) as store:
        assert store.trainees() == []


def test_report_names_the_file_a_damaged_progress_file_was_set_aside_as(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert cli.run(["--home", str(home), "report"]) in (0, 1)
    (db,) = home.rglob("progress.sqlite3")
    db.write_bytes(b"not a database" * 100)
    capsys.readouterr()
    cli.run(["--home", str(home), "report"])
    err = capsys.readouterr().err
    (aside,) = db.parent.glob("progress.corrupt-*.sqlite3")
    assert str(aside) in err and "damaged" in err
    assert aside.read_bytes() == b"not a database" * 100
