""".bstann files: read through the guarded reader, written atomically and deterministically,
merged, found beside a dataset, checked against the dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bonescan_tutor.core.annotations import (
    FINDING_KINDS,
    AnnotationsError,
    AnnotationSet,
    CaseAnnotations,
    Mark,
    check,
    merge,
)
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.annotations import (
    annotations_beside,
    read_annotations,
    read_merged,
    write_annotations,
)
from tests.builders import build

A, P = Projection.ANTERIOR, Projection.POSTERIOR


def sample(fingerprint: str = "abc123") -> AnnotationSet:
    return AnnotationSet("Demo", fingerprint, {
        "2": CaseAnnotations(
            lesions=(Mark(A, 120.125, 300.0, 9.5, "ribs", "rib 7, anterior arc"),
                     Mark(P, 131.0, 301.337, 8.0, "ribs")),
            findings=(Mark(A, 60.0, 590.0, 6.0, "knees", "symmetric", "degenerative joint"),),
            teaching_point="Asymmetric rib uptake, not in a line: metastases.",
        ),
        "10": CaseAnnotations(findings=(Mark(P, 40.0, 420.0, 4.0, "wrist", "", "injection site"),)),
    })


def test_a_written_file_reads_back_equal_and_its_bytes_are_canonical(tmp_path: Path) -> None:
    path = tmp_path / "a.bstann"
    write_annotations(path, sample())
    data = path.read_bytes()
    back = read_annotations(path)
    assert back.dataset_name == "Demo" and back.dataset_fingerprint == "abc123"
    assert back.cases["2"].lesions[0] == Mark(A, 120.12, 300.0, 9.5, "ribs", "rib 7, anterior arc")
    assert back.cases["2"].lesions[1].y == 301.34  # rounded to 0.01 px on write
    assert back.cases["10"].findings[0].kind == "injection site"
    assert back.cases["2"].teaching_point.startswith("Asymmetric")
    # writing what was read gives the same bytes: the format is a fixed point
    write_annotations(tmp_path / "b.bstann", back)
    assert (tmp_path / "b.bstann").read_bytes() == data
    text = data.decode("utf-8")
    assert text.endswith("}\n") and '\n  "cases": {' in text
    obj = json.loads(text)
    assert list(obj) == sorted(obj)  # sorted keys
    assert obj["format"] == "bonescan-tutor annotations" and obj["version"] == 1
    assert "created" not in text and str(tmp_path) not in text


def test_the_writer_goes_through_the_atomic_writer(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.bstann"
    path.write_bytes(b"old")
    import bonescan_tutor.storage.atomic_file as atomic

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(AnnotationsError, match="could not be written"):
        write_annotations(path, sample())
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bstann"]


@pytest.mark.parametrize(("body", "named"), [
    (b"", "empty"),
    (b"[1, 2]", "no JSON object"),
    (b'{"format": "bonescan-tutor quiz set", "version": 1}', "format"),
    (b'{"format": "bonescan-tutor annotations", "version": 9, "dataset": {}}', "newer"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, "dataset": {"name": "D"}, '
     b'"cases": {}}', "dataset.fingerprint"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, '
     b'"dataset": {"name": "D", "fingerprint": "f"}, "cases": {"3": {"lesions": '
     b'[{"view": "lateral", "x": 1, "y": 1, "radius": 2}]}}}', "cases['3'].lesions[0].view"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, '
     b'"dataset": {"name": "D", "fingerprint": "f"}, "cases": {"3": {"lesions": '
     b'[{"view": "anterior", "x": "12", "y": 1, "radius": 2}]}}}', "cases['3'].lesions[0].x"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, '
     b'"dataset": {"name": "D", "fingerprint": "f"}, "cases": {"3": {"findings": '
     b'[{"view": "anterior", "x": 1, "y": 1, "radius": 2, "kind": "tumour"}]}}}',
     "cases['3'].findings[0].kind"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, '
     b'"dataset": {"name": "D", "fingerprint": "f"}, "cases": {"3": {"lesions": '
     b'[{"view": "anterior", "x": NaN, "y": 1, "radius": 2}]}}}', "NaN"),
    (b'{"format": "bonescan-tutor annotations", "version": 1, '
     b'"dataset": {"name": "D", "fingerprint": "f"}, "cases": {"3": {"lesions": '
     b'[{"view": "anterior", "x": 1e400, "y": 1, "radius": 2}]}}}', "too large"),
])
def test_a_bad_file_names_the_file_and_the_field(tmp_path: Path, body: bytes, named: str) -> None:
    path = tmp_path / "bad.bstann"
    path.write_bytes(body)
    with pytest.raises(AnnotationsError) as got:
        read_annotations(path)
    assert str(path) in str(got.value) and named in str(got.value)


def test_merging_joins_cases_keeps_one_copy_of_a_repeated_mark_and_warns_on_versions(
    tmp_path: Path,
) -> None:
    extra = AnnotationSet("Demo", "other", {
        "2": CaseAnnotations(lesions=(Mark(A, 120.12, 300.0, 9.5, "ribs", "rib 7, anterior arc"),
                                      Mark(A, 40.0, 40.0, 5.0, "skull")),
                             teaching_point="Look at the skull too."),
        "7": CaseAnnotations(teaching_point="Normal study."),
    })
    write_annotations(tmp_path / "1.bstann", sample())
    write_annotations(tmp_path / "2.bstann", extra)
    merged, warnings = read_merged([tmp_path / "1.bstann", tmp_path / "2.bstann"])
    assert sorted(merged.cases) == ["10", "2", "7"]
    assert [m.region for m in merged.cases["2"].lesions] == ["ribs", "ribs", "skull"]
    assert merged.cases["2"].teaching_point == (
        "Asymmetric rib uptake, not in a line: metastases.\n\nLook at the skull too.")
    assert merged.dataset_fingerprint == "abc123"
    assert len(warnings) == 1 and "2.bstann" in warnings[0] and "other" in warnings[0]
    _, same = merge([sample(), sample()])
    assert same == []


def test_the_file_beside_a_dataset_is_found(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    assert annotations_beside(top) is None
    write_annotations(top / "annotations.bstann", sample())
    assert annotations_beside(top) == top / "annotations.bstann"


def test_check_lists_every_problem_with_a_clear_message(tmp_path: Path) -> None:
    dataset, _ = open_dataset(build(tmp_path / "d"))  # cases 1-2 metastatic, 3-5 not
    ann = AnnotationSet(dataset.name, dataset.fingerprint, {
        "1": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0), Mark(A, 300.0, 500.0, 8.0),
                                      Mark(P, 100.0, -1.0, 8.0), Mark(A, 10.0, 10.0, 0.0),
                                      Mark(A, 10.0, 10.0, -2.0),
                                      Mark(A, float("nan"), 10.0, 2.0))),
        "3": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),),
                             findings=(Mark(A, 100.0, 2000.0, 8.0, kind="fracture"),)),
        "99": CaseAnnotations(teaching_point="?"),
    })
    messages = [str(p) for p in check(ann, dataset)]
    assert messages == [
        "error: case 1, lesion 2 on the anterior view: centre (300, 500) is outside the image "
        "(256 x 1024 pixels).",
        "error: case 1, lesion 3 on the posterior view: centre (100, -1) is outside the image "
        "(256 x 1024 pixels).",
        "error: case 1, lesion 4 on the anterior view: radius 0 px; a radius must be more than 0.",
        "error: case 1, lesion 5 on the anterior view: radius -2 px; a radius must be more than 0.",
        "error: case 1, lesion 6 on the anterior view: x, y and radius must be finite numbers.",
        "error: case 3: 1 lesion(s) on a case labelled 'No bone metastases'; move them to "
        "findings, or check the label.",
        "error: case 3, finding 1 (fracture) on the anterior view: centre (100, 2000) is outside "
        "the image (256 x 1024 pixels).",
        "error: case 99: no such case in the dataset (a typo in the key, or annotations of "
        "another dataset).",
    ]


def test_check_warns_about_annotations_of_another_dataset_version(tmp_path: Path) -> None:
    dataset, _ = open_dataset(build(tmp_path / "d"))
    good = AnnotationSet(dataset.name, dataset.fingerprint,
                         {"1": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),))})
    assert check(good, dataset) == []
    old = AnnotationSet(dataset.name, "0000111122223333", good.cases)
    problems = check(old, dataset)
    assert [p.severity for p in problems] == ["warning"]
    assert "0000111122223333" in problems[0].message
    assert dataset.fingerprint in problems[0].message


def test_the_finding_kinds_are_the_documented_ones() -> None:
    doc = (Path(__file__).parents[2] / "resources/formats/bstann.md").read_text("utf-8")
    for kind in FINDING_KINDS:
        assert f"`{kind}`" in doc


def test_the_documented_example_is_a_file_the_writer_would_write_byte_for_byte(
    tmp_path: Path,
) -> None:
    doc = (Path(__file__).parents[2] / "resources/formats/bstann.md").read_text("utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.bstann"
    path.write_text(example, encoding="utf-8")
    ann = read_annotations(path)
    assert ann.cases["3"].findings[0].kind == "degenerative joint"
    assert ann.cases["3"].lesions[0].region == "lumbar spine"
    assert ann.to_bytes() == example.encode("utf-8")
