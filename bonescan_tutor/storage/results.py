"""Results files (``.bstresult``): one trainee's answers to one quiz set, for the instructor.

Format, version 2 (UTF-8 JSON, one object)::

    {
      "format": "bonescan-tutor results",
      "version": 2,
      "status": "complete" | "incomplete",   incomplete: the trainee abandoned the quiz,
                                              its answers locked as given
      "trainee": "Ana Rivas",
      "quiz_set": {"id": "...", "title": "...", "fingerprint": "<sha256 hex of the quiz
                   set's canonical JSON, see QuizSet.fingerprint>"},
      "dataset_fingerprint": "0123abcd...",    the dataset version the answers were given on
      "app_version": "0.1.0",
      "created": "2026-11-30T12:00:00Z",       ISO 8601 UTC
      "mode": "practice" | "exam",
      "attempts": [{
          "case_key": "17", "position": 1,     position counts from 1 in the trainee's order
          "decision": "metastases" | "no_metastases" | null,   null: no answer / timed out
          "certainty": 50..100 | null,
          "time_on_case_s": 12.5, "answered_at": 1764504000.0 (epoch seconds),
          "timed_out": false, "truth": "metastases" | "no_metastases",
          "note": "", "marks": [["anterior", 120.0, 300.5], ...]
      }, ...],
      "checksum": "sha256:<hex>"
    }

The checksum is sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every
field except ``checksum``: a file damaged after it was written fails it. It detects
damage, not a determined editor (the rule is public), so ``storage.cohort`` scores
against the instructor's dataset, never the file's ``truth``, when it has one.
Files from an older app version are read as they are (``app_version`` is kept);
version 1 files have no ``status`` and are read as complete.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bonescan_tutor import __version__
from bonescan_tutor.core.answers import CERTAINTY_LEVELS, Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.files.json_file import read_json
from bonescan_tutor.storage.atomic_file import write_bytes
from bonescan_tutor.storage.progress_records import StoredAttempt
from bonescan_tutor.storage.quizsets import QuizSet

FORMAT = "bonescan-tutor results"
VERSION = 2
EXTENSION = ".bstresult"
MAX_FILE_BYTES = 50 * 1024 * 1024


class ResultStatus(enum.Enum):
    """Whether the trainee finished the quiz or abandoned it part-way."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


class ResultsFileError(BonescanError):
    """A results file that cannot be trusted or read; the message names the file."""


def answer_to_dict(a: Answer) -> dict[str, Any]:
    """One answer as a results file holds it (labels included: it is for the instructor)."""
    assert a.truth is not None  # a results file is written from stored answers
    return {
        "case_key": a.case_key,
        "position": a.position,
        "decision": None if a.decision is None else a.decision.value,
        "certainty": a.certainty,
        "time_on_case_s": a.time_on_case_s,
        "answered_at": a.answered_at,
        "timed_out": a.timed_out,
        "truth": a.truth.value,
        "note": a.note,
        "marks": [[p.value, x, y] for p, x, y in a.marks],
    }


@dataclass(frozen=True)
class ResultsFile:
    """A read (or just written) results file; ``path`` is None until it is on disk."""

    trainee: str
    quiz_set_id: str
    quiz_set_title: str
    quiz_set_fingerprint: str
    dataset_fingerprint: str
    app_version: str
    created: str
    mode: QuizMode
    attempts: tuple[Answer, ...]  # each with its label (``truth``); no start time
    checksum: str = ""
    path: Path | None = None
    status: ResultStatus = ResultStatus.COMPLETE
    version: int = VERSION

    @property
    def from_older_app(self) -> bool:
        """Written by an older bonescan-tutor than this one (merged, with a note)."""
        return _version_tuple(self.app_version) < _version_tuple(__version__)

    @functools.cached_property
    def identity(self) -> str:
        """Same trainee, same quiz set, same answers: the same result (for de-duplication)."""
        body = json.dumps(
            [
                self.trainee.strip().casefold(),
                self.quiz_set_id,
                self.quiz_set_fingerprint,
                [answer_to_dict(a) for a in self.attempts],
            ],
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def body(self) -> dict[str, Any]:
        """Every field except the checksum, as written."""
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": self.version,
            "trainee": self.trainee,
            "quiz_set": {
                "id": self.quiz_set_id,
                "title": self.quiz_set_title,
                "fingerprint": self.quiz_set_fingerprint,
            },
            "dataset_fingerprint": self.dataset_fingerprint,
            "app_version": self.app_version,
            "created": self.created,
            "mode": self.mode.value,
            "attempts": [answer_to_dict(a) for a in self.attempts],
        }
        if self.version >= 2:
            body["status"] = self.status.value
        return body


def checksum_of(body: dict[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``body`` (sorted keys, no spaces)."""
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(text: str, fallback: str = "x") -> str:
    """A file-name-safe lower-case slug: letters, digits and dashes only."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return out[:40].strip("-") or fallback


def write_results(
    quiz_set: QuizSet,
    trainee: str,
    attempts: Sequence[StoredAttempt | Answer],
    folder: Path | None = None,
    *,
    dataset_fingerprint: str | None = None,
    now: dt.datetime | None = None,
    status: ResultStatus = ResultStatus.COMPLETE,
) -> Path:
    """Write one trainee's results for ``quiz_set``; return the new file's path.

    The file goes into ``folder`` when given, else the quiz set's ``results_folder``;
    its name is ``<set title slug>-<trainee slug>-<UTC timestamp>.bstresult`` (with a
    number added if that name is taken). Written whole or not at all. ``status`` says
    whether the quiz was finished or abandoned part-way.
    """
    if not trainee.strip():
        raise UsageError("Results need the trainee's name.")
    target = folder if folder is not None else quiz_set.results_folder
    if target is None:
        raise UsageError(
            f"Quiz set {quiz_set.title!r} names no results folder; choose where to save the results."
        )
    target = Path(target).expanduser()
    rows = tuple(a.answer if isinstance(a, StoredAttempt) else a for a in attempts)
    for a in rows:
        if not (math.isfinite(a.time_on_case_s) and math.isfinite(a.answered_at)):
            raise UsageError(
                f"The answer to case {a.case_key!r} has no finite time; it cannot be saved."
            )
    if dataset_fingerprint is None:
        stored = [a.dataset_fingerprint for a in attempts if isinstance(a, StoredAttempt)]
        dataset_fingerprint = stored[-1] if stored else quiz_set.dataset_fingerprint
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    results = ResultsFile(
        trainee=trainee.strip(),
        quiz_set_id=quiz_set.id,
        quiz_set_title=quiz_set.title,
        quiz_set_fingerprint=quiz_set.fingerprint,
        dataset_fingerprint=dataset_fingerprint,
        app_version=__version__,
        created=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        mode=quiz_set.spec.mode,
        attempts=rows,
        status=status,
    )
    body = results.body()
    body["checksum"] = checksum_of(results.body())
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFileError(
            f"{target}: the results folder cannot be created ({exc.strerror or exc})."
        ) from exc
    stem = f"{slug(quiz_set.title, 'quiz')}-{slug(trainee, 'trainee')}-{when.strftime('%Y%m%dT%H%M%SZ')}"
    path = target / f"{stem}{EXTENSION}"
    n = 2
    while path.exists():
        path = target / f"{stem}-{n}{EXTENSION}"
        n += 1
    text = json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_bytes(path, text.encode("utf-8"), ResultsFileError)
    return path


def read_results(path: Path) -> ResultsFile:
    """Read and verify a results file; ``ResultsFileError`` names the file and the field.

    The text goes through the guarded JSON reader (size, nesting and number caps, a
    byte-order mark accepted); every field is checked for its type before use.
    """
    path = Path(path)
    where = str(path)
    data = read_json(
        path,
        what="a complete bonescan-tutor results file",
        error=ResultsFileError,
        max_bytes=MAX_FILE_BYTES,
    )
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ResultsFileError(f"{where}: not a bonescan-tutor results file.")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ResultsFileError(f"{where}: unknown results format version {version!r}.")
    if version > VERSION:
        raise ResultsFileError(
            f"{where}: made by a newer bonescan-tutor (results format version {version}; this app "
            f"reads up to {VERSION}). Update the app to read it."
        )
    checksum = data.pop("checksum", None)
    try:
        expected = checksum_of(data)
    except ValueError:
        expected = ""
    if checksum != expected:
        raise ResultsFileError(
            f"{where}: the checksum does not match: the file was edited or damaged after it "
            "was written. Ask the trainee to send the original file."
        )
    try:
        return _from_body(data, version, str(checksum), path)
    except _BadField as exc:
        raise ResultsFileError(
            f"{where}: a field is missing or has a wrong value: {exc}."
        ) from None


class _BadField(ValueError):
    """A field of a results file is missing or of the wrong kind; the message names it."""


def _field(obj: dict[str, Any], name: str, prefix: str = "") -> Any:
    if name not in obj:
        raise _BadField(f'"{prefix}{name}" is missing')
    return obj[name]


def _object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _BadField(f'"{name}" must be an object, not {type(value).__name__}')
    return value


def _choice(kind: type[enum.Enum], value: object, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise _BadField(f'"{name}" must be one of {allowed}, not {value!r}') from None


def _from_body(d: dict[str, Any], version: int, checksum: str, path: Path) -> ResultsFile:
    qs = _object(_field(d, "quiz_set"), "quiz_set")
    status = (
        _choice(ResultStatus, _field(d, "status"), "status")
        if version >= 2
        else ResultStatus.COMPLETE
    )
    raw_attempts = _field(d, "attempts")
    if not isinstance(raw_attempts, list):
        raise _BadField(f'"attempts" must be a list, not {type(raw_attempts).__name__}')
    attempts = tuple(
        answer_from_dict(_object(a, f"attempts[{i}]"), f"attempts[{i}].")
        for i, a in enumerate(raw_attempts, start=1)
    )
    created = _text(_field(d, "created"), "created")
    try:
        dt.datetime.fromisoformat(created)
    except ValueError:
        raise _BadField(f'"created" is not an ISO 8601 date and time: {created!r}') from None
    trainee = _text(_field(d, "trainee"), "trainee")
    if not trainee.strip():
        raise _BadField('"trainee" is blank')
    return ResultsFile(
        trainee=trainee,
        quiz_set_id=_text(_field(qs, "id", "quiz_set."), "quiz_set.id"),
        quiz_set_title=_text(_field(qs, "title", "quiz_set."), "quiz_set.title"),
        quiz_set_fingerprint=_text(_field(qs, "fingerprint", "quiz_set."), "quiz_set.fingerprint"),
        dataset_fingerprint=_text(_field(d, "dataset_fingerprint"), "dataset_fingerprint"),
        app_version=_text(_field(d, "app_version"), "app_version"),
        created=created,
        mode=_choice(QuizMode, _field(d, "mode"), "mode"),
        attempts=attempts,
        checksum=checksum,
        path=path,
        status=status,
        version=version,
    )


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise _BadField(f'"{name}" must be text, not {type(value).__name__}')
    return value


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _BadField(f'"{name}" must be a number, not {value!r}')
    return float(value)


_VIEWS = {p.value: p for p in Projection}


def answer_from_dict(a: dict[str, Any], at: str) -> Answer:
    """One answer of a results file (``at`` prefixes the field names in messages); a
    mark on a view the app does not have, which only an edited file holds, is dropped."""
    key = _text(_field(a, "case_key", at), f"{at}case_key")
    raw_decision = _field(a, "decision", at)
    decision = (
        None if raw_decision is None else _choice(Diagnosis, raw_decision, f"{at}decision")
    )
    certainty = _field(a, "certainty", at)
    if certainty is not None and (isinstance(certainty, bool) or certainty not in CERTAINTY_LEVELS):
        raise _BadField(f'"{at}certainty": certainty {certainty!r} of case {key!r}')
    position = _field(a, "position", at)
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise _BadField(f'"{at}position": position {position!r} of case {key!r}')
    timed_out = _field(a, "timed_out", at)
    if not isinstance(timed_out, bool):
        raise _BadField(f'"{at}timed_out" must be true or false')
    marks = a.get("marks", [])
    if not isinstance(marks, list) or not all(
        isinstance(m, list) and len(m) == 3 for m in marks
    ):
        raise _BadField(f'"{at}marks" must be a list of [view, x, y] triples')
    views = [_text(p, f"{at}marks") for p, _, _ in marks]
    return Answer(
        case_key=key,
        position=position,
        decision=decision,
        certainty=certainty,
        started_at=None,
        time_on_case_s=_number(_field(a, "time_on_case_s", at), f"{at}time_on_case_s"),
        answered_at=_number(_field(a, "answered_at", at), f"{at}answered_at"),
        timed_out=timed_out,
        truth=_choice(Diagnosis, _field(a, "truth", at), f"{at}truth"),
        note=_text(a.get("note", ""), f"{at}note"),
        marks=tuple(
            (_VIEWS[p], _number(x, f"{at}marks"), _number(y, f"{at}marks"))
            for p, (_, x, y) in zip(views, marks, strict=True)
            if p in _VIEWS
        ),
    )


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)
