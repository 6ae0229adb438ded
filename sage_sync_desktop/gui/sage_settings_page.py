"""Settings page for the Sage 300 CRE connection: ODBC data source or data folder, user, password, naming."""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel, plain_tooltip
from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.secret_store import store_name
from sage_sync_desktop.app import connection_checks
from sage_sync_desktop.gui.column_choices import ColumnChoices
from sage_sync_desktop.gui.task_runner import TaskRunner
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage.sage_reader import sage_password_secret
from sage_sync_desktop.sage.schema_probe import SchemaReport
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.settings import Settings

logger = logging.getLogger(__name__)

DSN, FOLDER, CUSTOM = "dsn", "folder", "custom"
NAMING_LABELS = {
    "legacy": "Legacy table names (MASTER_JCM_JOB_1), StandardMode=0",
    "standard": "Standard table names (JCM_MASTER__JOB), StandardMode=1",
}


class SageSettingsPage(QWidget):
    """Where Sage is and how to log in; Test connection reads it once and says what it found.

    Signals:
        connection_checked(bool): Test connection found everything (True) or not (False).
    """

    connection_checked = Signal(bool)

    def __init__(self, settings: Settings, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sageSettingsPage")
        self._settings = settings
        self._secrets = secrets
        self._tested_ok = False
        self._runner = TaskRunner(self)
        self._runner.succeeded.connect(self._on_runner_succeeded)
        self._runner.failed.connect(self._on_runner_failed)

        self._mode_dsn = QRadioButton("An ODBC data source installed on this computer", self)
        self._mode_folder = QRadioButton("The company data folder (Timberline Data driver)", self)
        self._mode_custom = QRadioButton("A connection string (advanced)", self)
        self._modes = QButtonGroup(self)
        for button in (self._mode_dsn, self._mode_folder, self._mode_custom):
            self._modes.addButton(button)
            button.toggled.connect(self._on_mode_toggled)
        self._dsn = QComboBox(self)
        self._dsn.setObjectName("odbcDataSourceCombo")
        self._dsn.setEditable(True)
        self._dsn.setPlaceholderText("Looking for ODBC data sources\u2026")
        self._folder = QLineEdit(self)
        self._folder.setObjectName("sageDataFolder")
        self._folder.setPlaceholderText(r"\\SERVER\Timberline Office\Data\Company")
        browse = QPushButton("Browse\u2026", self)
        browse.clicked.connect(self._on_browse_clicked)
        self._custom = QLineEdit(self)
        self._custom.setObjectName("sageConnectionString")
        self._custom.setPlaceholderText("DSN=...;  or  DRIVER={Timberline Data};DBQ=...  (no PWD)")
        self._user = QLineEdit(self)
        self._user.setObjectName("sageUser")
        self._password = QLineEdit(self)
        self._password.setObjectName("sagePassword")
        self._password.setEchoMode(QLineEdit.EchoMode.Password)
        self._naming = QComboBox(self)
        self._naming.setObjectName("sageNamingCombo")
        for name, label in NAMING_LABELS.items():
            self._naming.addItem(label, name)
        self._test = QPushButton("&Test connection", self)
        self._test.setObjectName("testSageConnectionButton")
        self._test.clicked.connect(self._on_test_clicked)
        self._result = PlainLabel(self)
        self._result.setObjectName("sageTestResult")
        self._result.setWordWrap(True)
        # After a test: a drop-down of the table's columns for each column not found.
        self._choices = ColumnChoices(self)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self._folder, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self._mode_dsn)
        form.addRow("Data source:", self._dsn)
        form.addRow(self._mode_folder)
        form.addRow("Data folder:", folder_row)
        form.addRow(self._mode_custom)
        form.addRow("Connection string:", self._custom)
        form.addRow("Sage user:", self._user)
        form.addRow("Password:", self._password)
        form.addRow("Table names:", self._naming)
        layout = QVBoxLayout(self)
        intro = PlainLabel("The app reads Sage 300 CRE through ODBC and never writes to it. "
                           f"The password is kept in {store_name()}.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self._test)
        layout.addWidget(self._result)
        layout.addWidget(self._choices)
        layout.addStretch(1)
        self._load(settings)
        self._runner.start("dsns", lambda *, progress, cancel: connection_checks.odbc_data_sources())

    # --- our API
    def apply(self, settings: Settings) -> Settings:
        """Settings with this page's values; saves a typed password to the credential store."""
        naming = self._naming.currentData() or "legacy"
        user = self._user.text().strip()
        if self._mode_dsn.isChecked() and self._dsn.currentText().strip():
            conn = cs.build_timberline("", naming=naming, user="", dsn=self._dsn.currentText().strip())
        elif self._mode_folder.isChecked() and self._folder.text().strip():
            conn = cs.build_timberline(self._folder.text().strip(), naming=naming, user="")
        else:
            conn = self._custom.text().strip()
        updated = settings.with_changes(sage={"connection_string": conn, "naming": naming, "user": user})
        chosen = self._choices.overrides()
        if chosen:  # the columns picked after Test connection go to sage.mapping
            mapping = TableMapping.from_settings(updated.sage).with_overrides(chosen)
            updated = updated.with_changes(sage={"mapping": mapping.to_overrides()})
        if self._password.text():
            connection_checks.save_sage_password(updated, self._secrets, self._password.text())
        return updated

    @property
    def tested_ok(self) -> bool:
        """True when the last Test connection found every table and column the app reads."""
        return self._tested_ok

    def shutdown(self) -> None:
        self._runner.shutdown()

    # --- internals
    def _load(self, settings: Settings) -> None:
        conn = settings.sage.connection_string
        self._user.setText(settings.sage.user)
        index = self._naming.findData(settings.sage.naming)
        self._naming.setCurrentIndex(max(0, index))
        dsn, folder = cs.get(conn, "DSN"), cs.get(conn, "DBQ")
        if dsn:
            self._dsn.setEditText(dsn)
            self._mode_dsn.setChecked(True)
        elif folder and cs.sqlite_path(conn) is None:
            self._folder.setText(folder)
            self._mode_folder.setChecked(True)
        elif conn:
            self._custom.setText(conn)
            self._mode_custom.setChecked(True)
        else:
            self._mode_dsn.setChecked(True)
        if conn and self._secrets.get(sage_password_secret(settings.sage)):
            self._password.setPlaceholderText(f"Saved in {store_name()} (type to replace)")
        self._on_mode_toggled()

    def _on_mode_toggled(self, _checked: bool = False) -> None:
        self._dsn.setEnabled(self._mode_dsn.isChecked())
        self._folder.setEnabled(self._mode_folder.isChecked())
        self._custom.setEnabled(self._mode_custom.isChecked())

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Sage 300 CRE company data folder", self._folder.text())
        if folder:
            self._folder.setText(folder)

    def _on_test_clicked(self) -> None:
        try:
            settings = self.apply(self._settings)
        except (SageSyncError, ValueError) as exc:  # a bad entry is shown, never raised at the user
            self._result.setText(connection_checks.plain_error(exc))
            return
        self._test.setEnabled(False)
        self._choices.clear()
        self._result.setText("Connecting to Sage\u2026")
        self._runner.start("test", partial(_test_work, settings, self._secrets))

    def _on_runner_succeeded(self, label: str, result: object) -> None:
        if label == "dsns" and isinstance(result, dict):
            current = self._dsn.currentText()
            self._dsn.clear()
            for name, driver in sorted(result.items()):
                self._dsn.addItem(name)
                self._dsn.setItemData(self._dsn.count() - 1, plain_tooltip(f"Driver: {driver}"),
                                      Qt.ItemDataRole.ToolTipRole)
            self._dsn.setEditText(current)
            self._dsn.setPlaceholderText("No ODBC data sources found" if not result else "")
        elif label == "test" and isinstance(result, SchemaReport):
            self._test.setEnabled(True)
            self._tested_ok = result.ok
            self.connection_checked.emit(result.ok)
            self._result.setText(connection_checks.describe_schema_report(result))
            self._choices.show_report(result)

    def _on_runner_failed(self, label: str, error: object) -> None:
        if label == "dsns":
            self._dsn.setPlaceholderText("The ODBC driver manager did not answer")
            logger.warning("listing ODBC data sources failed: %s", error)
        else:
            self._test.setEnabled(True)
            self._tested_ok = False
            self.connection_checked.emit(False)
            self._result.setText("Could not read Sage: " + connection_checks.plain_error(error))


def _test_work(settings: Settings, secrets: SecretStore, *, progress: object, cancel: object) -> SchemaReport:
    return connection_checks.check_sage_connection(settings, secrets)
