"""ODBC connection strings for the Timberline driver: parse, build, add credentials, redact.

Keywords come from public code that connects to Sage 300 CRE (see the README's Sage section):
`DBQ` is the company data folder, `UID`/`PWD` a Sage user (not a Windows login),
`DatabaseType=1` the Accounting database, `StandardMode`/`DictionaryMode` choose how tables are
named, `MaxColSupport` how wide a table may be before the driver splits it into `_1`/`_2`,
`ShortenNames=0` full names, `CODEPAGE=1252` the text encoding.
"""

from __future__ import annotations

from pathlib import Path

TIMBERLINE_DRIVER = "Timberline Data"
SQLITE_URL_PREFIX = "sqlite:///"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")

# Per naming preset: legacy names (MASTER_JCM_JOB_1) come from StandardMode=0 with 255 columns
# per table; standard names (JCM_MASTER__JOB) from StandardMode=1, seen with 1536.
_NAMING_KEYWORDS = {
    "legacy": (("StandardMode", "0"), ("DictionaryMode", "0"), ("MaxColSupport", "255")),
    "standard": (("StandardMode", "1"), ("DictionaryMode", "0"), ("MaxColSupport", "1536")),
}


def parse(connection_string: str) -> list[tuple[str, str]]:
    """(keyword, value) pairs in order; values in {braces} may hold ';' (with '}}' for '}')."""
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(connection_string)
    while i < n:
        eq = connection_string.find("=", i)
        if eq < 0:
            rest = connection_string[i:].strip(" ;")
            if rest:
                pairs.append((rest, ""))
            break
        keyword = connection_string[i:eq].strip(" ;")
        j = eq + 1
        while j < n and connection_string[j] == " ":
            j += 1
        if j < n and connection_string[j] == "{":
            value_chars = []
            k = j + 1
            while k < n:
                if connection_string[k] == "}":
                    if connection_string.startswith("}}", k):
                        value_chars.append("}")
                        k += 2
                        continue
                    break
                value_chars.append(connection_string[k])
                k += 1
            value = "".join(value_chars)
            end = connection_string.find(";", k)
            i = n if end < 0 else end + 1
        else:
            end = connection_string.find(";", j)
            value = connection_string[j:] if end < 0 else connection_string[j:end]
            i = n if end < 0 else end + 1
            value = value.strip()
        if keyword:
            pairs.append((keyword, value))
    return pairs


def get(connection_string: str, keyword: str) -> str | None:
    wanted = keyword.lower()
    for name, value in parse(connection_string):
        if name.lower() == wanted:
            return value
    return None


def quote_value(value: str) -> str:
    """A value safe to put after KEY=: braced when it holds ; { } or edge spaces."""
    if any(c in value for c in ";{}") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def join(pairs: list[tuple[str, str]]) -> str:
    return ";".join(f"{k}={quote_value(v)}" for k, v in pairs)


def build_timberline(data_folder: str, *, naming: str = "legacy", user: str = "",
                     dsn: str = "") -> str:
    """A connection string for Sage's `Timberline Data` driver (no password: keyring holds it).

    With `dsn` the DSN names the driver; otherwise it is DSN-less. `data_folder` is the company
    folder, e.g. \\\\SERVER\\TIMBERLINE OFFICE\\Data\\Company\\ (a trailing backslash is added:
    every public example has one).
    """
    if naming not in _NAMING_KEYWORDS:
        raise ValueError(f"naming must be one of {', '.join(_NAMING_KEYWORDS)}")
    pairs: list[tuple[str, str]] = [("DSN", dsn)] if dsn else [("DRIVER", "{" + TIMBERLINE_DRIVER + "}")]
    if data_folder:
        folder = data_folder if data_folder.endswith(("\\", "/")) else data_folder + "\\"
        pairs.append(("DBQ", folder))
    if user:
        pairs.append(("UID", user))
    pairs.append(("DatabaseType", "1"))
    pairs.extend(_NAMING_KEYWORDS[naming])
    pairs.extend([("ShortenNames", "0"), ("CODEPAGE", "1252")])
    # DRIVER's braces are part of the ODBC syntax, so they are written as they are.
    return ";".join(f"{k}={v}" if k == "DRIVER" else f"{k}={quote_value(v)}" for k, v in pairs)


def with_credentials(connection_string: str, *, user: str | None, password: str | None) -> str:
    """The string with UID added when it has none and PWD when a password is given."""
    pairs = parse(connection_string)
    names = {k.lower() for k, _ in pairs}
    extra = []
    if user and "uid" not in names:
        extra.append(f"UID={quote_value(user)}")
    if password is not None and "pwd" not in names:
        # Always braced: a password may hold any character.
        extra.append("PWD={" + password.replace("}", "}}") + "}")
    if not extra:
        return connection_string
    return connection_string.rstrip("; ") + ";" + ";".join(extra)


def redacted(connection_string: str) -> str:
    """For logs and messages: PWD's value replaced by ***."""
    return ";".join(
        f"{k}=***" if k.lower() in ("pwd", "password") else f"{k}={quote_value(v)}"
        for k, v in parse(connection_string)
    )


def scope(connection_string: str, user: str = "") -> str:
    """A stable name for one Sage connection, used to file its password in the credential store."""
    pairs = {k.lower(): v for k, v in parse(connection_string)}
    where = pairs.get("dsn") or pairs.get("dbq") or pairs.get("database") or connection_string
    uid = pairs.get("uid") or user
    return f"{where.strip().lower()}|{uid.strip()}" if uid else where.strip().lower()


def sqlite_path(connection_string: str) -> Path | None:
    """The file for the demo's sqlite3 path ("sqlite:///C:/x.db" or a path ending .db)."""
    value = connection_string.strip()
    if value.lower().startswith(SQLITE_URL_PREFIX):
        rest = value[len(SQLITE_URL_PREFIX):]
        # sqlite:///C:/x.db on Windows, sqlite:////abs/x.db or sqlite:///abs/x.db elsewhere
        if len(rest) > 1 and rest[1] == ":":
            return Path(rest)
        return Path("/" + rest.lstrip("/"))
    if "=" not in value and value.lower().endswith(SQLITE_SUFFIXES):
        return Path(value)
    return None
