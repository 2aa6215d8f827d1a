"""Reading the BS-80K whole-body layout from small trees built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Dataset, Diagnosis, Layout, Projection
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import bs80k
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.datasets.reader import Recognition
from bonescan_tutor.datasets.tree import FileTree
from tests.builders import zip_tree


def image(path: Path, size: tuple[int, int] = (256, 1024), seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (size[1], size[0]), dtype=np.uint8)
    Image.fromarray(pixels, mode="L").save(path)
    return path


def tree(
    root: Path,
    ant: dict[str, str] | None = None,
    post: dict[str, str] | None = None,
    *,
    folders: tuple[str, str] = ("wholeBodyANT", "wholeBodyPOST"),
    newline: str = "\n",
) -> Path:
    """Write both view folders: image files plus ``<folder>.txt`` lines ``name label``."""
    for folder, listing in zip(folders, (ant, post), strict=True):
        if listing is None:
            continue
        d = root / folder
        d.mkdir(parents=True, exist_ok=True)
        for i, name in enumerate(listing):
            image(d / name, seed=i)
        lines = [f"{name} {label}" for name, label in listing.items()]
        (d / f"{folder}.txt").write_text(newline.join(lines) + newline, newline="")
    return root


def load(root: Path) -> tuple[list[tuple[str, Diagnosis, int]], ValidationReport, Dataset]:
    report = ValidationReport()
    ds = bs80k.read(root, report)
    summary = [(c.key, c.diagnosis, len(c.views)) for c in ds]
    return summary, report, ds


def recognised(root: Path) -> Recognition:
    with FileTree.open(root) as t:
        return bs80k.recognises(t)


def test_recognises_the_view_folders_in_any_spelling(tmp_path: Path) -> None:
    assert recognised(tree(tmp_path / "a", {"1.jpg": "0"}, {"1.jpg": "0"})).score == 0.9
    assert recognised(
        tree(tmp_path / "b", {"1.jpg": "0"}, None, folders=("wholebody_ant", "wholebody_post"))
    )
    assert recognised(tree(tmp_path / "c" / "BS-80K", None, {"1.jpg": "0"}).parent)
    (tmp_path / "d" / "Bone metastases" / "Anterior").mkdir(parents=True)
    assert not recognised(tmp_path / "d")
    (tmp_path / "e" / "wholeBodyANT").mkdir(parents=True)
    assert recognised(tmp_path / "e").score < 0.9  # the folder without its list


def test_a_bs80k_zip_reads_like_its_folder(tmp_path: Path) -> None:
    root = tree(tmp_path / "BS-80K", {"1_ant.png": "1", "2_ant.png": "0"},
                {"1_post.png": "1", "2_post.png": "0"})
    archive = zip_tree(root, tmp_path / "BS-80K.zip")
    (from_folder, _, folder_ds), (from_zip, report, zip_ds) = load(root), load(archive)
    assert from_zip == from_folder == [("1", Diagnosis.METASTASES, 2),
                                      ("2", Diagnosis.NO_METASTASES, 2)]
    assert list(report) == [] and zip_ds.fingerprint == folder_ds.fingerprint
    view = zip_ds.case("1").anterior
    assert view.archive == str(archive) and load_view(view).shape == (1024, 256)


def test_read_pairs_identical_stems_and_reads_labels(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"10.jpg": "1", "2.jpg": "0", "3.jpg": "0"},
        {"10.jpg": "1", "2.jpg": "0", "3.jpg": "0"},
    )
    summary, report, ds = load(root)
    assert summary == [
        ("2", Diagnosis.NO_METASTASES, 2),
        ("3", Diagnosis.NO_METASTASES, 2),
        ("10", Diagnosis.METASTASES, 2),
    ]
    assert list(report) == []
    case = ds.case("10")
    assert case.anterior.projection is Projection.ANTERIOR
    assert case.anterior.path.endswith("wholeBodyANT/10.jpg")
    assert case.posterior.path.endswith("wholeBodyPOST/10.jpg")
    assert (case.anterior.width, case.anterior.height) == (256, 1024)
    assert ds.layout is Layout.BS80K
    assert load_view(case.anterior).shape == (1024, 256)
    # Shown in BS-80K's own words; the class code stays metastases.
    assert ds.label(case.diagnosis) == "Abnormal" and ds.answer(case.diagnosis) == "Abnormal"
    assert ds.label(Diagnosis.NO_METASTASES) == "Normal"
    assert case.diagnosis.value == "metastases"


def test_fingerprint_is_stable_and_follows_labels(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0"}, {"1.jpg": "0"})
    first = load(root)[2].fingerprint
    assert load(root)[2].fingerprint == first
    (root / "wholeBodyANT" / "wholeBodyANT.txt").write_text("1.jpg 1\n")
    (root / "wholeBodyPOST" / "wholeBodyPOST.txt").write_text("1.jpg 1\n")
    assert load(root)[2].fingerprint != first


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("0042_ANT.jpg", "0042"),
        ("0042-post.JPG", "0042"),
        ("p7 anterior.png", "p7"),
        ("0042ANT.jpg", "0042"),
        ("0042posterior.jpg", "0042"),
        ("0042.jpg", "0042"),
        ("ant.jpg", "ant"),
        ("plant_12.jpg", "plant_12"),
    ],
)
def test_patient_id_rule(name: str, expected: str) -> None:
    assert bs80k.patient_id(name) == expected


def test_read_pairs_stems_that_differ_only_by_a_projection_token(tmp_path: Path) -> None:
    root = tree(tmp_path, {"0042_ANT.jpg": "1", "7ant.jpg": "0"}, {"0042_POST.jpg": "1"})
    summary, report, _ = load(root)
    assert summary == [("7", Diagnosis.NO_METASTASES, 1), ("0042", Diagnosis.METASTASES, 2)]
    assert list(report) == []


def test_a_single_view_makes_a_one_view_case(tmp_path: Path) -> None:
    summary, report, ds = load(tree(tmp_path, None, {"5.png": "1"}))
    assert summary == [("5", Diagnosis.METASTASES, 1)]
    assert list(report) == []
    assert ds.case("5").anterior is None
    assert ds.case("5").quiz_eligible


def test_disagreeing_views_are_a_label_conflict(tmp_path: Path) -> None:
    _, report, ds = load(tree(tmp_path, {"1.jpg": "1", "2.jpg": "0"}, {"1.jpg": "0", "2.jpg": "0"}))
    [conflict] = report.of_kind(ProblemKind.LABEL_CONFLICT)
    assert conflict.case_key == "1"
    assert conflict.severity is Severity.WARNING
    assert "Abnormal" in conflict.message and "Normal" in conflict.message
    assert "metastases" not in conflict.message
    case = ds.case("1")
    assert case.label_doubtful and not case.quiz_eligible
    assert [c.key for c in ds.quiz_cases] == ["2"]


def test_label_lists_tolerate_tabs_spaces_blank_lines_crlf_and_bom(tmp_path: Path) -> None:
    root = tmp_path
    for folder in ("wholeBodyANT", "wholeBodyPOST"):
        for i, name in enumerate(("1.jpg", "2.jpg", "3.jpg")):
            image(root / folder / name, seed=i)
    text = "\ufeff1.jpg\t1\r\n\r\n  2.jpg    0  \r\n3.jpg \t 1\r\n\r\n"
    (root / "wholeBodyANT" / "wholeBodyANT.txt").write_bytes(text.encode("utf-8"))
    (root / "wholeBodyPOST" / "WHOLEBODYPOST.TXT").write_text("1.jpg 1\n2.jpg 0\n3.jpg 1")
    summary, report, _ = load(root)
    assert summary == [
        ("1", Diagnosis.METASTASES, 2),
        ("2", Diagnosis.NO_METASTASES, 2),
        ("3", Diagnosis.METASTASES, 2),
    ]
    assert list(report) == []


def test_listed_but_missing_and_present_but_unlisted_are_reported(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0"}, {"1.jpg": "0"})
    with open(root / "wholeBodyANT" / "wholeBodyANT.txt", "a") as f:
        f.write("Gone.jpg 1\n")
    image(root / "wholeBodyPOST" / "9.jpg")
    summary, report, _ = load(root)
    assert summary == [("1", Diagnosis.NO_METASTASES, 2)]
    [missing] = report.of_kind(ProblemKind.ROW_WITHOUT_IMAGES)
    assert missing.file.endswith("Gone.jpg") and "wholeBodyANT.txt line 2" in missing.message
    [extra] = report.of_kind(ProblemKind.IMAGES_WITHOUT_ROW)
    assert extra.file.endswith("9.jpg") and "wholeBodyPOST.txt" in extra.message


def test_unknown_label_values_are_reported_and_left_out(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "2", "2.jpg": "0", "3.jpg": "abnormal"}, None)
    summary, report, _ = load(root)
    assert summary == [("2", Diagnosis.NO_METASTASES, 1)]
    unknown = report.of_kind(ProblemKind.UNKNOWN_LABEL)
    assert [p.message.split(":")[0] for p in unknown] == ["Line 1", "Line 3"]
    assert all(p.severity is Severity.ERROR for p in unknown)
    # The unlabelled files are also flagged as present but without a usable line.
    assert len(report.of_kind(ProblemKind.IMAGES_WITHOUT_ROW)) == 2


def test_a_line_without_a_label_is_a_bad_value(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0"}, None)
    with open(root / "wholeBodyANT" / "wholeBodyANT.txt", "a") as f:
        f.write("lonely.jpg\n")
    _, report, _ = load(root)
    [bad] = report.of_kind(ProblemKind.BAD_VALUE)
    assert "Line 2" in bad.message


def test_unreadable_image_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0", "2.jpg": "1"}, {"1.jpg": "0", "2.jpg": "1"})
    (root / "wholeBodyANT" / "2.jpg").write_bytes(b"not a jpeg at all")
    summary, report, _ = load(root)
    assert summary == [("1", Diagnosis.NO_METASTASES, 2), ("2", Diagnosis.METASTASES, 1)]
    [bad] = report.of_kind(ProblemKind.UNREADABLE_IMAGE)
    assert bad.file.endswith("wholeBodyANT/2.jpg")


def test_wrong_size_is_a_warning_and_still_loads(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0", "2.jpg": "0"}, None)
    image(root / "wholeBodyANT" / "2.jpg", size=(300, 900))
    summary, report, ds = load(root)
    assert [k for k, _, _ in summary] == ["1", "2"]
    [odd] = report.of_kind(ProblemKind.UNEXPECTED_SIZE)
    assert odd.severity is Severity.WARNING and "300 x 900" in odd.message
    assert ds.case("2").anterior.width == 300


def test_folder_without_label_list_is_reported(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0"}, None)
    image(root / "wholeBodyPOST" / "1.jpg")
    summary, report, _ = load(root)
    assert summary == [("1", Diagnosis.NO_METASTASES, 1)]
    [none] = report.of_kind(ProblemKind.NO_SPREADSHEET)
    assert none.file.endswith("wholeBodyPOST")


def test_duplicate_lines_warn_and_contradicting_lines_leave_the_image_out(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0", "2.jpg": "1"}, None)
    with open(root / "wholeBodyANT" / "wholeBodyANT.txt", "a") as f:
        f.write("1.jpg 0\n2.jpg 0\n")
    summary, report, _ = load(root)
    assert summary == [("1", Diagnosis.NO_METASTASES, 1)]
    assert report.of_kind(ProblemKind.DUPLICATE_KEY)[0].severity is Severity.WARNING
    assert len(report.of_kind(ProblemKind.LABEL_CONFLICT)) == 1


def test_indexing_reads_headers_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pixels decoded while indexing")

    monkeypatch.setattr("bonescan_tutor.datasets.images.decode_image", refuse)
    monkeypatch.setattr("bonescan_tutor.datasets.images.to_uint16", refuse)
    summary, _, _ = load(tree(tmp_path, {"1.jpg": "0"}, {"1.jpg": "0"}))
    assert summary == [("1", Diagnosis.NO_METASTASES, 2)]


def test_a_folder_of_something_else_raises(tmp_path: Path) -> None:
    (tmp_path / "Anterior").mkdir()
    with pytest.raises(DatasetError, match="wholeBodyANT"):
        bs80k.read(tmp_path, ValidationReport())


def test_a_file_name_giving_a_path_like_key_is_refused_with_a_message(tmp_path: Path) -> None:
    root = tree(tmp_path, {"c:x.jpg": "1", "2.jpg": "0"}, {"c:x.jpg": "1", "2.jpg": "0"})
    summary, report, _ = load(root)
    assert summary == [("2", Diagnosis.NO_METASTASES, 2)]
    problems = report.of_kind(ProblemKind.BAD_VALUE)
    assert len(problems) == 2 and all("'c:x'" in p.message for p in problems)


def test_a_listed_view_that_is_missing_keeps_the_case_out_of_quizzes(tmp_path: Path) -> None:
    root = tree(tmp_path, {"1.jpg": "0", "2.jpg": "1"}, {"1.jpg": "0", "2.jpg": "1"})
    (root / "wholeBodyPOST" / "2.jpg").unlink()
    _, report, ds = load(root)
    assert report.of_kind(ProblemKind.ROW_WITHOUT_IMAGES)
    assert [c.key for c in ds.quiz_cases] == ["1"]
    assert ds.case("2").missing_views == (Projection.POSTERIOR,)


def test_an_unreadable_label_list_is_reported_and_the_other_folder_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path, {"1.jpg": "0"}, {"1.jpg": "0"})
    listing = root / "wholeBodyPOST" / "wholeBodyPOST.txt"
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == listing:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    summary, report, _ = load(root)
    assert summary == [("1", Diagnosis.NO_METASTASES, 1)]
    (problem,) = report.of_kind(ProblemKind.BAD_SPREADSHEET)
    assert problem.file == str(listing) and "Permission denied" in problem.message
