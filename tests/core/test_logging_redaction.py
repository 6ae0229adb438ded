from __future__ import annotations

import logging

from sage_sync_desktop.logging_setup import configure_logging, redact, register_secret


def test_connection_string_password_is_redacted():
    text = redact("connect DRIVER={Timberline Data};DBQ=C:\\Data;UID=odbc;PWD=Sup3rS3cret;X=1")
    assert "Sup3rS3cret" not in text
    assert "PWD=***" in text
    assert "UID=odbc" in text


def test_bearer_tokens_and_json_tokens_are_redacted():
    text = redact('Authorization: Bearer abc.def-123 body {"access_token": "tok1", "refresh_token":"tok2"}')
    assert "abc.def-123" not in text and "tok1" not in text and "tok2" not in text


def test_registered_secret_is_redacted_anywhere():
    register_secret("zq-unique-client-secret-77")
    assert "zq-unique-client-secret-77" not in redact("oops zq-unique-client-secret-77 leaked")


def test_log_file_never_receives_a_password(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    configure_logging(log_file)
    logging.getLogger("sage_sync_desktop.test").warning("failed with PWD=hunter22;UID=x")
    for handler in logging.getLogger().handlers:
        handler.flush()
    content = log_file.read_text()
    assert "failed with" in content
    assert "hunter22" not in content


def test_an_error_already_shown_to_the_user_goes_to_the_file_not_the_console(tmp_path, capsys):
    from sage_sync_desktop.cli import main

    code = main(["--app-dir", str(tmp_path / "app"), "status"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("No Sage 300 CRE connection is set up") == 1  # the plain "error:" line only
    assert "ConfigurationError" not in err
    log = (tmp_path / "app" / "logs" / "sage-sync-desktop.log").read_text()
    assert "ConfigurationError: No Sage 300 CRE connection is set up" in log


def test_console_log_follows_the_current_stderr_after_the_old_one_is_closed(tmp_path, monkeypatch, capsys):
    import io

    old = io.StringIO()
    monkeypatch.setattr("sys.stderr", old)
    configure_logging(tmp_path / "logs" / "app.log", console=True)
    old.close()
    monkeypatch.undo()
    logging.getLogger("sage_sync_desktop.test").warning("still visible")
    assert "still visible" in capsys.readouterr().err
