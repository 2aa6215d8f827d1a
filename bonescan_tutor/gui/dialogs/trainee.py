"""The profile picker: several residents share a lab PC, each with their own progress."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget


def pick_trainee(names: list[str], default: str, parent: QWidget | None = None) -> str | None:
    """The chosen or newly typed trainee name; None when cancelled."""
    options = list(dict.fromkeys([*names, default]))
    current = options.index(default)
    name, ok = QInputDialog.getItem(
        parent, "Who is reading?",
        "Your name (progress is kept per person; type a new name to add yourself):",
        options, current, True)
    name = name.strip()
    return name if ok and name else None
