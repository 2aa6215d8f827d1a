"""The commands that screens and messages quote beside the menus, as plain data.

An ``ActionSpec`` is a command's id, menu, text and default key. The main window
registers every command from specs (``gui/main_commands.py``); the specs here are the
ones a label, a button or a sentence also names, so the key hint shown there is read
from the same value the shortcut is made from. Qt-free, so presenters can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bonescan_tutor.core.answers import CERTAINTY_LEVELS
from bonescan_tutor.core.cases import Diagnosis
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


def menu_path(spec: ActionSpec) -> str:
    """Where the command is in the menus, as a sentence names it: "Quiz > Review due cases"."""
    return f"{spec.menu} > {spec.text}".replace("&", "").rstrip("…")


INVERT = ActionSpec("invert", "&Window", "Invert gray", "I")
ANSWERS = {
    Diagnosis.METASTASES: ActionSpec("answer_yes", "&Quiz", "Answer: metastases", "P"),
    Diagnosis.NO_METASTASES: ActionSpec("answer_no", "&Quiz", "Answer: no metastases", "N"),
}
CERTAINTIES = {  # Alt+5 .. Alt+9, Alt+0 = 100 %
    c: ActionSpec(f"certainty_{c}", "&Quiz", f"Certainty {c} %", f"Alt+{c // 10 % 10}")
    for c in CERTAINTY_LEVELS}
CERTAINTY_DOWN = ActionSpec("certainty_down", "&Quiz", "Less certain", "[")
CERTAINTY_UP = ActionSpec("certainty_up", "&Quiz", "More certain", "]")
QUIZ_NEXT = ActionSpec("quiz_next", "&Quiz", "Next case", "Return")
SUBMIT = ActionSpec("submit", "&Quiz", "Submit the exam", "Ctrl+Return")
REVIEW_DUE = ActionSpec("review_due", "&Quiz", "&Review due cases", "Ctrl+Shift+R")
RESUME_EXAM = ActionSpec("resume_exam", "&Quiz", "R&esume the exam", "Ctrl+Shift+E")
