"""What the download dialog shows, worked out without Qt: bytes, speed, time left,
and the messages with the manual route, as label HTML."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable

from bonescan_tutor.datasets import fetch
from bonescan_tutor.datasets.fetch import RemoteFile, human_size


class TransferMeter:
    """Bytes, speed and time left across the files of one download (pure; no Qt).

    Speed is measured from the first progress report of each file, so the bytes a
    resumed ``.part`` already held are not counted as fetched in no time.
    """

    def __init__(self, files: list[RemoteFile], clock: Callable[[], float] = time.monotonic) -> None:
        self.sizes = {f.name: f.size for f in files}
        self.total = sum(self.sizes.values())
        self.clock = clock
        self.name: str | None = None
        self.done = 0
        self.file_total = 0
        self._start: tuple[float, int] | None = None

    def update(self, done: int, total: int, name: str) -> None:
        if name != self.name:
            self.name, self._start = name, (self.clock(), done)
        self.done, self.file_total = done, total or self.sizes.get(name, 0)

    def rate(self) -> float | None:
        """Bytes per second of the current file; None until a second has passed."""
        if self._start is None:
            return None
        t0, d0 = self._start
        elapsed = self.clock() - t0
        return (self.done - d0) / elapsed if elapsed >= 1.0 else None

    def fraction(self) -> float:
        """How much of the whole record is on disk, 0..1."""
        if not self.total:
            return 0.0
        names = list(self.sizes)
        before = names[: names.index(self.name)] if self.name in self.sizes else []
        done = sum(self.sizes[n] for n in before) + self.done
        return min(done / self.total, 1.0)

    @property
    def file_complete(self) -> bool:
        return self.file_total > 0 and self.done >= self.file_total

    def line(self) -> str:
        """``name — 12.3 MB of 80.1 MB · 4.2 MB/s · about 20 s left``."""
        if self.name is None:
            return "Connecting…"
        parts = [f"{self.name} — {human_size(self.done)} of {human_size(self.file_total)}"]
        rate = self.rate()
        if rate is not None:
            parts.append(f"{rate / 1e6:.1f} MB/s")
            if rate > 0 and not self.file_complete:
                parts.append(f"about {_duration((self.file_total - self.done) / rate)} left")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s} s" if s < 90 else f"{round(s / 60)} min"


def with_manual_route(message: str) -> str:
    """Every failure tells the resident how to get the data without this dialog."""
    return message if fetch.MANUAL_ROUTE in message else f"{message} {fetch.MANUAL_ROUTE}"


def rich_text(message: str, link_colour: str) -> str:
    """Plain text as label HTML: the manual route in a paragraph of its own, the record
    page a link a browser opens, a `command` in monospace."""
    route = fetch.MANUAL_ROUTE
    head, found, tail = message.partition(route)
    parts = [head.strip(), route if found else "", tail.strip()]
    page = fetch.RECORD_PAGE
    link = f'<a href="{page}" style="color: {link_colour}; text-decoration: underline;">{page}</a>'
    out = []
    for part in filter(None, parts):
        text = html.escape(part).replace(page, link)
        out.append(re.sub(r"`([^`]+)`", r"<code>\1</code>", text))
    return "<br><br>".join(out)


class Throttle:
    """Forwards at most one progress report per ``interval`` seconds, plus each file's
    first and last, so a fast link does not flood the event loop. Worker-thread only."""

    def __init__(self, emit: Callable[[int, int, str], None], interval: float = 0.05) -> None:
        self.emit, self.interval = emit, interval
        self._last, self._name = float("-inf"), ""

    def __call__(self, done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if name != self._name or (total and done >= total) or now - self._last >= self.interval:
            self._last, self._name = now, name
            self.emit(done, total, name)
