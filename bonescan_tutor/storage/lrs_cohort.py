"""A cohort read back from a Learning Record Store instead of ``.bstresult`` files.

``fetch_quiz_statements`` pulls every statement of one quiz set (its activity and the
statements under it, following the LRS's ``more`` pages); ``results_from_statements``
turns them into the same ``ResultsFile`` values a results file gives, one per quiz
session (registration), so ``storage.cohort.merge_cohort`` makes the same merge and item
analysis. Each is named ``<registration>.xapi`` in the cohort's messages. A session
without a ``completed`` statement counts as incomplete; when a case was answered more
than once in a session, the latest answer counts. Labels come from the dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import latest_per_case
from bonescan_tutor.core.cases import Dataset, Diagnosis
from bonescan_tutor.storage.cohort import CohortProblem
from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.lrs_sender import REQUEST_TIMEOUT_S, XAPI_HEADERS, LrsError
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import ResultsFile, ResultStatus

MAX_PAGES = 10_000


def fetch_quiz_statements(
    config: LrsConfig,
    quiz_set: QuizSet,
    timeout: float | tuple[float, float] = REQUEST_TIMEOUT_S,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Every statement about ``quiz_set`` the LRS holds; ``LrsError`` naming the LRS.
    ``progress`` is told how many have been read after each page."""
    where = f"The Learning Record Store at {config.url}"
    base = config.url.rstrip("/")
    params: dict[str, str] | None = {
        "activity": xapi.quiz_activity_id(quiz_set.id),
        "related_activities": "true",
    }
    url = config.statements_url
    found: list[dict[str, Any]] = []
    with requests.Session() as session:
        for _ in range(MAX_PAGES):
            try:
                r = session.get(url, params=params, auth=config.auth, headers=XAPI_HEADERS,
                                timeout=timeout)
            except requests.RequestException as exc:
                raise LrsError(f"{where} cannot be reached ({type(exc).__name__}).") from None
            if r.status_code in (401, 403):
                raise LrsError(f"{where} refused the user name or password (HTTP "
                               f"{r.status_code}); check BONESCAN_TUTOR_LRS_USER and "
                               "BONESCAN_TUTOR_LRS_PASSWORD or the settings.")
            if r.status_code != 200:
                raise LrsError(f"{where} answered HTTP {r.status_code} to a statements query.")
            try:
                page = r.json()
                statements = page["statements"]
                more = page.get("more") or ""
            except (ValueError, KeyError, TypeError, AttributeError):
                raise LrsError(f"{where} did not answer with an xAPI statement list.") from None
            found.extend(s for s in statements if isinstance(s, dict))
            if progress is not None:
                progress(len(found))
            if not more:
                return found
            # ``more`` is relative to the LRS's host: keep scheme and host of the endpoint.
            host = base.split("/", 3)[:3]
            url = "/".join(host) + more if more.startswith("/") else more
            params = None
    raise LrsError(f"{where} kept answering with more pages ({MAX_PAGES}); stopped.")


def results_from_statements(
    statements: Iterable[dict[str, Any]], dataset: Dataset
) -> tuple[list[ResultsFile], list[CohortProblem]]:
    """One ``ResultsFile`` per registration, labels from ``dataset``; statements that do
    not follow the profile are named as problems."""
    read: list[xapi.AnsweredStatement] = []
    completed: dict[str, str] = {}
    problems: list[CohortProblem] = []
    for body in statements:
        verb = body.get("verb", {}).get("id") if isinstance(body.get("verb"), dict) else None
        registration = str((body.get("context") or {}).get("registration", ""))
        if verb == xapi.Verb.COMPLETED.iri and registration:
            stamp = str(body.get("timestamp", ""))
            completed[registration] = max(completed.get(registration, ""), stamp)
        if verb != xapi.Verb.ANSWERED.iri:
            continue
        try:
            read.append(xapi.answer_from_statement(body))
        except xapi.XapiError as exc:
            problems.append(CohortProblem(Path(f"{registration or 'unknown'}.xapi"), str(exc)))
    # the latest answer to each case of each session (a statement sent twice, or an
    # answer changed, counts once), sessions in the order they first appear
    sessions: dict[str, list[xapi.AnsweredStatement]] = {
        s.context.registration: [] for s in read}
    in_time = sorted(read, key=lambda s: s.answer.answered_at)
    keep = latest_per_case([(s.context.registration, s.answer.case_key) for s in in_time])
    for s, kept in zip(in_time, keep.tolist(), strict=True):
        if kept:
            sessions[s.context.registration].append(s)
    results: list[ResultsFile] = []
    for registration, by_case in sessions.items():
        stated = sorted(by_case, key=lambda s: (s.answer.position, s.answer.case_key))
        given = [s.answer for s in stated]
        first = stated[0]
        ctx = first.context
        attempts = tuple(a.with_truth(_truth(dataset, a.case_key)) for a in given)
        done = completed.get(registration)
        created = done or xapi.timestamp(max(a.answered_at for a in given))
        results.append(ResultsFile(
            trainee=first.trainee, quiz_set_id=ctx.quiz_set_id,
            quiz_set_title=ctx.quiz_set_title,
            quiz_set_fingerprint=ctx.quiz_set_fingerprint,
            dataset_fingerprint=ctx.dataset_fingerprint, app_version=ctx.app_version,
            created=created.replace("Z", "+00:00"), mode=ctx.mode, attempts=attempts,
            path=Path(f"{registration}.xapi"),
            status=ResultStatus.COMPLETE if done else ResultStatus.INCOMPLETE,
        ))
    return results, problems


def _truth(dataset: Dataset, key: str) -> Diagnosis:
    """The dataset's label; a case it lacks gets a placeholder that the merge drops
    (with a warning) before any scoring."""
    case = dataset.get(key)
    return case.diagnosis if case is not None else Diagnosis.NO_METASTASES
