"""The main window's commands as data: id, menu, text, key and what each does.

Menus and Help > Keyboard shortcuts are built from these; viewer commands go to the
viewer on screen, and a running quiz may refuse a tool. Which commands are enabled is
the session's rule (``AppSession.allows``), for menus and keys alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bonescan_tutor.core.overlays import specs
from bonescan_tutor.core.quiz import Tool
from bonescan_tutor.core.windowing import PRESETS
from bonescan_tutor.gui import action_specs as shared
from bonescan_tutor.gui.action_specs import ActionSpec, overlay_action
from bonescan_tutor.gui.main_lrs import lrs_settings

if TYPE_CHECKING:
    from bonescan_tutor.gui.main_window import MainWindow

MENUS = ("&File", "&View", "&Window", "&Overlays", "&Quiz", "&Instructor", "&Settings", "&Help")


def register_commands(w: MainWindow) -> None:
    """Every command of the main window, in menu order."""
    add = w.actions.add
    t = w._tool
    add(ActionSpec("open", "&File", "&Open dataset folder…", "Ctrl+O"), w.choose_dataset)
    add(ActionSpec("open_zip", "&File", "Open dataset &zip or manifest…", "Ctrl+Shift+O"),
        w.choose_dataset_file)
    add(ActionSpec("open_demo", "&File", "Open the synthetic &demo"), w.open_demo)
    add(ActionSpec("download", "&File", "&Download IICS-UNA dataset…"), w.download_dataset)
    add(ActionSpec("report", "&File", "Dataset &report…", "Ctrl+R"), w.show_report)
    add(ActionSpec("open_annotations", "&File", "Open a&nnotations…"), w.open_annotations)
    add(ActionSpec("next", "&View", "Next case", "Down"), lambda: w._study(lambda: w.library.step(1)))
    add(ActionSpec("previous", "&View", "Previous case", "Up"),
        lambda: w._study(lambda: w.library.step(-1)))
    add(ActionSpec("page_down", "&View", "Ten cases on", "PgDown"),
        lambda: w._study(lambda: w.library.step(10)))
    add(ActionSpec("page_up", "&View", "Ten cases back", "PgUp"),
        lambda: w._study(lambda: w.library.step(-10)))
    add(ActionSpec("reset", "&View", "Reset zoom and window", "R"), w.reset_view)
    add(ActionSpec("mirror", "&View", "Mirror the posterior view", "H"),
        lambda: t(Tool.MIRROR_POSTERIOR, lambda p: p.toggle_mirror_posterior()))
    add(ActionSpec("theme", "&View", "Light/dark theme", "Ctrl+T"), w.toggle_theme)
    add(shared.INVERT, lambda: t(Tool.INVERT, lambda p: p.toggle_invert()))
    add(ActionSpec("auto", "&Window", "Auto window (skeleton)", "0"),
        lambda: t(Tool.WINDOWING, lambda p: p.auto_window()))
    for preset in PRESETS.values():
        add(ActionSpec(f"preset_{preset.key}", "&Window", f"Preset {preset.name}",
                       str(preset.key), preset.description),
            lambda k=preset.key: t(Tool.WINDOWING, lambda p: p.apply_preset_key(k)))
    for spec in specs():  # core.overlays: every overlay, its key and its quiz tool
        add(overlay_action(spec),
            lambda name=spec.name, tool=spec.tool: t(tool, lambda p: p.toggle_overlay(name)))
    _register_quiz_commands(w)
    add(ActionSpec("quit", "&File", "&Quit", "Ctrl+Q"), w.close)  # last in its menu
    add(ActionSpec("lrs_settings", "&Settings", "&Learning Record Store…"),
        lambda: lrs_settings(w))
    add(ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", "F1"), w.show_shortcuts)
    add(ActionSpec("about", "&Help", "&About"), w.show_about)

def _register_quiz_commands(w: MainWindow) -> None:
    add, q = w.actions.add, w._on_quiz_screen
    add(ActionSpec("quick_quiz", "&Quiz", "&Quick quiz…", "Ctrl+N"), w.quick_quiz)
    add(shared.REVIEW_DUE, w.review_due)
    for diagnosis, spec in shared.ANSWERS.items():
        add(spec, lambda d=diagnosis: q(lambda screen: screen.answer(d)))
    for certainty, spec in shared.CERTAINTIES.items():
        add(spec, lambda c=certainty: w._certainty(lambda quiz: quiz.set_certainty(c)))
    add(shared.CERTAINTY_DOWN, lambda: w._certainty(lambda quiz: quiz.step_certainty(-1)))
    add(shared.CERTAINTY_UP, lambda: w._certainty(lambda quiz: quiz.step_certainty(1)))
    add(shared.QUIZ_NEXT, lambda: q(lambda screen: screen.next_case()))
    add(ActionSpec("exam_previous", "&Quiz", "Exam: previous case", "Left"),
        lambda: q(lambda screen: screen.go(-1)))
    add(ActionSpec("exam_next", "&Quiz", "Exam: next case", "Right"),
        lambda: q(lambda screen: screen.go(1)))
    add(shared.SUBMIT,
        lambda: q(lambda screen: screen.submit() if w.quiz and w.quiz.can_submit else None))
    add(ActionSpec("pause", "&Quiz", "Pause / resume", "Ctrl+P"),
        lambda: q(lambda screen: screen.toggle_pause()))
    add(ActionSpec("leave_quiz", "&Quiz", "Leave the quiz (answers are kept)", "Ctrl+W"),
        w.leave_quiz)
    add(shared.RESUME_EXAM, w.resume_exam)
    add(ActionSpec("abandon_exam", "&Quiz", "&Abandon the exam…"), w.abandon_exam)
    add(ActionSpec("write_results_again", "&Quiz", "&Write results file again…"),
        w.write_results_again)
    add(ActionSpec("trainee", "&File", "Switch &trainee…"), w.switch_trainee)
    add(ActionSpec("open_quiz_set", "&Quiz", "&Open quiz set…", "Ctrl+Shift+Q"),
        w.choose_quiz_set)
    add(ActionSpec("library", "&View", "&Library (study mode)", "Ctrl+L"), w.show_library)
    add(ActionSpec("new_quizset", "&Instructor", "&New quiz set…", "Ctrl+Shift+N"),
        w.new_quiz_set)
    add(ActionSpec("cohort", "&Instructor", "&Cohort results…"), w.cohort_results)
    add(ActionSpec("annotate", "&Instructor", "&Annotate cases…"), w.annotate_cases)
    add(ActionSpec("teaching_images", "&Instructor", "&Prepare teaching images…"),
        w.prepare_teaching_images)
    add(ActionSpec("progress", "&View", "&Progress dashboard", "Ctrl+D"), w.show_progress)

