"""The Jobs tab: link each Sage job to the Procore project its prime contracts go to."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel, plain_tooltip
from sage_sync_desktop.gui import formatting, outcome_messages
from sage_sync_desktop.gui.message_banner import MessageBanner
from sage_sync_desktop.gui.models.job_link_model import JobColumn, JobLinkModel, JobRole
from sage_sync_desktop.gui.models.source_sorting_proxy import SourceSortingProxy
from sage_sync_desktop.gui.sync_session import LINK, UNLINK, SyncSession
from sage_sync_desktop.gui.python_painted_table import PythonPaintedTableView
from sage_sync_desktop.sync.records import CompanySnapshot, JobLinkStatus, ProjectRef

EXPLANATION = (
    "A job link tells the app which Procore project a Sage job belongs to: a job's prime "
    "contracts can be imported only into the project it is linked to."
)


class JobsTab(QWidget):
    """Sage jobs with their Procore project, suggested matches, Link and Unlink."""

    def __init__(self, session: SyncSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._projects: dict[int, ProjectRef] = {}
        self._linked_to: dict[int, str] = {}  # project id -> the job linked to it
        self._model = JobLinkModel(self)
        self._proxy = SourceSortingProxy(JobRole.HAYSTACK, self)
        self._proxy.setSourceModel(self._model)

        explanation = PlainLabel(EXPLANATION, self)
        explanation.setObjectName("jobLinkExplanation")
        explanation.setWordWrap(True)
        self._filter = QLineEdit(self)
        self._filter.setObjectName("jobFilter")
        self._filter.setPlaceholderText("Filter jobs (Ctrl+F)")
        self._filter.setClearButtonEnabled(True)
        self._filter.textChanged.connect(self._proxy.set_text)
        self.banner = MessageBanner(self)
        self._table = PythonPaintedTableView(self)
        self._table.setObjectName("jobsList")
        self._table.setModel(self._proxy)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(JobColumn.JOB, Qt.SortOrder.AscendingOrder)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setWordWrap(False)
        self._table.setAccessibleName("Sage jobs")
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(JobColumn.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for column, width in ((JobColumn.JOB, 80), (JobColumn.SAGE_STATUS, 110), (JobColumn.LINK, 110),
                              (JobColumn.PROCORE_PROJECT, 220), (JobColumn.SUGGESTED, 220)):
            header.resizeSection(column, width)
        self._table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self._project = QComboBox(self)
        self._project.setObjectName("linkProjectCombo")
        self._project.setAccessibleName("Procore project to link")
        self._project.setMinimumWidth(280)
        self._link = QPushButton("&Link", self)
        self._link.setObjectName("linkJobButton")
        self._link.clicked.connect(self._on_link_clicked)
        self._unlink = QPushButton("&Unlink", self)
        self._unlink.setObjectName("unlinkJobButton")
        self._unlink.clicked.connect(self._on_unlink_clicked)
        self._reason = PlainLabel(self)
        self._reason.setObjectName("jobLinkReason")
        self._reason.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(PlainLabel("Procore project:", self))
        actions.addWidget(self._project, 1)
        actions.addWidget(self._link)
        actions.addWidget(self._unlink)
        top = QHBoxLayout()
        title = PlainLabel("Sage 300 CRE Jobs", self)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        top.addWidget(title, 1)
        top.addWidget(self._filter, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(explanation)
        layout.addWidget(self.banner)
        layout.addWidget(self._table, 1)
        layout.addLayout(actions)
        layout.addWidget(self._reason)

        session.snapshot_loaded.connect(self._on_session_snapshot_loaded)
        session.job_link_changed.connect(self._on_session_job_link_changed)
        session.work_failed.connect(self._on_session_work_failed)
        session.busy_changed.connect(self._on_session_busy_changed)
        self._update_actions()

    def focus_filter(self) -> None:
        self._filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._filter.selectAll()

    def selected_job(self) -> JobLinkStatus | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._model.job_at(self._proxy.mapToSource(rows[0]).row())

    def select_job(self, job_number: str) -> bool:
        source_row = self._model.row_of(job_number)
        if source_row < 0:
            return False
        index = self._proxy.mapFromSource(self._model.index(source_row, 0))
        self._table.selectRow(index.row())
        return True

    def project_choices(self) -> list[str]:
        return [self._project.itemText(i) for i in range(self._project.count())]

    def choose_project(self, project_id: int) -> bool:
        index = self._project.findData(project_id)
        self._project.setCurrentIndex(index)
        return index >= 0

    # --- internals
    def _fill_projects(self, job: JobLinkStatus | None) -> None:
        """Free projects first (suggestions on top); projects linked to another job last, greyed
        and named with that job, so the default choice is never one that Link would refuse."""
        self._project.clear()
        mine = job.job.number if job else ""
        taken = {pid: number for pid, number in self._linked_to.items() if number != mine}
        suggested = [p for p in (job.suggestions if job else ()) if p.project_id not in taken]
        others = sorted((p for p in self._projects.values() if p not in suggested and p.project_id not in taken),
                        key=formatting.project_label)
        linked = sorted((p for p in self._projects.values() if p.project_id in taken), key=formatting.project_label)
        for project in suggested:
            self._project.addItem(f"{formatting.project_label(project)} (suggested)", project.project_id)
        for project in others:
            self._project.addItem(formatting.project_label(project), project.project_id)
        model = self._project.model()
        for project in linked:
            self._project.addItem(f"{formatting.project_label(project)} (linked to job {taken[project.project_id]})",
                                  project.project_id)
            item = model.item(self._project.count() - 1) if isinstance(model, QStandardItemModel) else None
            if item is not None:
                item.setEnabled(False)
        self._project.setCurrentIndex(0 if suggested or others else -1)

    def ask_unlink(self, job: JobLinkStatus) -> bool:
        """Unlink asks first (its contracts stop importing). Tests replace this method."""
        project = formatting.project_label(job.project)
        answer = QMessageBox.question(
            self, "Unlink job",
            f"Unlink job {job.job.number} from Procore project {project}?\n\n"
            "Its prime contracts will not import or re-import until the job is linked again. "
            "Nothing is deleted in Procore.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _update_actions(self) -> None:
        job = self.selected_job()
        busy = self._session.busy
        if job is None:
            reason = "Select a job to link it to a Procore project or unlink it."
        elif busy:
            reason = "Working: wait for the current job to finish."
        elif job.project is not None:
            reason = (f"Job {job.job.number} is linked to {formatting.project_label(job.project)}. "
                      "Unlink it first to link it to another project.")
        elif self._project.count() == 0:
            reason = "No Procore project is known yet. Create the project in Procore, then Refresh."
        elif self._project.currentIndex() < 0:
            reason = ("Every known Procore project is linked to another job. Create the project in Procore "
                      "(or unlink it from the other job), then Refresh.")
        else:
            reason = ""
        self._link.setEnabled(job is not None and not busy and job.project is None and self._project.currentIndex() >= 0)
        self._unlink.setEnabled(job is not None and not busy and job.project is not None)
        self._project.setEnabled(self._link.isEnabled())
        self._link.setToolTip(plain_tooltip(reason or "Link the selected job to the chosen project"))
        self._unlink.setToolTip(plain_tooltip("Unlink the selected job" if self._unlink.isEnabled() else reason))
        self._reason.setText(reason)

    # --- slots
    def _on_table_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._fill_projects(self.selected_job())
        self._update_actions()

    def _on_link_clicked(self) -> None:
        job = self.selected_job()
        project_id = self._project.currentData()
        if job is not None and project_id is not None:
            self.banner.hide()
            self._session.link_job(job.job.number, int(project_id))

    def _on_unlink_clicked(self) -> None:
        job = self.selected_job()
        if job is not None and self.ask_unlink(job):
            self.banner.hide()
            self._session.unlink_job(job.job.number)

    def _on_session_snapshot_loaded(self, snapshot: object) -> None:
        if not isinstance(snapshot, CompanySnapshot):
            return
        selected = self.selected_job()
        self._linked_to = {job.project.project_id: job.job.number for job in snapshot.jobs if job.project is not None}
        self._projects = {}
        for job in snapshot.jobs:
            for project in (job.project, *job.suggestions):
                if project is not None:
                    self._projects[project.project_id] = project
        for status in snapshot.statuses:
            for project in (status.project, *status.procore_projects):
                if project is not None:
                    self._projects.setdefault(project.project_id, project)
        self._model.set_jobs(snapshot.jobs)
        if selected is not None:
            self.select_job(selected.job.number)
        self._fill_projects(self.selected_job())
        self._update_actions()

    def _on_session_job_link_changed(self, status: object) -> None:
        if isinstance(status, JobLinkStatus):
            if status.project is not None:
                text = f"Job {status.job.number} linked to {formatting.project_label(status.project)}."
            else:
                text = f"Job {status.job.number} unlinked; its contracts will not import until it is linked again."
            self.banner.show_success(text)

    def _on_session_work_failed(self, label: str, error: object) -> None:
        if label in (LINK, UNLINK):
            message = outcome_messages.for_error(label, error)
            self.banner.show_error(message.text, message.details)

    def _on_session_busy_changed(self, _busy: bool) -> None:
        self._update_actions()
