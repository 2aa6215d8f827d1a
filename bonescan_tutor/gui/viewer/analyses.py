"""Symmetry analyses kept for the images on hand, and worked out ahead of the trainee.

An analysis costs tens of milliseconds of CPU per view. Worked out when the case is
shown, it competes with drawing that case; so, like the pixels, the analyses of the
neighbouring cases are prepared in the background while the trainee reads the current
one (a practice quiz's feedback, or the overlays, then find them ready). Entries are
keyed by the image array itself (the image cache hands out one array per view) and
hold it, so a key cannot be reused by another image while its entry lives.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.symmetry import SymmetryAnalysis, analyze_view
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.tasks import run_in_background

log = logging.getLogger(__name__)

Done = Callable[[SymmetryAnalysis], None]
Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
Key = tuple[int, Projection]


def _ignore(analysis: SymmetryAnalysis) -> None:
    del analysis  # prepared ahead: kept in the memo, shown later


class AnalysisMemo:
    """The presenter's analyzer, remembering the last ``size`` results. ``run(fn,
    on_done, on_error)`` runs ``fn`` off the GUI thread (``run_in_background``)."""

    def __init__(self, cache: ImageCache, run: Runner = run_in_background, size: int = 16) -> None:
        self._cache = cache
        self._run = run
        self._size = size
        self._done: OrderedDict[Key, tuple[np.ndarray, SymmetryAnalysis]] = OrderedDict()
        self._waiting: dict[Key, tuple[np.ndarray, list[Done]]] = {}
        self._ahead: set[tuple[str | None, str, Projection]] = set()

    def __len__(self) -> int:
        return len(self._done)

    def known(self, projection: Projection, image: np.ndarray) -> SymmetryAnalysis | None:
        entry = self._done.get((id(image), projection))
        if entry is None or entry[0] is not image:
            return None
        self._done.move_to_end((id(image), projection))
        return entry[1]

    def analyze(self, projection: Projection, image: np.ndarray, done: Done) -> None:
        """``done(analysis)``: at once when known, else when the analyzer has it."""
        known = self.known(projection, image)
        if known is not None:
            done(known)
            return
        key = (id(image), projection)
        waiting = self._waiting.get(key)
        if waiting is not None and waiting[0] is image:
            waiting[1].append(done)  # already on its way (prepared ahead, or asked twice)
            return
        self._waiting[key] = (image, [done])
        self._run(lambda: analyze_view(image, projection),
                  lambda a: self._finished(key, image, a),
                  lambda exc: self._failed(key, image, exc))

    def _failed(self, key: Key, image: np.ndarray, exc: BaseException) -> None:
        waiting = self._waiting.get(key)
        if waiting is not None and waiting[0] is image:
            del self._waiting[key]  # asked again later, it is tried again
        log.error("symmetry analysis failed: %s", exc)

    def prefetch(self, views: Iterable[tuple[Projection, View]]) -> None:
        """Decode (through the cache) and analyse these views in the background."""
        for projection, view in views:
            if view in self._cache:  # decoded already: analysed like a shown view
                try:
                    image = self._cache.get(view)
                except BonescanError:
                    continue
                if self.known(projection, image) is None:
                    self.analyze(projection, image, _ignore)
                continue
            ident = (view.archive, view.path, projection)
            if ident in self._ahead:
                continue
            self._ahead.add(ident)
            self._run(
                lambda v=view, p=projection: self._decode_and_analyze(v, p),
                lambda result, ident=ident: self._prefetched(ident, *result),
                lambda exc, ident=ident: self._prefetch_failed(ident, exc))

    def _decode_and_analyze(self, view: View, projection: Projection
                            ) -> tuple[Projection, np.ndarray, SymmetryAnalysis | None]:
        image = self._cache.get(view)  # waits for the decode already on its way
        key = (id(image), projection)
        done, waiting = self._done.get(key), self._waiting.get(key)
        if (done is not None and done[0] is image) or (waiting is not None and waiting[0] is image):
            return projection, image, None  # the viewer asked for it in the meantime
        return projection, image, analyze_view(image, projection)

    def _prefetched(self, ident: tuple[str | None, str, Projection], projection: Projection,
                    image: np.ndarray, analysis: SymmetryAnalysis | None) -> None:
        self._ahead.discard(ident)
        if analysis is not None:
            self._finished((id(image), projection), image, analysis)

    def _prefetch_failed(self, ident: tuple[str | None, str, Projection],
                         exc: BaseException) -> None:
        self._ahead.discard(ident)
        if not isinstance(exc, BonescanError):  # a damaged file is told when it is shown
            log.error("symmetry analysis ahead failed: %s", exc)

    def _finished(self, key: Key, image: np.ndarray, analysis: SymmetryAnalysis) -> None:
        waiting = self._waiting.get(key)
        callbacks = waiting[1] if waiting is not None and waiting[0] is image else []
        if waiting is not None and waiting[0] is image:
            del self._waiting[key]
        self._done[key] = (image, analysis)
        self._done.move_to_end(key)
        while len(self._done) > self._size:
            self._done.popitem(last=False)
        for done in callbacks:
            done(analysis)
