"""The main window's other pages and commands: the trainee, the dashboard, opening
datasets, recent datasets, drag and drop and the Help dialogs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Case, Dataset
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.gui import theme
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.session import AppMode
from bonescan_tutor.gui.tasks import run_in_background

if TYPE_CHECKING:  # the quiz modules load with the first quiz, not at start-up
    from bonescan_tutor.storage.progress import ProgressStore

log = logging.getLogger(__name__)
MAX_RECENT = 8


class PageCommands:
    """Mixed into ``MainWindow``: pages, data and dialogs."""

    # --- the trainee and the progress file ------------------------------------------------
    def use_store(self, store: ProgressStore) -> None:
        """Keep progress in ``store`` (a lab's shared folder, or a test's temporary file)."""
        self._store = store

    def store(self) -> ProgressStore | None:
        if self._store is None:
            from bonescan_tutor.gui.quiz.launcher import open_progress

            self._store = open_progress(self)
        return self._store

    def trainee(self):
        store = self.store()
        if store is None:
            return None
        name = self._trainee_name or str(self.settings.value("trainee/last", "")) or \
            store.default_trainee_name()
        self._trainee_name = name
        return store.get_or_create_trainee(name)

    def switch_trainee(self) -> None:
        from bonescan_tutor.gui.dialogs.trainee import pick_trainee

        store = self.store()
        if store is None or not self.app.allows("trainee"):
            return
        name = pick_trainee([t.name for t in store.trainees()],
                            self._trainee_name or store.default_trainee_name(), self)
        if name:
            self._trainee_name = name
            self.settings.setValue("trainee/last", name)
            self._show_status()

    # --- instructor ---------------------------------------------------------------------------
    def new_quiz_set(self) -> None:
        from bonescan_tutor.gui.instructor.quizset_dialog import QuizSetDialog

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._blocked("new_quizset"):
            QuizSetDialog(self.dataset, self.settings, self.cache, self).exec()

    def cohort_results(self) -> None:
        from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog

        if not self._blocked("cohort"):
            CohortDialog(self.settings, self.dataset, self, self.annotations).exec()

    def prepare_teaching_images(self) -> None:
        from bonescan_tutor.gui.instructor.deidentify_dialog import DeidentifyDialog

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._blocked("teaching_images"):
            DeidentifyDialog(self.dataset, self).exec()

    def annotate_cases(self) -> None:
        """Instructor > Annotate cases: mark lesions and findings on the open dataset."""
        from bonescan_tutor.gui.instructor.annotate_dialog import AnnotateDialog

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._blocked("annotate"):
            AnnotateDialog(self.settings, self.cache, self.dataset, self).exec()
            self._load_annotations()

    def _load_annotations(self) -> None:
        from bonescan_tutor.gui.viewer.annotation_feedback import load_annotations

        self.annotations, message = load_annotations(
            self.dataset.root if self.dataset else None,
            self.dataset.fingerprint if self.dataset else None)
        if message:
            self.statusBar().showMessage(message, 8000)
        self._annotations_changed()

    def open_annotations(self) -> None:
        """Instructor > Open annotations: expert marks from one or more ``.bstann`` files,
        merged with those beside the dataset."""
        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if self._blocked("open_annotations"):
            return
        names, _ = QFileDialog.getOpenFileNames(
            self, "Open annotations", str(Path(self.dataset.root).parent),
            "Case annotations (*.bstann);;All files (*)")
        if names:
            self.add_annotation_files([Path(n) for n in names])

    def add_annotation_files(self, files: list[Path]) -> bool:
        """Merge ``files`` with the annotations beside the dataset and use them; a file
        that cannot be read is named and the annotations in use are kept."""
        from bonescan_tutor.core.annotations import check
        from bonescan_tutor.storage.annotations import annotations_beside, read_merged

        assert self.dataset is not None
        beside = annotations_beside(self.dataset.root)
        chosen = [f.resolve() for f in files]
        paths = ([beside] if beside is not None and beside.resolve() not in chosen else []) + chosen
        try:
            merged, warnings = read_merged(paths)
        except BonescanError as exc:
            QMessageBox.warning(self, "Open annotations",
                                f"{exc}\n\nThe annotations in use are kept.")
            return False
        problems = [str(p) for p in check(merged, self.dataset)]
        self.annotations = merged
        self._annotations_changed()
        said = f"Annotations of {len(merged.cases)} case(s) from {len(paths)} file(s) in use."
        self.statusBar().showMessage(said, 8000)
        if warnings or problems:
            listed = [*warnings, *problems]
            more = f"\n… and {len(listed) - 12} more" if len(listed) > 12 else ""
            QMessageBox.information(self, "Open annotations",
                                    said + "\n\n" + "\n".join(listed[:12]) + more)
        return True

    def _annotations_changed(self) -> None:
        if self._quiz_screen is not None:
            self._quiz_screen.set_annotations(self.annotations)
        if self.dashboard is not None:
            self.dashboard.invalidate()

    # --- pages ------------------------------------------------------------------------------
    def show_library(self) -> None:
        if not self._blocked("library") and self.pages.currentWidget() is self.progress_page:
            self.pages.setCurrentWidget(self.study_page)
            self.app.mode = AppMode.LIBRARY
            self.refresh_commands()

    def show_progress(self) -> None:
        if self._blocked("progress"):
            return
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None:
            return
        if self.on_quiz_page:
            self.leave_quiz()
        self.first_case_done()  # the dashboard covers the library: nothing waits for it
        if self.dashboard is None or self.dashboard.property("trainee") != trainee.name:
            from bonescan_tutor.gui.results.localization import localization_loader
            from bonescan_tutor.gui.results.presenter import due_loader, progress_loader
            from bonescan_tutor.gui.results.screen import DashboardScreen

            if self.dashboard is not None:
                self.dashboard.setParent(None)
                self.dashboard.deleteLater()
            self.dashboard = DashboardScreen(progress_loader(store, trainee),
                                             self.dataset.fingerprint if self.dataset else None,
                                             due_today=due_loader(store, trainee),
                                             current_layout=self.dataset.layout if self.dataset
                                             else None,
                                             load_localization=localization_loader(
                                                 store, trainee, lambda: self.annotations))
            self.dashboard.setProperty("trainee", trainee.name)
            self.dashboard.openCase.connect(self._open_case_from_dashboard)
            self.dashboard.exportRequested.connect(self.export_results)
            self.progress_page.layout().addWidget(self.dashboard)
        else:
            self.dashboard.invalidate()
        self.pages.setCurrentWidget(self.progress_page)
        self.app.mode = AppMode.REVIEW
        self.refresh_commands()

    def _open_case_from_dashboard(self, key: str) -> None:
        if self.dataset is None or key not in self.dataset:
            self.statusBar().showMessage(f"Case {key} is not in the open dataset.", 6000)
            return
        self.pages.setCurrentWidget(self.study_page)
        self.app.mode = AppMode.LIBRARY
        self.refresh_commands()
        case = self.dataset.case(key)
        if case not in self.library.shown:
            self.library.search.clear()
            self.library.diagnosis.setCurrentIndex(0)
        self.library.select(case)

    def export_results(self, kind: str) -> None:
        from bonescan_tutor.gui.results_export import export_results

        store, trainee = self.store(), self.trainee()
        if store is not None and trainee is not None:
            export_results(self, store, trainee, kind,
                           self.dataset.fingerprint if self.dataset else None,
                           self.dataset.layout if self.dataset else None, self.annotations)

    # --- opening data -------------------------------------------------------------------
    def choose_dataset(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder")
        if path:
            self.open_dataset(path)

    def choose_dataset_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open dataset zip or case manifest", "",
            "Datasets (*.zip *.csv *.xlsx);;All files (*)")
        if path:
            self.open_dataset(path)

    def download_dataset(self) -> None:
        from bonescan_tutor.gui.dialogs.download import download_dataset

        if self._blocked("download"):
            return
        path = download_dataset(self, self.settings)
        if path is not None:
            self.open_dataset(path)

    def open_demo(self) -> None:
        self.open_dataset(str(paths.demo_dataset_dir()))

    def open_dataset(self, path: str | Path) -> None:
        """Open a dataset in the background; a large one's first checked cases are listed
        at once while the rest are checked (quizzes and reports wait for the check).
        Opening another dataset gives up the one still being opened."""
        from bonescan_tutor.datasets.detect import open_dataset
        from bonescan_tutor.gui.library.opening import DatasetOpening

        if self._blocked("open"):
            return
        self.cancel_opening()
        opening = DatasetOpening(path, self)
        self.opening = opening
        opening.previewed.connect(lambda dataset, report: self._previewed(opening, dataset,
                                                                          report))
        opening.stepped.connect(lambda done, total: self._checked(opening, done, total))
        self.app.checking = True
        self.refresh_commands()
        self.statusBar().showMessage(f"Opening {path}…")
        run_in_background(lambda: open_dataset(path, opening),
                          lambda result: self._dataset_opened(result, opening),
                          lambda exc: self._open_failed(opening, exc))

    def cancel_opening(self) -> None:
        """Give up the dataset being opened (its cases listed so far go with it)."""
        opening, self.opening = self.opening, None
        if opening is None:
            return
        opening.cancel()
        self.app.checking = False
        self.library.finish_checks()
        if opening.previews:  # a part of a dataset is no dataset to work on
            self.dataset, self.report = None, ValidationReport()
            self.library.clear()
            self.viewer.clear()
        self.refresh_commands()

    def _previewed(self, opening, dataset: Dataset, report: ValidationReport) -> None:
        """The cases checked so far: listed (the first of them shown) while the check goes on."""
        if opening is not self.opening:
            return
        first = opening.previews == 0
        opening.previews += 1
        self.dataset, self.report = dataset, report
        if first:
            self.cache.clear()
            self.banner.setVisible(dataset.synthetic)
        self._show_status()
        if not self.app.allows("library"):
            self.first_case_done()  # an exam keeps the library empty: no case to wait for
            return
        self.library.set_dataset(dataset, keep_choice=not first)
        if first and self.library.shown:
            self.library.table.setCurrentCell(0, 0)

    def _checked(self, opening, done: int, total: int) -> None:
        if opening is self.opening:
            self.library.show_check_progress(done, total)

    def _open_failed(self, opening, exc: BaseException) -> None:
        from bonescan_tutor.datasets.reader import Cancelled

        if opening is not self.opening or isinstance(exc, Cancelled):
            return  # given up: another dataset is being opened, or the window closed
        self.cancel_opening()
        self.first_case_done()  # no case is coming
        self._failed(f"Could not open {opening.path}", exc)

    def _dataset_opened(self, result: tuple[Dataset, ValidationReport], opening=None) -> None:
        if opening is not None:
            if opening is not self.opening:
                return  # given up
            self.opening = None
            self.app.checking = False
        self.set_dataset(*result, keep_choice=opening is not None and opening.previews > 0)
        self.library.finish_checks()
        if self.report.errors or self.report.warnings:
            self.show_report()
        path, self.pending_quiz_set = self.pending_quiz_set, None
        if path is not None and self.app.allows("open_quiz_set"):
            self.open_quiz_set(path)
        else:  # an unfinished exam comes first: it is offered for resuming
            self.offer_resume()

    def set_dataset(self, dataset: Dataset, report: ValidationReport, *,
                    keep_choice: bool = False) -> None:
        """Work on ``dataset``; ``keep_choice`` when it completes the cases listed while it
        was checked (the case on screen stays)."""
        self.dataset, self.report = dataset, report
        if not keep_choice:
            self.cache.clear()
        self.banner.setVisible(dataset.synthetic)
        self.settings.setValue("dataset/last", dataset.root)
        self._remember_recent(dataset.root)
        if self.dashboard is not None:
            self.dashboard.set_current_fingerprint(dataset.fingerprint, dataset.layout)
        self.refresh_commands()
        # After the status line (a problem with them is shown over it); at start, after
        # the first case is drawn: the case does not need them.
        self.after_first_case(self._load_annotations)
        if not self.app.allows("library"):
            self.first_case_done()
            return  # an exam is open on this dataset: the library stays empty
        self.library.set_dataset(dataset, keep_choice=keep_choice)
        if keep_choice and self.library.current_case() is not None:
            return
        self.library.table.setCurrentCell(-1, -1)
        if self.library.shown:
            self.library.table.setCurrentCell(0, 0)
        else:
            self.viewer.clear()
            self.first_case_done()

    def _show_status(self) -> None:
        dataset, report = self.dataset, self.report
        if dataset is None:
            return
        who = f"Trainee: {self._trainee_name}  ·  " if self._trainee_name else ""
        if self.app.labels_hidden:
            # During a quiz: nothing about labels, not even the dataset's counts.
            self.statusBar().showMessage(f"{who}{dataset.name}")
            return
        to_fix = len(report.errors) + len(report.warnings) if report else 0
        problems = f" — {to_fix} problem(s), see File > Dataset report" if to_fix else ""
        if self.app.checking:
            problems = f" — {to_fix} problem(s) so far" if to_fix else ""
        counts = dataset.counts()
        so_far = " checked so far" if self.app.checking else ""
        self.statusBar().showMessage(
            f"{who}{dataset.name} [{dataset.layout.value}]: {len(dataset)} cases{so_far} "
            f"({' / '.join(f'{n} {dataset.label(d).lower()}' for d, n in counts.items())}){problems}")

    def show_case(self, case: Case) -> None:
        shown = self.library.shown
        i = shown.index(case) if case in shown else -1
        neighbours = [shown[j] for j in (i + 1, i - 1, i + 2) if 0 <= j < len(shown)] if i >= 0 else []
        self.viewer.show_case(case, neighbours)

    def reset_view(self) -> None:
        viewer = self.active_viewer()
        viewer.presenter.apply_preset(viewer.presenter.state.preset or "bone-35")
        viewer.scans.fit()

    # --- recent datasets ----------------------------------------------------------------
    def _recent(self) -> list[str]:
        value = self.settings.value("dataset/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def _remember_recent(self, root: str) -> None:
        items = [root, *[r for r in self._recent() if r != root]][:MAX_RECENT]
        self.settings.setValue("dataset/recent", items)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for root in self._recent():
            action = self.recent_menu.addAction(root)
            action.triggered.connect(lambda _=False, r=root: self.open_dataset(r))
        self.recent_menu.setEnabled(bool(self._recent()))

    # --- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_dataset(urls[0].toLocalFile())
            event.acceptProposedAction()

    # --- dialogs ------------------------------------------------------------------------
    def show_report(self) -> None:
        from bonescan_tutor.gui.dialogs.validation_report import ValidationReportDialog

        if self.dataset is not None and not self._blocked("report"):
            ValidationReportDialog(self.dataset, self.report, self).exec()

    def show_shortcuts(self) -> None:
        from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog

        ShortcutsDialog(self.actions.shortcuts(), self).exec()

    def show_about(self) -> None:
        from bonescan_tutor import __version__

        QMessageBox.about(self, "About bonescan-tutor",
                          f"<b>bonescan-tutor {__version__}</b><br>Teaching quizzes on whole-body "
                          "bone scans. Symmetry tools are teaching aids, not a diagnosis.<br>"
                          "IICS-UNA dataset: doi 10.5281/zenodo.13900966 (CC-BY-4.0).")

    def toggle_theme(self) -> None:
        self.theme_name = "light" if self.theme_name == "dark" else "dark"
        self.settings.setValue("ui/theme", self.theme_name)
        theme.apply(self.theme_name, self)

    def _failed(self, title: str, exc: BaseException) -> None:
        self.statusBar().showMessage(title)
        if isinstance(exc, BonescanError):
            show_error(self, title, str(exc))
        else:
            raise exc

