"""Links from the Prime Contracts tab into Procore's own web pages (the contract, its project)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTableView

from sage_sync_desktop.gui import formatting
from sage_sync_desktop.gui.diff_panel import DiffPanel
from sage_sync_desktop.gui.models.contract_list_model import Column, ContractRole
from sage_sync_desktop.gui.plain_text import plain_tooltip
from sage_sync_desktop.procore import web_links
from sage_sync_desktop.procore.environments import ProcoreEnvironment
from sage_sync_desktop.sync.records import ContractStatus


class ProcoreLinks(QObject):
    """Fills the diff panel's two links for a single selection and opens them (or a double-click
    on the list's Contract or Procore Project cell) in the browser.

    Signals:
        url_opened(str): a Procore web page was handed to the browser.
    """

    url_opened = Signal(str)

    def __init__(self, panel: DiffPanel, contracts: QTableView,
                 selected: Callable[[], list[ContractStatus]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panel = panel
        self._selected = selected
        self._environment: ProcoreEnvironment | None = None
        panel.contract_link.clicked.connect(self._on_contract_link_clicked)
        panel.project_link.clicked.connect(self._on_project_link_clicked)
        contracts.doubleClicked.connect(self._on_contracts_double_clicked)

    def set_environment(self, environment: ProcoreEnvironment | None) -> None:
        self._environment = environment
        self.update()

    def url(self, status: ContractStatus, *, project: bool = False) -> str:
        """The Procore web page of the contract (or of its project); "" when there is none."""
        env = self._environment
        link = status.procore
        target = link.project if link is not None else status.project
        if env is None or target is None:
            return ""
        if project:
            return web_links.project_url(env, target.project_id)
        if link is None:
            return ""
        return web_links.prime_contract_url(env, link.project.project_id, link.prime_contract_id)

    def update(self) -> None:
        statuses = self._selected()
        status = statuses[0] if len(statuses) == 1 else None
        contract_url = self.url(status) if status is not None else ""
        project_url = self.url(status, project=True) if status is not None else ""
        panel = self._panel
        panel.contract_link.setVisible(bool(contract_url))
        panel.project_link.setVisible(bool(project_url))
        if status is not None and contract_url:
            panel.contract_link.setText("Contract in Procore")
            panel.contract_link.setToolTip(plain_tooltip(f"Open contract {status.number} in Procore: {contract_url}"))
        if status is not None and project_url:
            target = status.procore.project if status.procore is not None else status.project
            panel.project_link.setText("Project in Procore")
            panel.project_link.setToolTip(plain_tooltip(
                f"Open project {formatting.project_label(target)} in Procore: {project_url}"))

    def _on_contract_link_clicked(self) -> None:
        statuses = self._selected()
        if len(statuses) == 1:
            self._open(self.url(statuses[0]))

    def _on_project_link_clicked(self) -> None:
        statuses = self._selected()
        if len(statuses) == 1:
            self._open(self.url(statuses[0], project=True))

    def _on_contracts_double_clicked(self, index: QModelIndex) -> None:
        status = index.data(ContractRole.RECORD)
        if isinstance(status, ContractStatus) and index.column() in (Column.CONTRACT, Column.PROCORE_PROJECT):
            self._open(self.url(status, project=index.column() == Column.PROCORE_PROJECT))

    def _open(self, url: str) -> None:
        if url:
            self.url_opened.emit(url)
            QDesktopServices.openUrl(QUrl(url))
