"""A bounded cache of decoded views, with background prefetch of the neighbours.

The viewer asks ``get(view)``: a cached array comes back at once; a view being
prefetched is waited for; anything else is decoded now. ``prefetch(views)`` decodes
in worker threads (Pillow and numpy release the GIL while they work). Least recently
used arrays are dropped past ``max_bytes``; a view that failed keeps its error until
``clear()``, so a broken file is not re-read on every repaint.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from bonescan_tutor.core.cases import View
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.datasets.images import ShownView, load_view, not_shown

Key = tuple[str | None, str, str | None, tuple[int, int, int, int] | None]
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # about 125 whole-body uint16 views (60 cases)


def _key(view: View) -> Key:
    # Two views cut from one capture share a file: the part names which.
    part = view.projection.value if view.cut_from_file else None
    return (view.archive, view.path, part, view.crop)


class ImageCache:
    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int = 2,
        loader: Callable[[View], np.ndarray] = load_view,
    ) -> None:
        self.max_bytes = max_bytes
        self._loader = loader
        self._lock = threading.Lock()
        self._arrays: OrderedDict[Key, np.ndarray] = OrderedDict()
        self._errors: dict[Key, ImageError] = {}
        self._pending: dict[Key, Future[np.ndarray]] = {}
        self._bytes = 0
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="view-decode")
        self.hits = 0
        self.misses = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._arrays)

    def __contains__(self, view: View) -> bool:
        return _key(view) in self._arrays

    def get(self, view: View) -> np.ndarray:
        """The decoded view; raises ``ImageError`` (the file's own message) if it failed."""
        key = _key(view)
        with self._lock:
            if key in self._arrays:
                self.hits += 1
                self._arrays.move_to_end(key)
                return self._arrays[key]
            if key in self._errors:
                raise self._errors[key]
            pending = self._pending.get(key)
            self.misses += 1
        if pending is not None:
            return pending.result()
        return self._load(key, view)

    def shown(self, view: View) -> ShownView:
        """The view for a quiz: its pixels, or not shown with the reason (never raises
        ``ImageError``), so a quiz can record the case as not shown and not score it."""
        try:
            return ShownView(view, self.get(view))
        except ImageError as exc:
            return not_shown(view, exc)

    def prefetch(self, views: Iterable[View]) -> None:
        """Decode these in the background unless cached, failed or already on their way."""
        for view in views:
            key = _key(view)
            with self._lock:
                if key in self._arrays or key in self._errors or key in self._pending:
                    continue
                future = self._pool.submit(self._load, key, view)
                self._pending[key] = future

    def _load(self, key: Key, view: View) -> np.ndarray:
        try:
            array = self._loader(view)
        except ImageError as exc:
            with self._lock:
                self._errors[key] = exc
                self._pending.pop(key, None)
            raise
        except BaseException:
            with self._lock:
                self._pending.pop(key, None)
            raise
        array.setflags(write=False)  # shared between the viewer and the analysis
        with self._lock:
            self._pending.pop(key, None)
            if key not in self._arrays:
                self._arrays[key] = array
                self._bytes += array.nbytes
            self._evict()
        return array

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and len(self._arrays) > 1:
            _, old = self._arrays.popitem(last=False)
            self._bytes -= old.nbytes

    def clear(self) -> None:
        with self._lock:
            self._arrays.clear()
            self._errors.clear()
            self._bytes = 0

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
