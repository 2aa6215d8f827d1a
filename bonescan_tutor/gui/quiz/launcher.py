"""Starting quizzes: the quick quiz, due reviews, missed cases, resuming after a crash,
and the progress file they all write to (opened once, with clear messages)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, mix_shortfall, natural_share
from bonescan_tutor.core.quiz_draw import draw_cases
from bonescan_tutor.storage.progress import FILE_NAME, ProgressFileError, ProgressStore, Trainee

log = logging.getLogger(__name__)


def another_folder(parent: QWidget | None, title: str, problem: str, what: str) -> Path | None:
    """Say why a file could not be written and let the user pick another folder."""
    choice = QMessageBox.warning(
        parent, title, f"{problem}\n\nChoose another folder for {what}?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    if choice != QMessageBox.StandardButton.Yes:
        return None
    folder = QFileDialog.getExistingDirectory(parent, f"Folder for {what}")
    return Path(folder) if folder else None


def ask_resume(parent: QWidget | None, title: str, answered: int, total: int, exam: bool) -> bool:
    """Offer an unfinished quiz; an exam's labels stay locked until it is ended."""
    text = (f"You have an unfinished {'exam' if exam else 'quiz'}, “{title}” ({answered} of "
            f"{total} answered). Resume it at the first unanswered case?")
    if exam:
        text += ("\n\nThe library, the dataset report and the dashboard stay closed until the "
                 "exam is submitted or abandoned (Quiz > Abandon the exam).")
    return QMessageBox.question(parent, "Resume quiz", text) == QMessageBox.StandardButton.Yes


def confirm_abandon(parent: QWidget | None, title: str, unanswered: int) -> bool:
    """An explicit yes to abandon an exam; Yes (the accept button) goes ahead."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Abandon the exam",
                      f"Abandon “{title}”?\n\nYour answers are locked as they are"
                      + (f" ({unanswered} case(s) have no answer)" if unanswered else "")
                      + ", and a results file marked incomplete is written for your "
                      "instructor. This cannot be undone.", parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText("Abandon the exam")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def choose_session(parent: QWidget | None, records: list) -> object | None:
    """Pick one finished quiz set (newest first) to write its results again."""
    from PySide6.QtWidgets import QInputDialog

    names = [f"{r.quiz_title} — {r.status.value}, "
             f"{dt.datetime.fromtimestamp(r.finished or r.started):%Y-%m-%d %H:%M}"
             for r in records]
    name, ok = QInputDialog.getItem(parent, "Write results file again", "Quiz set:", names, 0,
                                    False)
    return records[names.index(name)] if ok and name in names else None


def write_failed(parent: QWidget | None, problem: str):
    """The answer could not be stored: retry (the accept button), another folder, or wait.

    Returns "retry", the folder chosen, or None; the case stays on screen meanwhile.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, "Answer not saved",
                      f"Your answer could not be saved, so the quiz has not moved on.\n\n"
                      f"{problem}\n\nFree some space or fix the folder, then retry; or keep "
                      "your progress in another folder from now on.", parent=parent)
    retry = box.addButton(QMessageBox.StandardButton.Retry)
    other = box.addButton("Choose another folder…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(retry)
    box.exec()
    if box.clickedButton() is retry:
        return "retry"
    if box.clickedButton() is other:
        folder = QFileDialog.getExistingDirectory(parent, "Folder for your progress")
        return Path(folder) if folder else "retry"
    return None


def open_progress(parent: QWidget | None, path: Path | None = None) -> ProgressStore | None:
    """Open the progress file; on a read-only or locked location, say so and offer another."""
    while True:
        try:
            store = ProgressStore.open(path)
        except ProgressFileError as exc:
            folder = another_folder(parent, "Progress file", str(exc), "your progress")
            if folder is None:
                return None
            path = folder / FILE_NAME
            continue
        if store.recovered_from is not None:
            QMessageBox.information(
                parent, "Progress file",
                f"The progress file was damaged. It was set aside, not deleted, as\n"
                f"{store.recovered_from}\nand a new one was started at\n{store.path}.")
        return store


class QuizLauncher:
    """Builds ``QuizSpec`` values for the open dataset and hands them to ``start``."""

    def __init__(self, parent: QWidget, store: ProgressStore, trainee: Trainee,
                 start: Callable[[QuizSpec], None]) -> None:
        self.parent = parent
        self.store = store
        self.trainee = trainee
        self.start = start

    def seen_keys(self, dataset: Dataset) -> set[str]:
        return {a.answer.case_key for a in self.store.attempts(trainee=self.trainee)
                if a.dataset_fingerprint == dataset.fingerprint}

    def quick_quiz(self, dataset: Dataset) -> None:
        from bonescan_tutor.gui.dialogs.quick_quiz import QuickQuizDialog

        eligible = dataset.quiz_cases
        if not eligible:
            QMessageBox.information(self.parent, "Quick quiz", "This dataset has no case usable in a quiz.")
            return
        seen = self.seen_keys(dataset) & {c.key for c in eligible}
        natural = 100 * natural_share(dataset)
        dialog = QuickQuizDialog(len(eligible), len(seen), natural, self.parent)
        if dialog.exec() != QuickQuizDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        seed = secrets.randbits(31)
        keep = (lambda c: c.key not in seen) if choice.new_only else None
        shortfall = mix_shortfall(dataset, choice.cases, choice.balanced, keep)
        if shortfall is not None:
            QMessageBox.warning(self.parent, "Quick quiz", shortfall)
            return
        try:
            keys = draw_cases(dataset, choice.cases, 0.5 if choice.balanced
                              else natural_share(dataset), seed, keep)
        except BonescanError as exc:
            QMessageBox.warning(self.parent, "Quick quiz", str(exc))
            return
        kind = "balanced" if choice.balanced else "natural mix"
        self.start(QuizSpec.create(f"Quick quiz: {len(keys)} cases, {kind}", keys, choice.mode,
                                   seed=seed))

    def review_cases(self, dataset: Dataset, keys: list[str], title: str) -> None:
        keys = [k for k in keys if k in dataset and dataset.case(k).quiz_eligible]
        if not keys:
            QMessageBox.information(self.parent, title, "No case to review in this dataset.")
            return
        self.start(QuizSpec.create(title, tuple(keys), QuizMode.PRACTICE))

    def review_due(self, dataset: Dataset) -> None:
        from bonescan_tutor.core import review  # fsrs loads with the first review

        cards = self.store.review_cards(self.trainee)
        due = review.due_keys(cards, dt.datetime.now(dt.UTC))
        if not due:
            QMessageBox.information(self.parent, "Review due cases",
                                    "Nothing is due for review. Missed cases come back here "
                                    "on a spaced schedule.")
            return
        self.review_cases(dataset, due[:20], f"Review: {min(len(due), 20)} due case(s)")


def load_quiz_set(parent: QWidget, path: Path, dataset: Dataset):
    """Read a quiz-set file and fit it to the open dataset; (QuizSet, QuizSpec) or None.

    The trainee is told how many cases were skipped, never which: a key can give a
    label away.
    """
    from bonescan_tutor.storage.quizsets import check_against, read_quizset, usable_spec

    try:
        qs = read_quizset(path)
        check = check_against(qs, dataset)
        spec = usable_spec(qs, check)
    except BonescanError as exc:
        QMessageBox.warning(parent, "Open quiz set", str(exc))
        return None
    notes = []
    if not check.fingerprint_matches:
        notes.append(f"This quiz set was made on another version of the dataset "
                     f"(“{qs.dataset_name}”); the cases may differ from what your instructor saw.")
    skipped = len(check.missing_keys) + len(check.skipped_keys)
    if skipped:
        notes.append(f"{skipped} of its {len(qs.spec.case_keys)} cases are not usable in this "
                     "dataset and were skipped.")
    if notes and QMessageBox.question(
            parent, "Open quiz set", "\n\n".join([*notes, "Start the quiz anyway?"])
    ) != QMessageBox.StandardButton.Yes:
        return None
    return qs, spec


def save_results(parent: QWidget | None, quiz_set, trainee: str, attempts,
                 status=None) -> Path | None:
    """Write the trainee's results file where the set says, or where the trainee picks."""
    from bonescan_tutor.storage.results import ResultStatus, write_results

    status = status or ResultStatus.COMPLETE
    folder = None
    if quiz_set.results_folder is None or not Path(quiz_set.results_folder).expanduser().is_dir():
        chosen = QFileDialog.getExistingDirectory(
            parent, f"Where should the results of “{quiz_set.title}” go?")
        if not chosen:
            return None
        folder = Path(chosen)
    while True:
        try:
            return write_results(quiz_set, trainee, attempts, folder, status=status)
        except BonescanError as exc:
            folder = another_folder(parent, "Save results", str(exc), "the results file")
            if folder is None:
                return None
