"""Quiz-set files: round trip, every kind of bad file, checks against a dataset, draws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.quizsets import (
    QuizSetError,
    check_against,
    draw_cases,
    read_quizset,
    usable_spec,
    write_quizset,
)
from tests.storage.instructor_data import dataset, quiz_set


def written(tmp_path: Path, **changes: object) -> Path:
    """A valid quiz-set file with some top-level fields changed (None deletes)."""
    path = tmp_path / "set.bstquiz"
    write_quizset(quiz_set(), path)
    data = json.loads(path.read_text())
    for k, v in changes.items():
        if v is None:
            data.pop(k)
        else:
            data[k] = v
    path.write_text(json.dumps(data))
    return path


def test_round_trip_keeps_every_setting(tmp_path: Path) -> None:
    qs = quiz_set(results_folder="/srv/results")
    from dataclasses import replace

    spec = replace(
        qs.spec,
        instructions="Read carefully.",
        time_limit_per_case_s=90.0,
        time_limit_total_s=1800.0,
        show_clinical=False,
        tools_allowed=frozenset({Tool.WINDOWING, Tool.INVERT}),
        certainty_required=False,
        shuffle=False,
    )
    qs = replace(qs, spec=spec)
    path = tmp_path / "w.bstquiz"
    write_quizset(qs, path)
    assert read_quizset(path) == qs
    text = path.read_text()
    assert text.startswith("{\n  ") and text.endswith("}\n")  # pretty JSON
    assert json.loads(text)["settings"]["tools_allowed"] == ["invert", "windowing"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_fingerprint_is_sha256_of_the_canonical_json() -> None:
    import hashlib

    qs = quiz_set()
    assert qs.fingerprint == hashlib.sha256(qs.canonical_json().encode()).hexdigest()
    assert quiz_set(keys=("1", "2")).fingerprint != qs.fingerprint


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "x.bstquiz"
    path.write_bytes(b"\x89PNG not json at all")
    with pytest.raises(QuizSetError, match=r"x\.bstquiz: not a quiz-set file .*not UTF-8 text"):
        read_quizset(path)
    path.write_text("quiz: week 3")
    with pytest.raises(QuizSetError, match=r"x\.bstquiz: not a quiz-set file .*line 1, column 1"):
        read_quizset(path)


def test_json_of_another_kind(tmp_path: Path) -> None:
    path = tmp_path / "x.bstquiz"
    path.write_text('{"hello": 1}')
    with pytest.raises(QuizSetError, match="not a bonescan-tutor quiz set"):
        read_quizset(path)


def test_newer_format_version_says_update_the_app(tmp_path: Path) -> None:
    with pytest.raises(QuizSetError, match=r"made by a newer bonescan-tutor.*Update the app"):
        read_quizset(written(tmp_path, version=3))


def test_unknown_fields_are_listed(tmp_path: Path) -> None:
    path = written(tmp_path, weighting="double", zz_extra=1)
    with pytest.raises(QuizSetError, match="unknown field\\(s\\): weighting, zz_extra"):
        read_quizset(path)


def test_unknown_settings_field_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "set.bstquiz"
    write_quizset(quiz_set(), path)
    data = json.loads(path.read_text())
    data["settings"]["negative_marking"] = True
    path.write_text(json.dumps(data))
    with pytest.raises(QuizSetError, match=r"settings\.negative_marking"):
        read_quizset(path)


def test_missing_fields_are_listed(tmp_path: Path) -> None:
    path = written(tmp_path, case_keys=None, settings=None)
    with pytest.raises(QuizSetError, match="missing field\\(s\\): case_keys, settings") as exc:
        read_quizset(path)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/b", "C:\\x", "..", " 7", "a\x00b", ""])
def test_path_like_keys_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(QuizSetError, match="bad case key"):
        read_quizset(written(tmp_path, case_keys=["1", bad]))


def test_thousands_of_keys_are_rejected(tmp_path: Path) -> None:
    keys = [str(i) for i in range(5001)]
    with pytest.raises(QuizSetError, match="5001 cases; a quiz set holds at most 5000"):
        read_quizset(written(tmp_path, case_keys=keys))
    assert len(read_quizset(written(tmp_path, case_keys=keys[:5000])).spec.case_keys) == 5000


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(QuizSetError, match="more than once: 2"):
        read_quizset(written(tmp_path, case_keys=["1", "2", "2"]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mode", "homework", 'must be "practice" or "exam"'),
        ("seed", "12", 'seed" must be a whole number'),
        ("shuffle", "yes", 'shuffle" must be true or false'),
        ("time_limit_per_case_s", -3, "positive number of seconds"),
        ("tools_allowed", ["windowing", "xray"], "unknown viewer tool\\(s\\).*xray"),
    ],
)
def test_wrong_setting_types(tmp_path: Path, field: str, value: object, message: str) -> None:
    path = tmp_path / "set.bstquiz"
    write_quizset(quiz_set(), path)
    data = json.loads(path.read_text())
    data["settings"][field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(QuizSetError, match=message):
        read_quizset(path)


def test_wrong_top_level_types(tmp_path: Path) -> None:
    path = written(tmp_path, title=7, case_keys="1,2,3", created="yesterday")
    with pytest.raises(QuizSetError) as exc:
        read_quizset(path)
    text = str(exc.value)
    assert '"title" must be text' in text and '"case_keys" must be a list' in text
    assert "not an ISO 8601" in text


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(QuizSetError, match="no such file"):
        read_quizset(tmp_path / "nope.bstquiz")
    with pytest.raises(QuizSetError, match="a folder"):
        read_quizset(tmp_path)


def test_write_to_unwritable_place_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(QuizSetError, match="is a file, not a folder"):
        write_quizset(quiz_set(), blocker / "set.bstquiz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# -- against a dataset ------------------------------------------------------------------


def test_check_lists_missing_and_doubtful_and_keeps_order() -> None:
    qs = quiz_set(keys=("8", "1", "99", "2", "7"))
    ds = dataset(doubtful=("2",))
    check = check_against(qs, ds)
    assert check.usable_keys == ("8", "1", "7")
    assert check.missing_keys == ["99"] and check.skipped_keys == ("2",)
    assert check.fingerprint_matches and check.ok
    text = " ".join(check.messages)
    assert "not in this dataset" in text and "99" in text and "doubtful label" in text
    assert usable_spec(qs, check).case_keys == ("8", "1", "7")


def test_check_warns_on_another_dataset_version() -> None:
    check = check_against(quiz_set(), dataset(fingerprint="fp-2"))
    assert not check.fingerprint_matches
    assert check.messages[0].startswith("Warning:") and "fp-2" in check.messages[0]


def test_check_with_nothing_usable() -> None:
    qs = quiz_set(keys=("98", "99"))
    check = check_against(qs, dataset())
    assert not check.ok and check.usable_keys == ()
    with pytest.raises(UsageError):
        usable_spec(qs, check)


# -- drawing cases ------------------------------------------------------------------------


def test_draw_is_deterministic_and_stratified() -> None:
    ds = dataset(n_met=6, n_normal=14)
    a = draw_cases(ds, 10, 0.5, seed=42)
    assert a == draw_cases(ds, 10, 0.5, seed=42)
    assert a != draw_cases(ds, 10, 0.5, seed=43)
    assert len(set(a)) == 10
    assert sum(ds.case(k).diagnosis is Diagnosis.METASTASES for k in a) == 5


@pytest.mark.parametrize(
    ("n", "prevalence", "seed", "keys"),
    [
        (7, 0.5, 42, ("9", "8", "5", "15", "4", "3", "1")),
        (5, None, 9, ("6", "10", "15", "3", "8")),
        (4, 1.0, 3, ("3", "2", "5", "1")),
        (3, 0.0, 3, ("16", "9", "8")),
    ],
)
def test_a_seed_draws_the_same_keys_in_every_version(
    n: int, prevalence: float | None, seed: int, keys: tuple[str, ...]
) -> None:
    """Quiz sets written with a seed are redrawn by later versions: the keys are pinned."""
    assert draw_cases(dataset(n_met=6, n_normal=14), n, prevalence, seed=seed) == keys


def test_draw_natural_prevalence_and_doubtful_cases_left_out() -> None:
    ds = dataset(n_met=6, n_normal=14, doubtful=("1",))
    keys = draw_cases(ds, 19, None, seed=1)
    assert "1" not in keys and len(keys) == 19
    # 5 of 19 eligible cases are metastatic: floor(19 * 5/19 + 0.5) = 5
    assert sum(ds.case(k).diagnosis is Diagnosis.METASTASES for k in keys) == 5


@pytest.mark.parametrize(
    ("n", "prevalence", "positives"),
    [
        (25, 0.58, 15),  # 14.5 rounds up; 25 * 0.58 in binary floating point is 14.4999...
        (25, 0.5, 13),  # 12.5 -> 13
        (10, 0.35, 4),  # 3.5 -> 4
        (10, 0.3, 3),
        (3, 0.5, 2),
        (20, 1 / 3, 7),  # 6.67 -> 7
        (9, 0.0, 0),
        (9, 1.0, 9),
    ],
)
def test_draw_rounds_half_up_exactly(n: int, prevalence: float, positives: int) -> None:
    ds = dataset(n_met=30, n_normal=30)
    keys = draw_cases(ds, n, prevalence, seed=5)
    assert len(keys) == n
    assert sum(ds.case(k).diagnosis is Diagnosis.METASTASES for k in keys) == positives


def test_draw_order_is_not_grouped_by_label() -> None:
    ds = dataset(n_met=10, n_normal=10)
    keys = draw_cases(ds, 20, 0.5, seed=3)
    labels = [ds.case(k).diagnosis for k in keys]
    assert labels != sorted(labels, key=lambda d: d.value)


def test_draw_with_a_filter() -> None:
    ds = dataset()
    keys = draw_cases(ds, 4, 0.5, seed=0, filters=lambda c: int(c.key) % 2 == 0)
    assert all(int(k) % 2 == 0 for k in keys)


def test_draw_says_how_many_there_are() -> None:
    ds = dataset(n_met=3, n_normal=14)
    with pytest.raises(UsageError, match=r"4 case\(s\) with metastases.*only 3"):
        draw_cases(ds, 8, 0.5, seed=0)
    with pytest.raises(UsageError, match="only 17 usable"):
        draw_cases(ds, 18, None, seed=0)
    with pytest.raises(UsageError, match="between 0 and 1"):
        draw_cases(ds, 4, 1.5, seed=0)
    with pytest.raises(UsageError, match="at least 1"):
        draw_cases(ds, 0, None, seed=0)


def test_exam_mode_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "e.bstquiz"
    write_quizset(quiz_set(mode=QuizMode.PRACTICE), path)
    assert read_quizset(path).spec.mode is QuizMode.PRACTICE


def test_the_documented_example_is_a_valid_quiz_set() -> None:
    from bonescan_tutor.storage.quizsets import quizset_from_dict

    doc = Path(__file__).resolve().parents[2] / "resources" / "formats" / "bstquiz.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    qs = quizset_from_dict(json.loads(example), "bstquiz.md")
    assert qs.spec.mode is QuizMode.EXAM and qs.spec.time_limit_per_case_s == 90.0
    assert qs.to_dict() == json.loads(example)


# -- version 2: pass mark and LRS endpoint ---------------------------------------------


def test_a_set_without_pass_mark_or_endpoint_stays_version_1(tmp_path: Path) -> None:
    """Older apps still open it, and its fingerprint (named by results files) is unchanged."""
    qs = quiz_set()
    data = qs.to_dict()
    assert data["version"] == 1 and "pass_mark" not in data and "lrs_endpoint" not in data
    assert qs.pass_mark is None and qs.lrs_endpoint is None
    path = tmp_path / "v1.bstquiz"
    write_quizset(qs, path)
    assert json.loads(path.read_text())["version"] == 1
    assert read_quizset(path) == qs


def test_pass_mark_and_endpoint_round_trip_as_version_2(tmp_path: Path) -> None:
    from dataclasses import replace

    qs = replace(quiz_set(), pass_mark=0.75, lrs_endpoint="https://lrs.example.org/xAPI/")
    path = tmp_path / "v2.bstquiz"
    write_quizset(qs, path)
    data = json.loads(path.read_text())
    assert data["version"] == 2
    assert data["pass_mark"] == 0.75 and data["lrs_endpoint"] == "https://lrs.example.org/xAPI/"
    back = read_quizset(path)
    assert back == qs and back.pass_mark == 0.75
    assert back.lrs_endpoint == "https://lrs.example.org/xAPI/"
    assert back.fingerprint == qs.fingerprint != quiz_set().fingerprint
    only_mark = replace(quiz_set(), pass_mark=1)
    write_quizset(only_mark, path)
    assert read_quizset(path).pass_mark == 1.0 and read_quizset(path).lrs_endpoint is None


def test_for_dataset_takes_pass_mark_and_endpoint() -> None:
    from bonescan_tutor.storage.quizsets import QuizSet

    qs = QuizSet.for_dataset(
        quiz_set().spec, dataset(), pass_mark=0.5, lrs_endpoint="http://127.0.0.1:8100/xAPI"
    )
    assert qs.pass_mark == 0.5 and qs.lrs_endpoint == "http://127.0.0.1:8100/xAPI"


@pytest.mark.parametrize("mark", [0, 0.0, 0.5, 1, 1.0])
def test_pass_marks_from_0_to_1_are_read(tmp_path: Path, mark: float) -> None:
    qs = read_quizset(written(tmp_path, version=2, pass_mark=mark))
    assert qs.pass_mark == mark and isinstance(qs.pass_mark, float)


@pytest.mark.parametrize("mark", [-0.1, 1.01, 80, "0.8", True, [0.8], {"v": 1}])
def test_bad_pass_marks_are_refused_naming_the_field(tmp_path: Path, mark: object) -> None:
    path = written(tmp_path, version=2, pass_mark=mark)
    with pytest.raises(QuizSetError, match=r'"pass_mark" must be null or the fraction') as exc:
        read_quizset(path)
    assert str(path) in str(exc.value)


def test_a_huge_pass_mark_number_is_refused_by_the_guarded_reader(tmp_path: Path) -> None:
    path = written(tmp_path, version=2)
    text = path.read_text().replace('"version": 2', '"version": 2, "pass_mark": 1e999')
    path.write_text(text)
    with pytest.raises(QuizSetError, match=r"set\.bstquiz"):
        read_quizset(path)


def test_null_pass_mark_and_endpoint_mean_none(tmp_path: Path) -> None:
    path = written(tmp_path, version=2)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "pass_mark": None, "lrs_endpoint": None}))
    qs = read_quizset(path)
    assert qs.pass_mark is None and qs.lrs_endpoint is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://ana:secret@lrs.example.org/xAPI/", "must not hold a user name or password"),
        ("https://ana@lrs.example.org/xAPI/", "must not hold a user name or password"),
        ("https://lrs.example.org/xAPI/?token=abc", "must not have a query string"),
        ("https://lrs.example.org/xAPI/#k=1", "must not have a query string"),
        ("ftp://lrs.example.org/xAPI/", "must be an http"),
        ("file:///etc/passwd", "must be an http"),
        ("javascript:alert(1)", "must be an http"),
        ("lrs.example.org/xAPI", "must be an http"),
        ("https://", "must be an http"),
        ("https://lrs.example.org:99999/", "is not a URL"),
        ("https://lrs.example.org/x API", "blanks or control characters"),
        ("https://lrs.example.org/\x00", "blanks or control characters"),
        ("", "blanks or control characters"),
        ("https://lrs.example.org/" + "a" * 2000, "at most 2000"),
        (42, "must be null or text"),
        (["https://lrs.example.org/"], "must be null or text"),
    ],
)
def test_bad_endpoints_are_refused_naming_the_field(
    tmp_path: Path, url: object, message: str
) -> None:
    path = written(tmp_path, version=2, lrs_endpoint=url)
    with pytest.raises(QuizSetError, match='"lrs_endpoint"') as exc:
        read_quizset(path)
    assert message in str(exc.value) and str(path) in str(exc.value)


def test_a_set_with_a_secret_in_its_endpoint_is_not_written(tmp_path: Path) -> None:
    from dataclasses import replace

    qs = replace(quiz_set(), lrs_endpoint="https://u:p@lrs.example.org/xAPI/")
    path = tmp_path / "s.bstquiz"
    with pytest.raises(QuizSetError, match="user name or password"):
        write_quizset(qs, path)
    assert not path.exists()
