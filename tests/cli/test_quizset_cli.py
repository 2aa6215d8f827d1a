"""`bonescan-tutor quizset create|check` on tiny datasets built in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bonescan_tutor import cli
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.quizsets import draw_cases, read_quizset, write_quizset
from tests.builders import Spec, build
from tests.storage.instructor_data import quiz_set


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("ds"), Spec(n_met=4, n_normal=8))


def create(
    capsys: pytest.CaptureFixture[str], ds: Path, out: Path, *extra: str
) -> tuple[int, str, str]:
    return run(
        capsys,
        "quizset",
        "create",
        "--dataset",
        str(ds),
        "--cases",
        "6",
        "--title",
        "Week 3",
        "--out",
        str(out),
        *extra,
    )


def test_same_seed_same_cases_as_draw_cases(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.bstquiz", tmp_path / "b.bstquiz"
    for out in (a, b):
        code, text, _ = create(capsys, ds, out, "--seed", "17", "--prevalence", "0.5")
        assert (
            code == 0 and "6 case(s) (3 with metastases, 3 without)" in text and "seed 17" in text
        )
    qa, qb = read_quizset(a), read_quizset(b)
    assert qa.spec.case_keys == qb.spec.case_keys
    assert qa.id != qb.id  # two quiz sets, same selection
    dataset, _ = open_dataset(ds)
    assert qa.spec.case_keys == draw_cases(dataset, 6, 0.5, 17)
    assert qa.spec.seed == 17 and qa.dataset_fingerprint == dataset.fingerprint


def test_every_setting_reaches_the_file(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.bstquiz"
    code, _, _ = create(
        capsys,
        ds,
        out,
        "--mode",
        "exam",
        "--time-per-case",
        "60",
        "--time-total",
        "900",
        "--no-clinical",
        "--tools",
        "windowing,invert",
        "--author",
        "Dr. Rivas",
        "--results-folder",
        str(tmp_path / "in"),
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["settings"] | {"seed": 0} == {
        "mode": "exam",
        "seed": 0,
        "shuffle": True,
        "time_limit_per_case_s": 60.0,
        "time_limit_total_s": 900.0,
        "show_clinical": False,
        "tools_allowed": ["invert", "windowing"],
        "certainty_required": True,
    }
    assert data["author"] == "Dr. Rivas" and data["results_folder"] == str(tmp_path / "in")


def test_create_errors(capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path) -> None:
    code, _, err = create(capsys, ds, tmp_path / "x.bstquiz", "--tools", "xray")
    assert code == 2 and "unknown tool(s) xray" in err
    code, _, err = run(
        capsys,
        "quizset",
        "create",
        "--dataset",
        str(ds),
        "--cases",
        "9",
        "--prevalence",
        "0.5",
        "--title",
        "T",
        "--out",
        str(tmp_path / "y.bstquiz"),
    )
    assert code == 2 and "only 4 usable" in err
    assert not (tmp_path / "y.bstquiz").exists()


def test_check_prints_usable_and_missing(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.bstquiz"
    write_quizset(quiz_set(keys=("1", "5", "99")), path)
    code, out, _ = run(capsys, "quizset", "check", str(path), "--dataset", str(ds))
    assert code == 0
    assert "2 of 3 case(s) can be used" in out and "99" in out and "Warning:" in out


def test_check_with_nothing_usable_fails(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.bstquiz"
    write_quizset(quiz_set(keys=("98", "99")), path)
    code, out, _ = run(capsys, "quizset", "check", str(path), "--dataset", str(ds))
    assert code == 1 and "No case of this quiz set can be used" in out


def test_check_an_invalid_file(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.bstquiz"
    path.write_text("not json")
    code, _, err = run(capsys, "quizset", "check", str(path), "--dataset", str(ds))
    assert code == 2 and "bad.bstquiz: not a quiz-set file" in err


def test_the_global_dataset_option_also_works(
    capsys: pytest.CaptureFixture[str], ds: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.bstquiz"
    write_quizset(quiz_set(keys=("1",)), path)
    code, out, _ = run(capsys, "--dataset", str(ds), "quizset", "check", str(path))
    assert code == 0 and "1 of 1 case(s)" in out


def test_headless_commands_do_not_load_qt() -> None:
    code = (
        "import sys; from bonescan_tutor import cli; cli.build_parser(); "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "False", r.stderr


def test_the_readme_quizset_example_works_on_the_demo(tmp_path: Path, capsys) -> None:
    import re
    import shlex

    from bonescan_tutor import paths

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"`bonescan-tutor (quizset create [^`]+)`", readme)
    assert example is not None
    args = shlex.split(example.group(1))
    args[args.index("--dataset") + 1] = str(paths.demo_dataset_dir())
    args[args.index("--out") + 1] = str(tmp_path / "week3.bstquiz")
    assert cli.run(args) == 0, capsys.readouterr().err
    assert len(read_quizset(tmp_path / "week3.bstquiz").spec.case_keys) > 0


def test_create_never_writes_a_set_the_app_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A manifest key the quiz-set reader refuses (``a/b``) ends in a message, no file."""
    import numpy as np
    from PIL import Image

    root = tmp_path / "ds"
    (root / "img").mkdir(parents=True)
    lines = ["case,anterior,posterior,diagnosis"]
    for key, name, label in (("a/b", "ab", "Bone metastases"), ("2", "2", "No bone metastases")):
        for side in "ap":
            Image.fromarray(np.full((1024, 256), 1000, dtype=np.uint16)).save(
                root / "img" / f"{name}{side}.png"
            )
        lines.append(f"{key},img/{name}a.png,img/{name}p.png,{label}")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "set.bstquiz"
    code, _, err = run(capsys, "quizset", "create", "--dataset", str(root), "--cases", "2",
                       "--seed", "1", "--title", "T", "--out", str(out))
    assert code != 0 and "usable case" in err and not out.exists()
    # The dataset reader refuses the key by the quiz-set rule, naming it, so no set holds it.
    from bonescan_tutor.datasets.detect import open_dataset

    dataset, report = open_dataset(root)
    assert "a/b" not in dataset and any("'a/b'" in p.message for p in report)
