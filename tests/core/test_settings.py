from __future__ import annotations

import json

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.settings import Settings


def test_missing_file_gives_defaults(tmp_path):
    loaded = settings_module.load(tmp_path / "absent.json")
    assert loaded == Settings()
    assert loaded.sage.naming == "legacy"
    assert loaded.procore.environment == "production"


def test_settings_round_trip_through_the_file(tmp_path):
    path = tmp_path / "s.json"
    original = Settings().with_changes(
        sage={"connection_string": "DSN=Timberline Data Source", "naming": "standard"},
        procore={"company_id": 123, "client_id": "abc", "auth": "client_credentials"},
    )
    settings_module.save(original, path)
    assert settings_module.load(path) == original
    raw = json.loads(path.read_text())
    assert raw["procore"]["company_id"] == 123
    assert raw["sage"]["naming"] == "standard"


def test_issue_example_keys_are_accepted(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({
        "sage": {"connection_string": "DRIVER={Timberline Data};DBQ=X;UID=u", "naming": "legacy"},
        "procore": {"environment": "production", "api_url": "https://api.procore.com",
                    "login_url": "https://login.procore.com", "company_id": 123,
                    "client_id": "...", "auth": "authorization_code"},
    }))
    loaded = settings_module.load(path)
    assert loaded.procore.company_id == 123
    assert loaded.procore_environment().api_url == "https://api.procore.com"


@pytest.mark.parametrize("raw, words", [
    ({"sage": {"naming": "weird"}}, "sage.naming"),
    ({"procore": {"environment": "moon"}}, "procore.environment"),
    ({"procore": {"auth": "magic"}}, "procore.auth"),
    ({"sage": {"colour": 1}}, "unknown key(s) colour"),
    ({"procore": {"client_secret": "s3cr3t"}}, "looks like a secret"),
    ({"sage": {"connection_string": "DSN=x;PWD=hunter2"}}, "PWD="),
])
def test_bad_settings_name_the_offending_key(tmp_path, raw, words):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigurationError) as info:
        settings_module.load(path)
    assert words in str(info.value)
    assert "hunter2" not in str(info.value) and "s3cr3t" not in str(info.value)


def test_invalid_json_says_where(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"sage": ')
    with pytest.raises(ConfigurationError, match="line 1"):
        settings_module.load(path)


def test_custom_environment_takes_urls_as_given():
    s = Settings().with_changes(procore={"environment": "custom", "api_url": "http://127.0.0.1:5000/",
                                         "login_url": "http://127.0.0.1:5000"})
    env = s.procore_environment()
    assert env.api_url == "http://127.0.0.1:5000"
    assert env.login_url == "http://127.0.0.1:5000"
