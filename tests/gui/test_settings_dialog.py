"""Settings: the Sage test over the sample company, Procore sign-in against the local sandbox."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QRadioButton

from sage_sync_desktop.gui.first_run_wizard import FirstRunWizard
from sage_sync_desktop.gui.settings_dialog import SettingsDialog
from sage_sync_desktop.procore import environments
from sage_sync_desktop.sage.sage_reader import sage_password_secret
from sage_sync_desktop.demo.sample_company import generate_sample_company
from tests.fixtures.sage_fixtures import change_sample


def _dialog(qtbot, cli_context) -> SettingsDialog:
    dialog = SettingsDialog(cli_context)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_test_connection_says_what_it_found_in_plain_words(qtbot, cli_context, tmp_path):
    info = generate_sample_company(tmp_path / "sage.db")
    dialog = _dialog(qtbot, cli_context)
    page = dialog.sage_page
    for radio in page.findChildren(QRadioButton):
        if radio.text().startswith("A connection string"):
            radio.setChecked(True)
    page.findChild(QLineEdit, "sageConnectionString").setText(f"sqlite:///{info.path}")
    result = page.findChild(QLabel, "sageTestResult")
    qtbot.mouseClick(page.findChild(QPushButton, "testSageConnectionButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: result.text().startswith(("Connected", "Could not")), timeout=30_000)
    assert "Every table and column the app reads is there (legacy names)" in result.text()
    assert f"{len(info.job_numbers)} jobs, {info.contract_count} prime contracts with {info.item_count} line items" \
        in result.text()


def test_a_sage_that_cannot_be_read_is_explained(qtbot, cli_context, tmp_path):
    dialog = _dialog(qtbot, cli_context)
    page = dialog.sage_page
    for radio in page.findChildren(QRadioButton):
        if radio.text().startswith("A connection string"):
            radio.setChecked(True)
    page.findChild(QLineEdit, "sageConnectionString").setText(f"sqlite:///{tmp_path / 'missing.db'}")
    result = page.findChild(QLabel, "sageTestResult")
    qtbot.mouseClick(page.findChild(QPushButton, "testSageConnectionButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: result.text().startswith(("Connected", "Could not")), timeout=30_000)
    assert result.text().startswith("Could not read Sage: ")
    assert "missing.db" in result.text()


def test_test_connection_names_what_is_missing_under_the_wrong_naming(qtbot, cli_context, tmp_path):
    info = generate_sample_company(tmp_path / "sage.db")  # legacy names
    dialog = _dialog(qtbot, cli_context)
    page = dialog.sage_page
    for radio in page.findChildren(QRadioButton):
        if radio.text().startswith("A connection string"):
            radio.setChecked(True)
    page.findChild(QLineEdit, "sageConnectionString").setText(f"sqlite:///{info.path}")
    naming = page.findChild(QComboBox, "sageNamingCombo")
    naming.setCurrentIndex(naming.findData("standard"))
    result = page.findChild(QLabel, "sageTestResult")
    qtbot.mouseClick(page.findChild(QPushButton, "testSageConnectionButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: result.text().startswith(("Connected", "Could not")), timeout=30_000)
    assert "of the names the app reads (standard names) are missing:" in result.text()
    assert "\u2022 " in result.text()


def test_the_sage_password_goes_to_the_credential_store_not_the_file(qtbot, cli_context, secret_store):
    dialog = _dialog(qtbot, cli_context)
    page = dialog.sage_page
    page.findChild(QComboBox, "odbcDataSourceCombo").setEditText("Timberline Company")
    page.findChild(QLineEdit, "sageUser").setText("tsuser")
    page.findChild(QLineEdit, "sagePassword").setText("s3cret-Sage!")
    assert dialog.save()
    saved = cli_context.load_settings()
    assert saved.sage.connection_string.startswith("DSN=Timberline Company;")
    assert "s3cret" not in cli_context.settings_path.read_text(encoding="utf-8")
    assert secret_store.get(sage_password_secret(saved.sage)) == "s3cret-Sage!"


def test_service_account_sign_in_lists_companies_and_permissions(qtbot, cli_context, sandbox, secret_store):
    dialog = _dialog(qtbot, cli_context)
    page = dialog.procore_page
    combo = page.findChild(QComboBox, "procoreEnvironmentCombo")
    combo.setCurrentIndex(combo.findData(environments.CUSTOM))
    page.findChild(QLineEdit, "procoreApiUrl").setText(sandbox.url)
    page.findChild(QLineEdit, "procoreLoginUrl").setText(sandbox.login_url)
    page.findChild(QLineEdit, "procoreClientId").setText(sandbox.client_id)
    page.findChild(QLineEdit, "procoreClientSecret").setText(sandbox.client_secret)
    method = page.findChild(QComboBox, "signInMethodCombo")
    method.setCurrentIndex(method.findData("service"))
    page.findChild(QComboBox, "procoreCompanyCombo").setEditText(str(sandbox.company_id))
    qtbot.mouseClick(page.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    permissions = page.findChild(QLabel, "procorePermissions")
    qtbot.waitUntil(lambda: permissions.text().startswith("ERP Integrations:"), timeout=30_000)
    assert page.status_text().startswith("Signed in as ")
    assert permissions.text().startswith("ERP Integrations: Admin. Prime Contracts: Admin")
    assert page.findChild(QComboBox, "procoreCompanyCombo").currentData() == sandbox.company_id
    assert dialog.save()
    saved = json.loads(cli_context.settings_path.read_text(encoding="utf-8"))
    assert saved["procore"]["company_id"] == sandbox.company_id
    assert saved["procore"]["auth"] == "client_credentials"
    assert sandbox.client_secret not in cli_context.settings_path.read_text(encoding="utf-8")


def test_service_account_without_a_company_id_says_what_to_type(qtbot, cli_context, sandbox):
    dialog = _dialog(qtbot, cli_context)
    page = dialog.procore_page
    combo = page.findChild(QComboBox, "procoreEnvironmentCombo")
    combo.setCurrentIndex(combo.findData(environments.CUSTOM))
    page.findChild(QLineEdit, "procoreApiUrl").setText(sandbox.url)
    page.findChild(QLineEdit, "procoreLoginUrl").setText(sandbox.login_url)
    page.findChild(QLineEdit, "procoreClientId").setText(sandbox.client_id)
    page.findChild(QLineEdit, "procoreClientSecret").setText(sandbox.client_secret)
    method = page.findChild(QComboBox, "signInMethodCombo")
    method.setCurrentIndex(method.findData("service"))
    qtbot.mouseClick(page.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status_text().startswith("A service account"), timeout=10_000)
    assert "company ID" in page.status_text()


def _test_connection_over_odbc(qtbot, page, path, naming):
    for radio in page.findChildren(QRadioButton):
        if radio.text().startswith("A connection string"):
            radio.setChecked(True)
    page.findChild(QLineEdit, "sageConnectionString").setText(f"DRIVER={{SQLite3}};Database={path}")
    combo = page.findChild(QComboBox, "sageNamingCombo")
    combo.setCurrentIndex(combo.findData(naming))
    result = page.findChild(QLabel, "sageTestResult")
    result.setText("")
    qtbot.mouseClick(page.findChild(QPushButton, "testSageConnectionButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: result.text().startswith(("Connected", "Could not")), timeout=30_000)
    return result.text()


@pytest.mark.parametrize("naming", ["legacy", "standard"])
def test_a_missing_column_offers_the_tables_columns_and_the_choice_is_saved(qtbot, cli_context, tmp_path, naming):
    info = generate_sample_company(tmp_path / "sage.db", naming=naming)
    change_sample(info.path, 'ALTER TABLE "{contract_item}" RENAME COLUMN "Original_Contract_Total" TO "Scheduled_Value"',
                  naming=naming)
    dialog = _dialog(qtbot, cli_context)
    page = dialog.sage_page
    text = _test_connection_over_odbc(qtbot, page, info.path, naming)
    assert "Original_Contract_Total" in text and "Choose the column" in text
    combo = page.findChild(QComboBox, "columnChoice_contract_item_amount")
    assert combo is not None and combo.isVisible()
    options = [combo.itemData(i) for i in range(combo.count())]
    assert options[0] is None and options[1] == "Scheduled_Value"  # candidates first
    assert {"Contract", "Description", "Units"} <= set(options)  # then the table's other columns
    combo.setCurrentIndex(1)
    # Testing again uses the pick (and keeps it for Save).
    assert "Every table and column the app reads is there" in _test_connection_over_odbc(
        qtbot, page, info.path, naming)
    assert page.findChild(QComboBox, "columnChoice_contract_item_amount") is None
    assert dialog.save()
    saved = cli_context.load_settings()
    assert saved.sage.mapping == {"contract_item": {"columns": {"amount": "Scheduled_Value"}}}


def test_an_optional_missing_column_can_be_marked_absent(qtbot, cli_context, tmp_path):
    info = generate_sample_company(tmp_path / "sage.db")
    change_sample(info.path, 'ALTER TABLE "{contract_item}" DROP COLUMN "Category"')
    dialog = _dialog(qtbot, cli_context)
    _test_connection_over_odbc(qtbot, dialog.sage_page, info.path, "legacy")
    combo = dialog.sage_page.findChild(QComboBox, "columnChoice_contract_item_category")
    combo.setCurrentIndex(combo.findText("This site has no such column"))
    assert dialog.save()
    assert cli_context.load_settings().sage.mapping == {"contract_item": {"columns": {"category": None}}}


def test_the_first_run_setup_offers_the_same_column_choice_and_saves_it(qtbot, cli_context, tmp_path):
    info = generate_sample_company(tmp_path / "sage.db")
    change_sample(info.path, 'ALTER TABLE "{contract_item}" RENAME COLUMN "Approval_Date" TO "Item_Approved_On"')
    wizard = FirstRunWizard(cli_context)
    qtbot.addWidget(wizard)
    wizard.show()
    text = _test_connection_over_odbc(qtbot, wizard.sage_page, info.path, "legacy")
    assert "Approval_Date" in text
    combo = wizard.sage_page.findChild(QComboBox, "columnChoice_contract_item_approval_date")
    assert combo.itemData(1) == "Item_Approved_On"
    combo.setCurrentIndex(1)
    assert wizard.save()
    assert cli_context.load_settings().sage.mapping == {
        "contract_item": {"columns": {"approval_date": "Item_Approved_On"}}}
    wizard.sage_page.shutdown()
