"""The sandbox's state in SQLite: companies, users and permissions, projects, tokens, lookups.

One connection guarded by one re-entrant lock: the server runs each request's work inside
`with state.lock, state.transaction()`, so concurrent requests never interleave. With a file
path the state survives a restart (a demo keeps its imports). Ids start above 2**32 because
Procore's do (procore-api.md section 2).
"""

from __future__ import annotations

import secrets as secrets_module
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIRST_ID = 5_000_000_001  # > 2**32
DEFAULT_TOKEN_TTL = 5400
LEVELS = ("None", "Read Only", "Standard", "Admin")
COMPANY_TOOLS = (("erp_integrations", "ERP Integrations"), ("directory", "Directory"),
                 ("admin", "Admin"), ("portfolio", "Portfolio"))
PROJECT_TOOLS = (("prime_contracts", "Prime Contracts"), ("budget", "Budget"),
                 ("commitments", "Commitments"), ("directory", "Directory"), ("admin", "Admin"))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS companies (id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS apps (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    client_id TEXT UNIQUE, client_secret TEXT, demo_login INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS company_users (company_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (company_id, user_id));
CREATE TABLE IF NOT EXISTS disabled_tools (company_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
    tool TEXT NOT NULL, PRIMARY KEY (company_id, project_id, tool));
CREATE TABLE IF NOT EXISTS project_members (project_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id));
CREATE TABLE IF NOT EXISTS permissions (user_id INTEGER NOT NULL, company_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL, tool TEXT NOT NULL, level TEXT NOT NULL,
    PRIMARY KEY (user_id, company_id, project_id, tool));
CREATE TABLE IF NOT EXISTS projects (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, name TEXT NOT NULL,
    project_number TEXT, origin_id TEXT, origin_code TEXT, origin_data TEXT, active INTEGER NOT NULL DEFAULT 1,
    always_editable_sov INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS projects_origin ON projects (company_id, origin_id);
CREATE INDEX IF NOT EXISTS projects_number ON projects (company_id, project_number);
CREATE INDEX IF NOT EXISTS projects_updated ON projects (company_id, updated_at);
CREATE TABLE IF NOT EXISTS tokens (access_token TEXT PRIMARY KEY, refresh_token TEXT UNIQUE, user_id INTEGER NOT NULL,
    client_id TEXT NOT NULL, grant_type TEXT NOT NULL, created_at INTEGER NOT NULL, expires_in INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, refresh_used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS auth_codes (code TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id INTEGER NOT NULL,
    redirect_uri TEXT NOT NULL, created_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS cost_codes (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL, code TEXT NOT NULL, full_code TEXT NOT NULL, name TEXT NOT NULL, origin_id TEXT,
    position INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cost_codes_project ON cost_codes (project_id, full_code);
CREATE TABLE IF NOT EXISTS line_item_types (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, code TEXT NOT NULL,
    name TEXT NOT NULL, base_type TEXT NOT NULL, origin_id TEXT);
CREATE TABLE IF NOT EXISTS uoms (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, name TEXT NOT NULL,
    description TEXT NOT NULL, category TEXT NOT NULL DEFAULT 'Other');
CREATE TABLE IF NOT EXISTS prime_contracts (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL, origin_id TEXT, status TEXT NOT NULL, position INTEGER NOT NULL,
    sov_total TEXT NOT NULL DEFAULT '0', created_by INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS prime_contracts_project ON prime_contracts (project_id, id);
CREATE INDEX IF NOT EXISTS prime_contracts_updated ON prime_contracts (project_id, updated_at);
CREATE INDEX IF NOT EXISTS prime_contracts_origin ON prime_contracts (company_id, origin_id);
CREATE TABLE IF NOT EXISTS line_items (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL, prime_contract_id INTEGER NOT NULL, origin_id TEXT, origin_data TEXT,
    position INTEGER NOT NULL, description TEXT, amount TEXT NOT NULL, quantity TEXT, unit_cost TEXT, uom TEXT,
    extended_type TEXT NOT NULL DEFAULT 'manual', cost_code_id INTEGER, line_item_type_id INTEGER,
    tax_code_id INTEGER, wbs_code_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS line_items_contract ON line_items (prime_contract_id, position);
CREATE INDEX IF NOT EXISTS line_items_origin ON line_items (company_id, origin_id);
CREATE INDEX IF NOT EXISTS line_items_updated ON line_items (prime_contract_id, updated_at);
"""


_clock_lock = threading.Lock()
_last_stamp = [datetime.min.replace(tzinfo=UTC)]


def now_iso() -> str:
    """UTC timestamp in microseconds, strictly increasing, so "changed since" never misses a
    change made in the same instant; text order equals time order."""
    with _clock_lock:
        now = datetime.now(UTC)
        if now <= _last_stamp[0]:
            now = _last_stamp[0] + timedelta(microseconds=1)
        _last_stamp[0] = now
    return stamp_text(now)


def stamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_secret(nbytes: int = 24) -> str:
    return secrets_module.token_urlsafe(nbytes)


class SandboxState:
    """All sandbox data. Callers hold `lock` (the server does, per request)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path) if self.path else ":memory:",
                                  check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if self.path:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._in_transaction = False

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            if self._in_transaction:
                yield
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
            finally:
                self._in_transaction = False

    # ------------------------------------------------------------------ basics

    def one(self, sql: str, params: tuple = ()) -> dict | None:
        with self.lock:
            row = self.db.execute(sql, params).fetchone()
        return dict(row) if row else None

    def all(self, sql: str, params: tuple = ()) -> list[dict]:
        with self.lock:
            return [dict(row) for row in self.db.execute(sql, params).fetchall()]

    def is_empty(self) -> bool:
        return self.one("SELECT id FROM companies LIMIT 1") is None

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))

    def allocate_ids(self, count: int = 1) -> int:
        """The first of `count` new ids."""
        with self.transaction():
            first = int(self.meta("next_id", str(FIRST_ID)))
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)", (str(first + count),))
        return first

    def reserve_id(self, wanted: int | None) -> int:
        """`wanted` (a seeded id, keeping later ids above it) or a new id."""
        if wanted is None:
            return self.allocate_ids()
        with self.transaction():
            following = max(int(self.meta("next_id", str(FIRST_ID))), int(wanted) + 1)
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)", (str(following),))
        return int(wanted)

    @property
    def token_ttl(self) -> int:
        return int(self.meta("token_ttl", str(DEFAULT_TOKEN_TTL)))

    def set_token_ttl(self, seconds: int) -> None:
        self.set_meta("token_ttl", int(seconds))

    # ------------------------------------------------------------------ companies, users, permissions

    def company(self, company_id: int) -> dict | None:
        return self.one("SELECT * FROM companies WHERE id = ?", (company_id,))

    def companies_of(self, user_id: int) -> list[dict]:
        return self.all("SELECT c.* FROM companies c JOIN company_users cu ON cu.company_id = c.id "
                        "WHERE cu.user_id = ? ORDER BY c.id", (user_id,))

    def membership(self, company_id: int, user_id: int) -> dict | None:
        return self.one("SELECT * FROM company_users WHERE company_id = ? AND user_id = ?", (company_id, user_id))

    def user(self, user_id: int) -> dict | None:
        return self.one("SELECT * FROM users WHERE id = ?", (user_id,))

    def user_by_login(self, login: str) -> dict | None:
        return self.one("SELECT * FROM users WHERE login = ?", (login,))

    def user_by_client(self, client_id: str) -> dict | None:
        return self.one("SELECT * FROM users WHERE client_id = ?", (client_id,))

    def users(self) -> list[dict]:
        return self.all("SELECT * FROM users ORDER BY id")

    def demo_user(self) -> dict | None:
        return self.one("SELECT * FROM users WHERE demo_login = 1 ORDER BY id LIMIT 1")

    def app(self, client_id: str) -> dict | None:
        return self.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))

    def add_user(self, *, login: str, name: str, company_ids: list[int], company_admin: bool = False,
                 client_id: str | None = None, client_secret: str | None = None, user_id: int | None = None,
                 demo_login: bool = False) -> dict:
        """A user (with service-account credentials, generated unless given) in the companies."""
        with self.transaction():
            uid = self.reserve_id(user_id)
            client_id = client_id or f"sandbox-sa-{uid}"
            client_secret = client_secret or new_secret()
            self.db.execute("INSERT INTO users (id, login, name, client_id, client_secret, demo_login) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (uid, login, name, client_id, client_secret, int(demo_login)))
            for company_id in company_ids:
                self.db.execute("INSERT OR REPLACE INTO company_users VALUES (?, ?, ?)",
                                (company_id, uid, int(company_admin)))
        return self.user(uid) or {}

    def set_permission(self, user_id: int, tool: str, level: str, *, company_id: int,
                       project_id: int | None = None) -> None:
        """Set a user's level on a company tool (project_id None) or a project tool."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO permissions VALUES (?, ?, ?, ?, ?)",
                            (user_id, company_id, project_id or 0, tool, level))
            if project_id:
                self.db.execute("INSERT OR IGNORE INTO project_members VALUES (?, ?)", (project_id, user_id))

    def add_project_member(self, project_id: int, user_id: int) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO project_members VALUES (?, ?)", (project_id, user_id))

    def tool_enabled(self, tool: str, *, company_id: int, project_id: int | None = None) -> bool:
        """False for a tool switched off in a project, or absent from a company (ERP Integrations
        exists only once Procore sets up an ERP connection)."""
        return self.one("SELECT 1 AS off FROM disabled_tools WHERE company_id = ? AND project_id = ? AND tool = ?",
                        (company_id, project_id or 0, tool)) is None

    def set_tool_enabled(self, tool: str, enabled: bool, *, company_id: int, project_id: int | None = None) -> None:
        with self.transaction():
            if enabled:
                self.db.execute("DELETE FROM disabled_tools WHERE company_id = ? AND project_id = ? AND tool = ?",
                                (company_id, project_id or 0, tool))
            else:
                self.db.execute("INSERT OR IGNORE INTO disabled_tools VALUES (?, ?, ?)",
                                (company_id, project_id or 0, tool))

    def disabled_tools(self, *, company_id: int, project_id: int | None = None) -> list[str]:
        return [row["tool"] for row in self.all(
            "SELECT tool FROM disabled_tools WHERE company_id = ? AND project_id = ? ORDER BY tool",
            (company_id, project_id or 0))]

    def access_level(self, user_id: int, tool: str, *, company_id: int, project_id: int | None = None) -> str:
        if not self.tool_enabled(tool, company_id=company_id, project_id=project_id):
            return "None"
        row = self.one("SELECT level FROM permissions WHERE user_id = ? AND company_id = ? AND project_id = ? "
                       "AND tool = ?", (user_id, company_id, project_id or 0, tool))
        if row:
            return row["level"]
        member = self.membership(company_id, user_id)
        return "Admin" if member and member["is_admin"] else "None"

    def can_see_project(self, user_id: int, project: dict) -> bool:
        member = self.membership(project["company_id"], user_id)
        if member is None:
            return False
        if member["is_admin"]:
            return True
        return self.one("SELECT 1 AS yes FROM project_members WHERE project_id = ? AND user_id = ?",
                        (project["id"], user_id)) is not None

    # ------------------------------------------------------------------ projects

    def project(self, project_id: int) -> dict | None:
        return self.one("SELECT * FROM projects WHERE id = ?", (project_id,))

    def add_project(self, *, company_id: int, name: str, project_number: str | None = None,
                    origin_id: str | None = None, origin_code: str | None = None, active: bool = True,
                    always_editable_sov: bool = False, project_id: int | None = None) -> dict:
        stamp = now_iso()
        with self.transaction():
            pid = self.reserve_id(project_id)
            self.db.execute(
                "INSERT INTO projects (id, company_id, name, project_number, origin_id, origin_code, active, "
                "always_editable_sov, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, company_id, name, project_number, origin_id, origin_code, int(active),
                 int(always_editable_sov), stamp, stamp))
        return self.project(pid) or {}

    def set_always_editable_sov(self, project_id: int, enabled: bool) -> None:
        with self.transaction():
            self.db.execute("UPDATE projects SET always_editable_sov = ? WHERE id = ?", (int(enabled), project_id))

    # ------------------------------------------------------------------ tokens

    def issue_token(self, *, user_id: int, client_id: str, grant_type: str, with_refresh: bool) -> dict:
        now = int(time.time())
        access, refresh = new_secret(32), (new_secret(32) if with_refresh else None)
        with self.transaction():
            self.db.execute("INSERT INTO tokens (access_token, refresh_token, user_id, client_id, grant_type, "
                            "created_at, expires_in) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (access, refresh, user_id, client_id, grant_type, now, self.token_ttl))
        return self.one("SELECT * FROM tokens WHERE access_token = ?", (access,)) or {}

    def token(self, access_token: str) -> dict | None:
        return self.one("SELECT * FROM tokens WHERE access_token = ?", (access_token,))

    def expire_tokens(self, user_id: int | None = None) -> int:
        """Make access tokens expired now (refresh tokens stay usable): tokens expiring mid-run."""
        with self.transaction():
            sql = "UPDATE tokens SET created_at = created_at - expires_in - 1 WHERE revoked = 0"
            cursor = self.db.execute(sql + (" AND user_id = ?" if user_id else ""), (user_id,) if user_id else ())
        return cursor.rowcount

    # ------------------------------------------------------------------ lookups

    def add_cost_code(self, *, company_id: int, project_id: int, code: str, name: str,
                      origin_id: str | None = None, cost_code_id: int | None = None) -> int:
        stamp = now_iso()
        with self.transaction():
            cid = self.reserve_id(cost_code_id)
            self.db.execute("INSERT INTO cost_codes (id, company_id, project_id, code, full_code, name, origin_id, "
                            "position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (cid, company_id, project_id, code.split("-")[-1], code, name, origin_id, 0, stamp, stamp))
        return cid

    def add_line_item_type(self, *, company_id: int, code: str, name: str, base_type: str = "other",
                           origin_id: str | None = None, type_id: int | None = None) -> int:
        with self.transaction():
            tid = self.reserve_id(type_id)
            self.db.execute("INSERT INTO line_item_types VALUES (?, ?, ?, ?, ?, ?)",
                            (tid, company_id, code, name, base_type, origin_id))
        return tid

    def add_uom(self, *, company_id: int, name: str, description: str, category: str = "Other") -> int:
        with self.transaction():
            uid = self.allocate_ids()
            self.db.execute("INSERT INTO uoms VALUES (?, ?, ?, ?, ?)", (uid, company_id, name, description, category))
        return uid

    def uom_names(self, company_id: int) -> set[str]:
        return {row["name"] for row in self.all("SELECT name FROM uoms WHERE company_id = ?", (company_id,))}
