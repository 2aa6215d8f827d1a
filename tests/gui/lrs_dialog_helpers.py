"""Helpers for the LRS dialog tests: a keyring in memory, a clean environment, keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from bonescan_tutor.storage.lrs_config import ENV_PASSWORD, ENV_URL, ENV_USER
from tests.lrs_http import answering, closed_port, silent
from tests.storage.test_lrs_config import MemoryKeyring

__all__ = ["MemoryKeyring", "answering", "clean_env", "closed_port", "no_keyring", "silent",
           "type_into", "using_keyring"]


@contextmanager
def using_keyring(ring: KeyringBackend) -> Iterator[KeyringBackend]:
    before = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(before)


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_URL, ENV_USER, ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)


def no_keyring() -> fail.Keyring:
    return fail.Keyring()


def type_into(widget: QWidget, text: str) -> None:
    """Select all and type ``text`` as keys."""
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)
