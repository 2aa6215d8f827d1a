"""Field checks for quiz-set files: each appends plain-English problems to a list.

Kept apart from ``quizsets`` so the reader there stays short; every message names the
field as it is spelt in the file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bonescan_tutor.core.cases import check_case_key, natural_key
from bonescan_tutor.core.quiz import QuizMode, Tool

MAX_KEYS = 5000
MAX_URL_CHARS = 2000


def key_problem(key: object) -> str | None:
    """Why ``key`` is not an acceptable case key, or None (the rule every reader uses)."""
    return check_case_key(key)


def check_fields(
    obj: Mapping[str, Any],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    prefix: str,
    problems: list[str],
) -> None:
    missing = [f"{prefix}{k}" for k in required if k not in obj]
    unknown = sorted(f"{prefix}{k}" for k in obj if k not in required and k not in optional)
    if missing:
        problems.append("missing field(s): " + ", ".join(missing))
    if unknown:
        problems.append(
            "unknown field(s): " + ", ".join(unknown) + " (made by another program or a "
            "newer app? this app will not guess what they mean)"
        )


class Checker:
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def string(
        self,
        obj: Mapping[str, Any],
        name: str,
        *,
        nonblank: bool = False,
        default: str | None = None,
        prefix: str = "",
    ) -> str:
        value = obj.get(name, default)
        if not isinstance(value, str):
            self.problems.append(f'"{prefix}{name}" must be text, not {type(value).__name__}')
            return ""
        if nonblank and not value.strip():
            self.problems.append(f'"{prefix}{name}" is blank')
        return value


def case_keys(value: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append('"case_keys" must be a list of case keys')
        return ()
    if len(value) > MAX_KEYS:
        problems.append(
            f'"case_keys" lists {len(value)} cases; a quiz set holds at most {MAX_KEYS}'
        )
        return ()
    if not value:
        problems.append('"case_keys" is empty; a quiz needs at least one case')
    bad = [p for p in (key_problem(k) for k in value) if p]
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        problems.append("bad case key(s): " + "; ".join(bad[:3]) + more)
        return ()
    keys = tuple(str(k) for k in value)
    counts = Counter(keys)
    dupes = sorted((k for k, c in counts.items() if c > 1), key=natural_key)
    if dupes:
        problems.append("case key(s) listed more than once: " + ", ".join(dupes[:10]))
    return keys


def settings_options(s: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """The quiz spec's options from a quiz set's "settings"; each bad value is a problem."""
    out: dict[str, Any] = {}
    for read in (_mode_and_seed, _flags, _time_limits, _tools):
        read(s, problems, out)
    return out


def _mode_and_seed(s: Mapping[str, Any], problems: list[str], out: dict[str, Any]) -> None:
    if "mode" in s:
        try:
            out["mode"] = QuizMode(s["mode"])
        except ValueError:
            problems.append(f'"settings.mode" must be "practice" or "exam", not {s["mode"]!r}')
    seed = s.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f'"settings.seed" must be a whole number >= 0, not {seed!r}')
    else:
        out["seed"] = seed


def _flags(s: Mapping[str, Any], problems: list[str], out: dict[str, Any]) -> None:
    for name in ("shuffle", "show_clinical", "certainty_required"):
        if name in s:
            if isinstance(s[name], bool):
                out[name] = s[name]
            else:
                problems.append(f'"settings.{name}" must be true or false, not {s[name]!r}')


def _time_limits(s: Mapping[str, Any], problems: list[str], out: dict[str, Any]) -> None:
    for name in ("time_limit_per_case_s", "time_limit_total_s"):
        v = s.get(name)
        if v is None:
            out[name] = None
        elif (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not (math.isfinite(v) and v > 0)
        ):
            problems.append(
                f'"settings.{name}" must be null or a positive number of seconds, not {v!r}'
            )
        else:
            out[name] = float(v)


def _tools(s: Mapping[str, Any], problems: list[str], out: dict[str, Any]) -> None:
    tools = s.get("tools_allowed", [t.value for t in Tool])
    known = {t.value: t for t in Tool}
    if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
        problems.append('"settings.tools_allowed" must be a list of tool names')
        return
    unknown = sorted(t for t in tools if t not in known)
    if unknown:
        problems.append(
            f'unknown viewer tool(s) in "settings.tools_allowed": {", ".join(unknown)} '
            f"(known: {', '.join(sorted(known))})"
        )
    else:
        out["tools_allowed"] = frozenset(known[t] for t in tools)


def pass_mark_problem(value: object) -> str | None:
    """Why ``value`` is not a pass mark (a fraction of cases right, 0 to 1), or None."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        return (
            f'"pass_mark" must be null or the fraction of cases right needed to pass, from 0 '
            f"to 1 (0.8 for 80 %), not {value!r}"
        )
    return None


def endpoint_problem(value: object) -> str | None:
    """Why ``value`` is not an LRS endpoint a quiz set may name, or None.

    An http(s) URL with a host and nothing secret in it: no user name or password, no
    query string or fragment (where access tokens hide), no blanks or control characters.
    """
    field = '"lrs_endpoint"'
    if not isinstance(value, str):
        return f"{field} must be null or text (an http(s) URL), not {type(value).__name__}"
    if len(value) > MAX_URL_CHARS:
        return f"{field} is {len(value)} characters long; an LRS address has at most {MAX_URL_CHARS}"
    shown = repr(value[:80])
    if not value or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{field} {shown} is blank or holds blanks or control characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{field} {shown} is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"{field} {shown} must be an http(s) URL such as https://lrs.example.org/xAPI/"
    if parts.username is not None or parts.password is not None:
        return (
            f"{field} must not hold a user name or password (a quiz set is handed out); "
            "each trainee types the credentials in Settings"
        )
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return f"{field} must not have a query string or fragment (they can hold access tokens)"
    return None
