"""The `sync` section: cost-code matching is off unless the settings file says "match"; the ERP
Integrations rule is "require" unless it says "skip_when_absent"."""

from __future__ import annotations

import json

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.settings import Settings, SyncSettings


def test_cost_code_matching_is_off_by_default():
    assert Settings().sync == SyncSettings(cost_codes="off")


def test_a_settings_file_without_the_sync_section_still_loads(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": 1, "sage": {"naming": "standard"},
                                "procore": {"company_id": 7}, "gui": {}}))
    loaded = settings_module.load(path)
    assert loaded.sync.cost_codes == "off"
    assert loaded.sage.naming == "standard"


def test_match_round_trips_through_the_file(tmp_path):
    path = tmp_path / "s.json"
    settings_module.save(Settings().with_changes(sync={"cost_codes": "match"}), path)
    assert json.loads(path.read_text())["sync"]["cost_codes"] == "match"
    assert settings_module.load(path).sync.cost_codes == "match"


@pytest.mark.parametrize("value", ["on", "Match", "", 1])
def test_an_unknown_cost_code_mode_names_the_key_and_the_allowed_values(tmp_path, value):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"sync": {"cost_codes": value}}))
    with pytest.raises(ConfigurationError) as caught:
        settings_module.load(path)
    assert "sync.cost_codes" in caught.value.message
    assert "'off'" in caught.value.fix and "'match'" in caught.value.fix


def test_an_unknown_key_in_the_sync_section_is_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"sync": {"cost_code": "match"}}))
    with pytest.raises(ConfigurationError, match="sync: unknown key"):
        settings_module.load(path)


def test_the_erp_integrations_rule_is_require_by_default_and_round_trips(tmp_path):
    assert Settings().sync.erp_integrations_rule == "require"
    path = tmp_path / "s.json"
    settings_module.save(Settings().with_changes(sync={"erp_integrations_rule": "skip_when_absent"}), path)
    assert settings_module.load(path).sync.erp_integrations_rule == "skip_when_absent"


@pytest.mark.parametrize("value", ["skip", "Require", "", None])
def test_an_unknown_erp_integrations_rule_names_the_key_and_the_allowed_values(tmp_path, value):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"sync": {"erp_integrations_rule": value}}))
    with pytest.raises(ConfigurationError) as caught:
        settings_module.load(path)
    assert "sync.erp_integrations_rule" in caught.value.message
    assert "'require'" in caught.value.fix and "'skip_when_absent'" in caught.value.fix
