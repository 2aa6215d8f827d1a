"""Files the app writes follow the user's umask (a shared lab folder), not 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bonescan_tutor.core.scoring import summary
from bonescan_tutor.figures.scan_figure import save_png
from bonescan_tutor.storage.export import (
    export_attempts_csv,
    export_imrmc,
    export_workbook,
)
from bonescan_tutor.storage.quizsets import write_quizset
from tests.storage.instructor_data import quiz_set
from tests.storage.test_export import NAMES, attempts


@pytest.fixture(params=[(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)], ids=["022", "077", "002"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask, expected = request.param
    old = os.umask(mask)
    try:
        yield expected
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_writer_gives_the_umask_mode(tmp_path: Path, umask: int) -> None:
    data = attempts()
    written = [
        export_attempts_csv(data, tmp_path / "a.csv", NAMES),
        export_workbook(data, {"Ana": summary([s.answer for s in data[:4]])}, tmp_path / "r.xlsx", NAMES),
        export_imrmc(data, tmp_path / "m.imrmc", modality="bone scan", trainee_names=NAMES),
        save_png(Image.new("RGB", (4, 4)), tmp_path / "f.png"),
    ]
    write_quizset(quiz_set(), tmp_path / "q.json")
    written.append(tmp_path / "q.json")
    assert {p.name: oct(_mode(Path(p))) for p in written} == {
        Path(p).name: oct(umask) for p in written}


def test_replacing_an_existing_file_gives_the_umask_mode(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "q.json"
    target.write_text("old")
    target.chmod(0o600)
    write_quizset(quiz_set(), target)
    assert _mode(target) == umask
