"""The image cache: bounded, prefetching, and keeping a broken file's error."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.detect import open_dataset
from tests.builders import build


def _views(n: int) -> list[View]:
    return [View(Projection.ANTERIOR, f"v{i}.png") for i in range(n)]


def test_lru_bound_drops_the_least_recently_used() -> None:
    calls: list[str] = []

    def loader(view: View) -> np.ndarray:
        calls.append(view.path)
        return np.zeros((10, 10), np.uint16)  # 200 bytes

    cache = ImageCache(max_bytes=600, loader=loader)
    a, b, c, d = _views(4)
    for v in (a, b, c):
        cache.get(v)
    cache.get(a)  # a is now the most recent
    cache.get(d)  # over budget: b goes
    assert a in cache and c in cache and d in cache and b not in cache
    assert cache.nbytes == 600
    cache.get(b)
    assert calls == ["v0.png", "v1.png", "v2.png", "v3.png", "v1.png"]
    cache.close()


def test_prefetch_decodes_in_the_background_and_get_waits_for_it() -> None:
    release = threading.Event()
    started = threading.Event()
    threads: list[str] = []

    def loader(view: View) -> np.ndarray:
        threads.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return np.ones((4, 4), np.uint16)

    cache = ImageCache(loader=loader)
    (v,) = _views(1)
    cache.prefetch([v])
    assert started.wait(10)
    cache.prefetch([v])  # already on its way: not scheduled twice
    release.set()
    assert cache.get(v).sum() == 16
    assert len(threads) == 1 and threads[0].startswith("view-decode")
    cache.close()


def test_a_broken_file_keeps_its_error_until_cleared(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    dataset, _ = open_dataset(top)
    view = dataset.case("1").anterior
    cache = ImageCache()
    good = cache.get(view)
    assert good.shape == (1024, 256) and not good.flags.writeable
    broken = dataset.case("2").anterior
    data = Path(broken.path).read_bytes()
    Path(broken.path).write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    with pytest.raises(ImageError, match=r"A2\.png"):
        cache.get(broken)
    Path(broken.path).write_bytes(data)
    with pytest.raises(ImageError):
        cache.get(broken)  # remembered
    cache.clear()
    assert cache.get(broken).shape == (1024, 256)
    cache.close()


def test_a_view_that_fails_to_decode_is_not_shown_for_a_quiz(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    dataset, _ = open_dataset(top)
    broken = dataset.case("2").anterior
    data = Path(broken.path).read_bytes()
    Path(broken.path).write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    cache = ImageCache()
    shown = cache.shown(dataset.case("1").anterior)
    assert shown.shown and shown.pixels is not None and shown.pixels.shape == (1024, 256)
    failed = cache.shown(broken)
    assert failed.status == "not shown" and failed.pixels is None
    assert failed.reason and "A2" not in failed.reason and "A2.png" in (failed.detail or "")
    cache.close()
