"""One guarded JSON reader for every JSON file a user hands the app.

Caps before and while parsing, so no file can cost more than a bounded amount of memory
or time, or escape as anything but the caller's ``BonescanError``:

- size: the file (or body) is refused unread beyond ``max_bytes``;
- nesting: arrays and objects deeper than ``max_depth`` are refused before parsing
  (Python's parser would otherwise recurse until ``RecursionError``);
- numbers: an integer or a number text longer than ``max_number_chars`` is refused
  (a 5000-digit integer costs quadratic time and Python refuses it anyway), and so are
  ``NaN``, ``Infinity`` and numbers that overflow to infinity (``1e400``);
- text: UTF-8, with or without a byte-order mark.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bonescan_tutor.core.errors import BonescanError

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100

ErrorType = Callable[[str], BonescanError]


class _Refused(ValueError):
    """A cap was hit inside the parser's hooks."""


def read_json(
    path: Path,
    *,
    what: str,
    error: ErrorType = BonescanError,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_number_chars: int = MAX_NUMBER_CHARS,
) -> Any:
    """The parsed JSON of ``path``, or ``error`` naming the file and what is wrong.

    ``what`` names the kind of file for messages ("a quiz-set file").
    """
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{where}: too large for {what} ({_mb(size)}; at most {_mb(max_bytes)}).")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(f"{where}: no such file. Check the path.") from None
    except IsADirectoryError:
        raise error(f"{where}: this is a folder, not {what}.") from None
    except OSError as exc:
        raise error(f"{where}: cannot be read ({exc.strerror or exc}).") from exc
    return parse_json(
        data,
        where=where,
        what=what,
        error=error,
        max_bytes=max_bytes,
        max_depth=max_depth,
        max_number_chars=max_number_chars,
    )


def parse_json(
    data: bytes,
    *,
    where: str,
    what: str,
    error: ErrorType = BonescanError,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_number_chars: int = MAX_NUMBER_CHARS,
) -> Any:
    """Parse ``data`` (the bytes of ``where``) under the caps; see the module docstring."""
    if len(data) > max_bytes:
        raise error(f"{where}: too large for {what} (over {_mb(max_bytes)}).")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{where}: not {what}: it is not UTF-8 text (byte {exc.start}). "
            "Save it again as UTF-8 JSON."
        ) from None
    if not text.strip():
        raise error(f"{where}: not {what}: the file is empty.")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise error(
            f"{where}: not {what}: nested {depth} levels deep (at most {max_depth})."
        )

    def number(kind: str) -> Callable[[str], int | float]:
        def convert(token: str) -> int | float:
            if len(token) > max_number_chars:
                raise _Refused(
                    f"a number {len(token)} characters long (at most {max_number_chars})"
                )
            value: int | float = int(token) if kind == "int" else float(token)
            if value in (float("inf"), float("-inf")):
                raise _Refused(f"the number {token} is too large")
            return value

        return convert

    def constant(token: str) -> Any:
        raise _Refused(f"{token} is not a number JSON allows")

    try:
        return json.loads(
            text,
            parse_int=number("int"),
            parse_float=number("float"),
            parse_constant=constant,
        )
    except _Refused as exc:
        raise error(f"{where}: not {what}: {exc}.") from None
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        cut = at_end and text.lstrip()[:1] in "[{"
        why = "it is cut short (truncated)" if cut else f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise error(f"{where}: not {what}: {why}.") from None
    except (ValueError, RecursionError) as exc:
        raise error(f"{where}: not {what}: {exc}.") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON ``text``, ignoring brackets in strings."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n} bytes"
