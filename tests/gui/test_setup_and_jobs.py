"""Set-up that cannot be finished empty, set-up errors that offer Settings, the jobs tab's choices."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QToolButton, QWizard

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.gui.first_run_wizard import FirstRunWizard
from sage_sync_desktop.gui.jobs_tab import JobsTab
from sage_sync_desktop.gui.main_window import MainWindow
from sage_sync_desktop.gui.settings_dialog import SettingsDialog
from sage_sync_desktop.gui.sync_session import SyncSession
from sage_sync_desktop.sync.records import ContractState
from tests.gui import records_factory as rf
from tests.gui.scripted_engine import ScriptedEngine


def test_the_setup_cannot_finish_with_every_field_empty(qtbot, cli_context):
    wizard = FirstRunWizard(cli_context)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    assert "Test connection" in wizard.unfinished_because() and "Sign in" in wizard.unfinished_because()
    wizard.accept()
    assert not cli_context.settings_path.exists()
    wizard.findChild(QCheckBox, "setUpLaterCheck").setChecked(True)
    assert finish.isEnabled()
    wizard.accept()
    assert cli_context.settings_path.exists()


def test_a_setup_problem_names_the_screen_and_offers_open_settings(qtbot, cli_context):
    class Unconfigured(ScriptedEngine):
        def refresh(self, **_options):
            raise ConfigurationError("No Sage 300 CRE connection is set up.",
                                     fix="Open the app and complete the set-up, or set sage.connection_string "
                                         "in the settings file.")

    opened = []
    session = SyncSession(lambda: Unconfigured(rf.snapshot([])))
    window = MainWindow(session, cli_context, open_settings=lambda parent: opened.append(parent) or False)
    session.setParent(window)
    qtbot.addWidget(window)
    window.show()
    banner = window.prime_contracts_tab.banner
    with qtbot.waitSignal(session.work_failed, timeout=10_000):
        window.refresh()
    assert banner.kind == "error" and "sage.connection_string" not in banner.text()
    assert banner.text().endswith("Open Settings (Sage 300 CRE or Procore) to set it up.")
    assert banner.action_text() == "Open Settings\u2026"
    qtbot.mouseClick(banner.findChild(QToolButton, "messageActionButton"), Qt.MouseButton.LeftButton)
    assert opened == [window]
    session.shutdown()


def test_settings_shows_the_same_procore_sign_in_as_the_toolbar(open_window, qtbot, cli_context):
    window = open_window(ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT)])))
    dialog = SettingsDialog(cli_context, window)
    qtbot.addWidget(dialog)
    assert window.user_label.text() == "Alex Admin \u00b7 Example Builders"
    assert dialog.procore_page.status_text() == "Signed in as Alex Admin (admin@example.com) \u00b7 Example Builders"
    assert dialog.procore_page.signed_in
    assert isinstance(dialog.findChild(QPushButton, "signInButton"), QPushButton)


def _jobs_window(open_window):
    jobs = [rf.job_link("1001", linked=True),  # linked to RC-01 Riverside Clinic
            rf.job_link("1002", linked=False, suggestions=(rf.PROJECT, rf.OTHER_PROJECT))]
    window = open_window(ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT)], jobs)))
    window.tabs.setCurrentIndex(0)
    return window


def test_a_project_linked_to_another_job_is_marked_last_and_never_the_default(open_window):
    window = _jobs_window(open_window)
    assert window.jobs_tab.select_job("1002")
    choices = window.jobs_tab.project_choices()
    assert choices[0] == "HO-02 Harbour Offices (suggested)"  # the free suggestion, not the linked one
    assert choices[-1] == "RC-01 Riverside Clinic (linked to job 1001)"
    combo = window.findChild(QComboBox, "linkProjectCombo")
    assert combo.currentIndex() == 0
    assert not combo.model().item(len(choices) - 1).isEnabled()


def test_unlink_asks_first_and_sends_nothing_when_declined(open_window, qtbot, monkeypatch):
    window = _jobs_window(open_window)
    asked = []
    monkeypatch.setattr(JobsTab, "ask_unlink", lambda self, job: asked.append(job.job.number) or False)
    assert window.jobs_tab.select_job("1001")
    qtbot.mouseClick(window.findChild(QPushButton, "unlinkJobButton"), Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert asked == ["1001"]
    # Declined: no job ran (the scripted engine's unlink would have failed loudly in the banner).
    assert not window.jobs_tab.banner.isVisible()
