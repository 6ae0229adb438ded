"""The read-only guard: only a single SELECT statement may reach the Sage driver.

The Timberline driver accepts writes to some tables (Event 1's "Write" product uses them), so
read-only is enforced here, before the driver sees the text, not left to Sage's security setup.
Comments are removed and string literals / quoted names blanked before the check, so neither
`SELECT 1 /* ; */` nor a keyword hidden in a comment gets past it, and a literal such as
'DELETE' inside a SELECT does not trip it.
"""

from __future__ import annotations

import re

from sage_sync_desktop.errors import SageReadOnlyViolation

# Words that change data, schema, session or permissions, or run code. INTO covers
# SELECT ... INTO new_table; REPLACE/UPSERT are SQLite/MySQL writes; PRAGMA/ATTACH are SQLite.
FORBIDDEN_WORDS = frozenset({
    "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "EXEC", "EXECUTE", "CALL", "MERGE",
    "GRANT", "REVOKE", "DENY", "TRUNCATE", "REPLACE", "UPSERT", "ATTACH", "DETACH", "PRAGMA",
    "VACUUM", "REINDEX", "ANALYZE", "INTO", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
    "SET", "LOCK", "UNLOCK", "RENAME", "COPY", "LOAD", "DECLARE", "SHUTDOWN", "BACKUP", "RESTORE",
})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$#]*")
_QUOTES = {"'": "'", '"': '"', "[": "]", "`": "`"}


def _code_only(sql: str) -> str:
    """The statement with comments removed and quoted text blanked; raises if unterminated."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise SageReadOnlyViolation("Refused a Sage query with an unterminated /* comment.")
            i = end + 2
            out.append(" ")
        elif ch in _QUOTES:
            close = _QUOTES[ch]
            j = i + 1
            while True:
                j = sql.find(close, j)
                if j < 0:
                    raise SageReadOnlyViolation("Refused a Sage query with an unterminated quote.")
                if close in "'\"`" and sql.startswith(close * 2, j):
                    j += 2  # doubled quote inside the literal
                    continue
                break
            out.append(" '' ")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_select_only(sql: object) -> str:
    """Return `sql` if it is one SELECT statement; raise SageReadOnlyViolation otherwise."""
    if not isinstance(sql, str):
        raise SageReadOnlyViolation("Refused a Sage query that is not text.")
    code = _code_only(sql).strip()
    if code.endswith(";"):
        code = code[:-1].rstrip()
    words = _WORD.findall(code)
    forbidden = sorted({w.upper() for w in words} & FORBIDDEN_WORDS)
    if forbidden:
        raise SageReadOnlyViolation(
            f"Refused a Sage query containing {', '.join(forbidden)}: only plain SELECTs are allowed.",
            fix="Sage is read-only for this app; nothing may be written to it.",
        )
    if not words or words[0].upper() != "SELECT":
        first = words[0].upper() if words else "nothing"
        raise SageReadOnlyViolation(
            f"Refused a Sage statement starting with {first}: only SELECT is allowed.",
            fix="Sage is read-only for this app; nothing may be written to it.",
        )
    if ";" in code:
        raise SageReadOnlyViolation(
            "Refused a Sage query holding more than one statement (a ';' inside it).",
            fix="Sage is only ever read, one SELECT at a time.",
        )
    return sql
