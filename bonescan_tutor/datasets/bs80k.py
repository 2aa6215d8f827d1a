"""The BS-80K whole-body layout (West China Hospital).

A folder or its zip. One folder per projection, e.g. ``wholeBodyANT/`` and ``wholeBodyPOST/`` (any case;
``wholebody_ant``, ``WholeBody-Posterior`` also do), each holding JPG (or PNG) images
and a text file named like the folder (``wholeBodyANT.txt``) whose lines read
``filename label`` with 0 = normal, 1 = abnormal (abnormal is taken as the positive
class, ``Diagnosis.METASTASES``).

Pairing rule: a view's patient id is its file stem, lower-cased, with one projection
token removed: a token ``ant``/``anterior``/``post``/``posterior`` separated by ``_``,
``-``, ``.`` or a space (``0042_ANT`` -> ``0042``), or glued after digits
(``0042ANT`` -> ``0042``). Identical stems in the two folders therefore pair too.
The case key is that patient id. A view without a partner makes a one-view case.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bonescan_tutor.core.cases import (
    Case,
    Dataset,
    Diagnosis,
    Layout,
    Projection,
    View,
    check_case_key,
    fingerprint_cases,
    natural_key,
)
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets.reader import NO_PROGRESS, NOT_RECOGNISED, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree
from bonescan_tutor.files import tables

LAYOUT = Layout.BS80K
LOOKS_FOR = ("BS-80K: wholeBodyANT/ and wholeBodyPOST/ folders (at the top or one folder "
             "in), each with its wholeBodyANT.txt / wholeBodyPOST.txt list of 'filename label'")

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
EXPECTED_SIZE = (256, 1024)  # width x height of the whole-body subset
_FOLDER = re.compile(r"^wholebody(ant|anterior|post|posterior)$")
_TOKEN = re.compile(r"^(ant|anterior|post|posterior)$")
_GLUED = re.compile(r"^(.*\d)(ant|anterior|post|posterior)$")


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


def folder_projection(name: str) -> Projection | None:
    """The projection a BS-80K view folder holds, from its name (any case or separator)."""
    m = _FOLDER.match(_squash(name))
    if not m:
        return None
    return Projection.ANTERIOR if m.group(1).startswith("ant") else Projection.POSTERIOR


def patient_id(file_name: str) -> str:
    """The pairing key of a view file (see the module's pairing rule)."""
    stem = Path(file_name).stem.lower()
    tokens = [t for t in re.split(r"[\s_\-.]+", stem) if t]
    kept = [t for t in tokens if not _TOKEN.match(t)]
    if len(kept) < len(tokens) and kept:
        return "_".join(kept)
    glued = _GLUED.match(stem)
    if glued:
        return glued.group(1).rstrip("_-. ")
    return stem


def _view_folders(tree: FileTree) -> dict[Projection, list[str]]:
    """The view folders at the root, else in the first folder level that has any."""
    found: dict[Projection, list[str]] = {}
    _, top = tree.children()
    for parent in ("", *top):
        for d in (top if parent == "" else tree.children(parent)[1]):
            proj = folder_projection(posixpath.basename(d))
            if proj is not None:
                found.setdefault(proj, []).append(d)
        if found:
            return found
    return found


def recognises(tree: FileTree) -> Recognition:
    """Sure when a wholeBodyANT/POST folder (at the root or one folder in) holds its
    label list; likely when the folder is there without one."""
    folders = _view_folders(tree)
    if not folders:
        return NOT_RECOGNISED
    names = sorted(d for ds in folders.values() for d in ds)
    listed = any(f.lower().endswith(".txt") for d in names for f in tree.children(d)[0])
    return Recognition(0.9 if listed else 0.6, "view folder(s) " + ", ".join(names))


@dataclass(frozen=True)
class _Entry:
    """One labelled view: which file, which folder's list said so, and the label."""

    projection: Projection
    name: str
    display: str
    diagnosis: Diagnosis
    view: View


def _label_file(tree: FileTree, folder: str, report: ValidationReport) -> str | None:
    name = posixpath.basename(folder)
    texts = [f for f in tree.children(folder)[0] if f.lower().endswith(".txt")]
    for t in texts:
        if _squash(PurePosixPath(t).stem) == _squash(name):
            return t
    if len(texts) == 1:
        report.add(
            tree.display(texts[0]),
            ProblemKind.UNRECOGNISED_FILE,
            f"Expected the label list to be called {name}.txt; using "
            f"{posixpath.basename(texts[0])}.",
            Severity.INFO,
        )
        return texts[0]
    report.add(
        tree.display(folder),
        ProblemKind.NO_SPREADSHEET,
        f"No label list {name}.txt in this folder, so its images have no labels and "
        "were left out. Put the BS-80K list (lines 'filename label') beside the images.",
    )
    return None


def _parse_list(tree: FileTree, listing: str,
                report: ValidationReport) -> dict[str, tuple[Diagnosis, int, str]]:
    """File name (lower case) -> (label, line number, name as listed); bad lines reported.
    ``DatasetError`` when the list cannot be read or is far larger than any list of
    80,000 images."""
    where = tree.display(listing)
    raw = tree.read_bytes(listing, max_bytes=tables.MAX_TABLE_BYTES)
    labels: dict[str, tuple[Diagnosis, int, str]] = {}
    for number, line in enumerate(tables.decode_text(raw).splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.rsplit(None, 1)
        if len(parts) != 2:
            report.add(
                where,
                ProblemKind.BAD_VALUE,
                f"Line {number} ({text!r}) should read 'filename label'; it was skipped.",
            )
            continue
        name, value = parts[0].strip(), parts[1]
        name = re.split(r"[\\/]", name)[-1]  # a listed path counts by its file name only
        diagnosis = Diagnosis.parse(value) if value in ("0", "1") else None
        if diagnosis is None:
            report.add(
                where,
                ProblemKind.UNKNOWN_LABEL,
                f"Line {number}: label {value!r} for {name} is neither 0 (normal) nor "
                "1 (abnormal); that image was left out. Correct the label.",
            )
            continue
        key = name.lower()
        if key in labels:
            first, first_line, _ = labels[key]
            if first is diagnosis:
                report.add(
                    where,
                    ProblemKind.DUPLICATE_KEY,
                    f"Line {number} repeats {name} (already on line {first_line}); ignored.",
                    Severity.WARNING,
                )
                continue
            report.add(
                where,
                ProblemKind.LABEL_CONFLICT,
                f"{name} is listed as {first.label_in(Layout.BS80K)} on line {first_line} and as "
                f"{diagnosis.label_in(Layout.BS80K)} on line {number}; it was left out. Keep one line.",
            )
            labels[key] = (first, -1, name)  # -1: conflicting, leave out
            continue
        labels[key] = (diagnosis, number, name)
    return {k: v for k, v in labels.items() if v[1] != -1}


def _read_folder(tree: FileTree, folder: str, projection: Projection, report: ValidationReport,
                 failed: set[tuple[str, Projection]]) -> list[_Entry]:
    """The labelled, readable views in ``folder``; a listed view that is missing or
    unreadable is reported and its patient id added to ``failed``."""
    listing = _label_file(tree, folder, report)
    if listing is None:
        return []
    try:
        labels = _parse_list(tree, listing, report)
    except DatasetError as exc:
        report.add(tree.display(listing), ProblemKind.BAD_SPREADSHEET,
                   f"{str(exc).split(': ', 1)[-1]} Its images were left out.")
        return []
    folder_name, list_name = posixpath.basename(folder), posixpath.basename(listing)
    images = {
        posixpath.basename(rel).lower(): rel
        for rel in tree.children(folder)[0]
        if PurePosixPath(rel).suffix.lower() in IMAGE_SUFFIXES
    }
    entries: list[_Entry] = []
    colour = 0
    for name_lower, (diagnosis, line, listed) in labels.items():
        rel = images.get(name_lower)
        if rel is None:
            failed.add((patient_id(listed), projection))
            report.add(
                tree.display(f"{folder}/{listed}"),
                ProblemKind.ROW_WITHOUT_IMAGES,
                f"{list_name} line {line} lists this image but it is not in {folder_name}/; "
                "that view was left out. Copy the image back or remove the line.",
            )
            continue
        shown = tree.display(rel)
        try:
            probe = tree.probe(rel)
        except ImageError as exc:
            report.add(shown, ProblemKind.UNREADABLE_IMAGE, str(exc))
            failed.add((patient_id(listed), projection))
            continue
        header = probe.header
        if probe.truncated:
            report.add(shown, ProblemKind.TRUNCATED_IMAGE,
                       "the PNG is cut short (no end marker); it was probably truncated while "
                       "copying. Copy it again from the original dataset.")
            failed.add((patient_id(listed), projection))
            continue
        if (header.width, header.height) != EXPECTED_SIZE:
            report.add(
                shown,
                ProblemKind.UNEXPECTED_SIZE,
                f"{header.width} x {header.height} pixels instead of the whole-body "
                f"{EXPECTED_SIZE[0]} x {EXPECTED_SIZE[1]}; it is shown as it is.",
                Severity.WARNING,
            )
        colour += header.is_colour
        view = tree.view(projection, rel, header, probe.size)
        entries.append(_Entry(projection, posixpath.basename(rel), shown, diagnosis, view))
    for name_lower, rel in sorted(images.items()):
        if name_lower not in labels:
            report.add(
                tree.display(rel),
                ProblemKind.IMAGES_WITHOUT_ROW,
                f"Not listed in {list_name}, so it has no label and was left out. "
                "Add a line 'filename label' for it.",
                Severity.WARNING,
            )
    if colour:
        report.add(
            tree.display(folder),
            ProblemKind.COLOUR_IMAGE,
            f"{colour} image(s) are stored in colour; they are shown as grey levels.",
            Severity.INFO,
        )
    return entries


def _pair(entries: list[_Entry], report: ValidationReport,
          failed: set[tuple[str, Projection]] | None = None) -> list[Case]:
    """Cases from paired views; a view listed for a patient but missing or unreadable
    (``failed``) keeps that case out of quizzes."""
    failed = failed or set()
    by_id: dict[str, dict[Projection, _Entry]] = {}
    for e in entries:
        key = patient_id(e.name)
        why = check_case_key(key)
        if why is not None:
            report.add(
                e.display,
                ProblemKind.BAD_VALUE,
                f"the patient id taken from this file name, {why}; the image was left out. "
                "Rename it to a plain name such as 12_ant.png.",
            )
            continue
        slot = by_id.setdefault(key, {})
        if e.projection in slot:
            report.add(
                e.display,
                ProblemKind.DUPLICATE_KEY,
                f"Another {e.projection.value} image ({slot[e.projection].name}) has the "
                "same patient id; this one was left out. Rename one of them.",
                case_key=patient_id(e.name),
            )
            continue
        slot[e.projection] = e
    cases: list[Case] = []
    for key, slot in by_id.items():
        ant, post = slot.get(Projection.ANTERIOR), slot.get(Projection.POSTERIOR)
        labels = {e.diagnosis for e in slot.values()}
        doubtful = len(labels) > 1
        if doubtful:
            assert ant is not None and post is not None
            report.add(
                post.display,
                ProblemKind.LABEL_CONFLICT,
                f"{ant.name} is labelled {ant.diagnosis.label_in(Layout.BS80K)} but "
                f"{post.name} {post.diagnosis.label_in(Layout.BS80K)}; the case is kept for browsing but left out of "
                "quizzes until the lists agree.",
                Severity.WARNING,
                case_key=key,
            )
        # Abnormal in either view makes the case abnormal (the safer reading).
        diagnosis = (
            Diagnosis.METASTASES if Diagnosis.METASTASES in labels else Diagnosis.NO_METASTASES
        )
        cases.append(
            Case(
                key=key,
                diagnosis=diagnosis,
                anterior=ant.view if ant else None,
                posterior=post.view if post else None,
                label_doubtful=doubtful,
                missing_views=tuple(p for p in Projection if (key, p) in failed
                                    and p not in slot),
            )
        )
    return sorted(cases, key=lambda c: natural_key(c.key))


def read(source: FileTree | str | os.PathLike[str], report: ValidationReport,
         progress: Progress = NO_PROGRESS) -> Dataset:
    """Index a BS-80K folder or zip (headers only); bad views are reported and left out."""
    with FileTree.opened(source) as tree:
        folders = _view_folders(tree)
        if not folders:
            raise DatasetError(
                f"{tree.root}: no wholeBodyANT/ or wholeBodyPOST/ folder found, so this is not "
                "a BS-80K dataset. Open the folder (or zip) that holds them."
            )
        entries: list[_Entry] = []
        failed: set[tuple[str, Projection]] = set()
        for projection in Projection:
            for folder in folders.get(projection, []):
                entries.extend(_read_folder(tree, folder, projection, report, failed))
        cases = _pair(entries, report, failed)
        root = tree.root
        return Dataset(
            name=(root.stem if tree.is_zip else root.name) or str(root),
            layout=Layout.BS80K,
            root=str(root),
            cases=tuple(cases),
            fingerprint=fingerprint_cases(cases, salt=Layout.BS80K.value),
        )
