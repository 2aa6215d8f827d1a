"""The window's commands as ``QAction`` objects, made from ``ActionSpec`` values.

Menus, the keyboard-shortcuts dialog, the key hints in labels (``with_key``) and the
tests read the same specs, so a key shown anywhere is a key that works. Auto-repeat is
off: holding a key does not answer ten cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from bonescan_tutor.gui.action_specs import ActionSpec


def key_text(key: str | QKeySequence) -> str:
    """A key as the platform writes it, the main key called Enter as keyboards print it."""
    text = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
    return text[:-len("Return")] + "Enter" if text.endswith("Return") else text


def with_key(text: str, spec: ActionSpec) -> str:
    """``text`` with the command's key as the platform writes it: "Midline (M)"."""
    if not spec.key:
        return text
    return f"{text} ({key_text(spec.key)})"


class ActionRegistry:
    """Owns the ``QAction`` objects of a window, created from ``ActionSpec`` values."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}

    def add(self, spec: ActionSpec, handler: Callable[..., object]) -> QAction:
        if spec.id in self._specs:
            raise ValueError(f"action {spec.id!r} registered twice")
        action = QAction(spec.text, self.owner)
        action.setObjectName(f"action_{spec.id}")
        if spec.key:
            action.setShortcut(QKeySequence(spec.key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setAutoRepeat(False)
        action.setCheckable(spec.checkable)
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        def run(*_args: object) -> None:
            # Slots must return None: PySide6 mishandles a bool returned to C++.
            handler(*_args) if spec.checkable else handler()

        (action.toggled if spec.checkable else action.triggered).connect(run)
        self.owner.addAction(action)
        self._specs[spec.id] = spec
        self._actions[spec.id] = action
        return action

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(self._specs.values())

    def key_of(self, action_id: str) -> str:
        """The shortcut as the user's platform writes it."""
        return key_text(self._actions[action_id].shortcut())

    def build_menus(self, bar: QMenuBar, order: tuple[str, ...]) -> None:
        """One menu per ``ActionSpec.menu``, in ``order``, actions in registration order."""
        menus = {name: bar.addMenu(name) for name in order}
        for spec in self._specs.values():
            menu = menus.get(spec.menu) or menus.setdefault(spec.menu, bar.addMenu(spec.menu))
            menu.addAction(self._actions[spec.id])

    def shortcuts(self) -> list[tuple[str, str, str]]:
        """(menu, command, key) rows for the help dialog, keyed commands only."""
        rows = []
        for spec in self._specs.values():
            key = self.key_of(spec.id)
            if key:
                rows.append((spec.menu.replace("&", ""), spec.text.replace("&", "").rstrip("…"), key))
        return rows
