"""Every command as data: id, menu, text, default key, handler.

Menus, the keyboard-shortcuts dialog and the tests read the same registry, so a key
shown in Help is a key that works. Auto-repeat is off: holding a key does not answer
ten cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from bonescan_tutor.core.overlays import OverlaySpec, specs


@dataclass(frozen=True)
class ActionSpec:
    id: str
    menu: str
    text: str
    key: str | None = None
    tip: str = ""
    checkable: bool = False


def overlay_action(spec: OverlaySpec) -> ActionSpec:
    """The command that turns an overlay on and off, from the overlay registry."""
    return ActionSpec(spec.action, "&Overlays", spec.command, spec.key)


def overlay_actions() -> list[ActionSpec]:
    return [overlay_action(spec) for spec in specs()]


INVERT = ActionSpec("invert", "&Window", "Invert gray", "I")


def with_key(text: str, spec: ActionSpec) -> str:
    """``text`` with the command's key as the platform writes it: "Midline (M)"."""
    if not spec.key:
        return text
    return f"{text} ({QKeySequence(spec.key).toString(QKeySequence.SequenceFormat.NativeText)})"


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
        return self._actions[action_id].shortcut().toString(QKeySequence.SequenceFormat.NativeText)

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
