"""Quiz-set files (``.bstquiz``): a quiz an instructor builds once and hands out as a file.

Format, version 2 (UTF-8 JSON, one object; see ``resources/formats/bstquiz.md``)::

    {
      "format": "bonescan-tutor quiz set",      required, exactly this text
      "version": 1 | 2,                         required integer; newer -> "update the app"
      "id": "3f2c...",                          required, stable id of the quiz
      "title": "Week 3 - mixed cases",          required, non-blank
      "instructions": "Read each scan ...",     optional text (default "")
      "author": "Dr. Rivas",                    optional text (default "")
      "created": "2026-11-30T12:00:00Z",        required, ISO 8601 (UTC)
      "dataset": {"name": ..., "fingerprint": ..., "layout": ...},   required, all text
      "case_keys": ["17", "203", ...],          required, 1..5000 distinct keys
      "settings": {                             required, every field below
        "mode": "practice" | "exam",
        "seed": 123,                            integer >= 0 (per-trainee order)
        "shuffle": true,
        "time_limit_per_case_s": null | seconds > 0,
        "time_limit_total_s": null | seconds > 0,
        "show_clinical": true,
        "tools_allowed": ["asymmetry", "windowing", ...],   names of ``core.quiz.Tool``
        "certainty_required": true
      },
      "results_folder": null | "folder path",   optional: where results files go
      "pass_mark": 0.8,                         optional (version 2): fraction correct to pass
      "lrs_endpoint": "https://lrs.example.org/xAPI/"   optional (version 2): no secret
    }

A set is written as version 1, byte for byte as before, unless it has a pass mark or an
LRS endpoint: then it is version 2, so an older app says "update the app" instead of
refusing two fields it does not know. The fingerprint of a version-1 set is unchanged.

Unknown fields are rejected (a newer app would raise the version, and a field we do
not understand may change what the quiz means). Case keys are data, never paths: a key
with a slash, backslash, colon, "..", control character or surrounding blanks is
rejected. ``draw_cases`` is the one way to pick cases at random, so the CLI and the GUI
builder choose the same cases for the same seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.core.quiz import QuizSpec
from bonescan_tutor.core.quiz_draw import draw_cases
from bonescan_tutor.files.json_file import parse_json, read_json
from bonescan_tutor.storage.atomic_file import write_bytes
from bonescan_tutor.storage.quizset_fields import (
    MAX_KEYS,
    Checker,
    case_keys,
    check_fields,
    endpoint_problem,
    key_problem,
    pass_mark_problem,
    settings_options,
)

__all__ = [
    "EXTENSION",
    "FORMAT",
    "MAX_KEYS",
    "VERSION",
    "QuizSet",
    "QuizSetCheck",
    "QuizSetError",
    "check_against",
    "draw_cases",
    "key_problem",
    "quizset_from_dict",
    "read_quizset",
    "usable_spec",
    "write_quizset",
]

FORMAT = "bonescan-tutor quiz set"
VERSION = 2
EXTENSION = ".bstquiz"
MAX_FILE_BYTES = 10 * 1024 * 1024

_TOP_REQUIRED = ("format", "version", "id", "title", "created", "dataset", "case_keys", "settings")
_TOP_OPTIONAL = ("instructions", "author", "results_folder", "pass_mark", "lrs_endpoint")
_DATASET_FIELDS = ("name", "fingerprint", "layout")
_SETTINGS_FIELDS = (
    "mode",
    "seed",
    "shuffle",
    "time_limit_per_case_s",
    "time_limit_total_s",
    "show_clinical",
    "tools_allowed",
    "certainty_required",
)


class QuizSetError(BonescanError):
    """A quiz-set file that cannot be read or used; the message names the file."""


def utc_now_iso() -> str:
    """The current time as ISO 8601 UTC with a Z, to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class QuizSet:
    """A quiz spec plus where it came from: the contents of one ``.bstquiz`` file."""

    spec: QuizSpec
    author: str
    created: str  # ISO 8601, UTC
    dataset_name: str
    dataset_fingerprint: str
    dataset_layout: str
    results_folder: str | None = None
    pass_mark: float | None = None  # fraction of the cases answered right to pass, 0-1
    lrs_endpoint: str | None = None  # an LRS's xAPI endpoint the app proposes; no secret

    @classmethod
    def for_dataset(
        cls,
        spec: QuizSpec,
        dataset: Dataset,
        *,
        author: str = "",
        results_folder: str | None = None,
        created: str | None = None,
        pass_mark: float | None = None,
        lrs_endpoint: str | None = None,
    ) -> QuizSet:
        """A quiz set of ``spec`` made on ``dataset`` (its name, fingerprint, layout)."""
        spec.validate()
        return cls(
            spec=spec,
            author=author,
            created=created or utc_now_iso(),
            dataset_name=dataset.name,
            dataset_fingerprint=dataset.fingerprint,
            dataset_layout=dataset.layout.value,
            results_folder=results_folder,
            pass_mark=pass_mark,
            lrs_endpoint=lrs_endpoint,
        )

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    def to_dict(self) -> dict[str, Any]:
        """The file's JSON object: version 1 unless a version-2 field is set."""
        s = self.spec.to_dict()
        extra: dict[str, Any] = {}
        if self.pass_mark is not None:
            extra["pass_mark"] = self.pass_mark
        if self.lrs_endpoint is not None:
            extra["lrs_endpoint"] = self.lrs_endpoint
        return {
            "format": FORMAT,
            "version": 2 if extra else 1,
            "id": s["id"],
            "title": s["title"],
            "instructions": s["instructions"],
            "author": self.author,
            "created": self.created,
            "dataset": {
                "name": self.dataset_name,
                "fingerprint": self.dataset_fingerprint,
                "layout": self.dataset_layout,
            },
            "case_keys": s["case_keys"],
            "settings": {k: s[k] for k in _SETTINGS_FIELDS},
            "results_folder": self.results_folder,
            **extra,
        }

    def canonical_json(self) -> str:
        """Sorted keys, no spaces: the text the fingerprint is taken of."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """sha256 (hex) of ``canonical_json``: results files carry it to name their set."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def write_quizset(qs: QuizSet, path: Path) -> None:
    """Write ``qs`` as pretty JSON, whole or not at all (temp file + ``os.replace``).

    The text is first read back exactly as ``read_quizset`` reads a file, so a set the
    app would refuse (a path-like case key, a blank title) is never written.
    """
    path = Path(path)
    qs.spec.validate()
    data = (json.dumps(qs.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _parse(data, str(path))
    write_bytes(path, data, QuizSetError)


def read_quizset(path: Path) -> QuizSet:
    """Read and check a quiz-set file; ``QuizSetError`` names the file and every problem.

    The text goes through the guarded JSON reader (size, nesting and number caps, a
    byte-order mark accepted).
    """
    path = Path(path)
    return quizset_from_dict(
        read_json(path, what=_WHAT, error=QuizSetError, max_bytes=MAX_FILE_BYTES), str(path)
    )


def _parse(data: bytes, where: str) -> QuizSet:
    parsed = parse_json(data, where=where, what=_WHAT, error=QuizSetError, max_bytes=MAX_FILE_BYTES)
    return quizset_from_dict(parsed, where)


_WHAT = f"a quiz-set file (quiz sets are {EXTENSION} files saved by bonescan-tutor)"


def quizset_from_dict(data: object, where: str = "the quiz set") -> QuizSet:
    """Check a parsed quiz-set object; ``QuizSetError`` lists every problem found."""
    fields = _quizset_object(data, where)
    problems: list[str] = []
    check_fields(fields, _TOP_REQUIRED, _TOP_OPTIONAL, "", problems)
    if problems:  # missing/unknown top-level fields: say so before anything else
        raise QuizSetError(f"{where}: " + "; ".join(problems) + ".")
    text = Checker(problems)
    qid = text.string(fields, "id", nonblank=True)
    title = text.string(fields, "title", nonblank=True)
    instructions = text.string(fields, "instructions", default="")
    author = text.string(fields, "author", default="")
    created = _created(text, fields, problems)
    results_folder = _results_folder(fields, problems)
    pass_mark = _pass_mark(fields, problems)
    lrs_endpoint = _lrs_endpoint(fields, problems)
    ds = _dataset(fields["dataset"], text, problems)
    keys = case_keys(fields["case_keys"], problems)
    options = _settings(fields["settings"], problems)
    if problems:
        raise QuizSetError(f"{where}: " + "; ".join(problems) + ".")
    try:
        spec = QuizSpec(id=qid, title=title, instructions=instructions, case_keys=keys, **options)
        spec.validate()
    except UsageError as exc:
        raise QuizSetError(f"{where}: {exc}") from None
    return QuizSet(
        spec=spec,
        author=author,
        created=created,
        dataset_name=ds["name"],
        dataset_fingerprint=ds["fingerprint"],
        dataset_layout=ds["layout"],
        results_folder=results_folder,
        pass_mark=pass_mark,
        lrs_endpoint=lrs_endpoint,
    )


def _quizset_object(data: object, where: str) -> dict[str, Any]:
    """``data`` as a quiz-set object of a version this app reads; else ``QuizSetError``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QuizSetError(f'{where}: not a bonescan-tutor quiz set (no "format": "{FORMAT}").')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise QuizSetError(
            f"{where}: the format version must be a whole number >= 1, not {version!r}."
        )
    if version > VERSION:
        raise QuizSetError(
            f"{where}: made by a newer bonescan-tutor (quiz-set format version {version}; this "
            f"app reads up to {VERSION}). Update the app to open it."
        )
    return data


def _created(text: Checker, data: dict[str, Any], problems: list[str]) -> str:
    created = text.string(data, "created", nonblank=True)
    if created:
        try:
            dt.datetime.fromisoformat(created)
        except ValueError:
            problems.append(f'"created" is not an ISO 8601 date and time: {created!r}')
    return created


def _results_folder(data: dict[str, Any], problems: list[str]) -> str | None:
    results_folder = data.get("results_folder")
    if results_folder is not None and not isinstance(results_folder, str):
        problems.append('"results_folder" must be text or null')
        return None
    return results_folder


def _optional(data: dict[str, Any], key: str, problem_of: Callable[[object], str | None],
              problems: list[str]) -> Any:
    """``data[key]`` when it is there and sound; ``None`` when it is absent, or when it
    is unsound (its problem then joins ``problems``)."""
    value = data.get(key)
    problem = problem_of(value) if value is not None else None
    if problem:
        problems.append(problem)
        return None
    return value


def _pass_mark(data: dict[str, Any], problems: list[str]) -> float | None:
    pass_mark = _optional(data, "pass_mark", pass_mark_problem, problems)
    return None if pass_mark is None else float(pass_mark)


def _lrs_endpoint(data: dict[str, Any], problems: list[str]) -> str | None:
    endpoint: str | None = _optional(data, "lrs_endpoint", endpoint_problem, problems)
    return endpoint


def _dataset(dataset: object, text: Checker, problems: list[str]) -> dict[str, str]:
    """The dataset's name, fingerprint and layout ("" where missing or wrong)."""
    ds = {"name": "", "fingerprint": "", "layout": ""}
    if isinstance(dataset, dict):
        check_fields(dataset, _DATASET_FIELDS, (), "dataset.", problems)
        for name in _DATASET_FIELDS:
            if name in dataset:
                ds[name] = text.string(dataset, name, prefix="dataset.")
    else:
        problems.append('"dataset" must be an object with name, fingerprint and layout')
    return ds


def _settings(raw_settings: object, problems: list[str]) -> dict[str, Any]:
    """The quiz options the settings object gives (empty when it is not an object)."""
    if not isinstance(raw_settings, dict):
        problems.append('"settings" must be an object')
        return {}
    check_fields(raw_settings, _SETTINGS_FIELDS, (), "settings.", problems)
    return settings_options(raw_settings, problems)


# -- using a quiz set on a dataset ------------------------------------------------------


@dataclass(frozen=True)
class QuizSetCheck:
    """What a quiz set can use of a dataset: usable keys in the set's order, and why not."""

    missing_keys: list[str]  # keys the dataset lacks (skipped)
    usable_keys: tuple[str, ...]
    fingerprint_matches: bool
    messages: list[str]
    skipped_keys: tuple[str, ...] = ()  # present but not usable (doubtful label, no image)

    @property
    def ok(self) -> bool:
        """At least one case can be shown."""
        return bool(self.usable_keys)


def check_against(qs: QuizSet, dataset: Dataset) -> QuizSetCheck:
    """Match a quiz set's keys with an opened dataset; never raises for missing cases."""
    missing: list[str] = []
    usable: list[str] = []
    doubtful: list[str] = []
    no_views: list[str] = []
    for key in qs.spec.case_keys:
        case = dataset.get(key)
        if case is None:
            missing.append(key)
        elif case.label_doubtful:
            doubtful.append(key)
        elif not case.quiz_eligible:  # incomplete: a promised view missing or unreadable
            no_views.append(key)
        else:
            usable.append(key)
    skipped = doubtful + no_views
    messages: list[str] = []
    matches = qs.dataset_fingerprint == dataset.fingerprint
    if not matches:
        messages.append(
            f"Warning: quiz set {qs.title!r} was made on dataset {qs.dataset_name!r} version "
            f"{qs.dataset_fingerprint}; the open dataset {dataset.name!r} is version "
            f"{dataset.fingerprint}. Labels or images may have changed since."
        )
    if missing:
        messages.append(
            f"{len(missing)} case(s) of the quiz set are not in this dataset and will be "
            f"skipped: {_list(missing)}."
        )
    if doubtful:
        messages.append(
            f"{len(doubtful)} case(s) have a doubtful label in this dataset (its sources "
            f"disagree) and will be skipped: {_list(doubtful)}."
        )
    if no_views:
        messages.append(
            f"{len(no_views)} case(s) have no readable image and will be skipped: {_list(no_views)}."
        )
    if usable:
        messages.append(f"{len(usable)} of {len(qs.spec.case_keys)} case(s) can be used.")
    else:
        messages.append("No case of this quiz set can be used with this dataset.")
    return QuizSetCheck(missing, tuple(usable), matches, messages, tuple(skipped))


def usable_spec(qs: QuizSet, check: QuizSetCheck) -> QuizSpec:
    """The quiz set's spec restricted to the usable cases (UsageError when none is)."""
    if not check.usable_keys:
        raise UsageError(
            f"No case of quiz set {qs.title!r} is in this dataset; open the right dataset."
        )
    return replace(qs.spec, case_keys=check.usable_keys)


def _list(keys: list[str], limit: int = 12) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")
