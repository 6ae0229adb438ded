"""User settings: declared once, typed, persisted as JSON. Never holds a secret.

The file lives in the platform config folder (AppPaths.settings_file) unless `--config PATH`
names another, so IT can deploy one and scripts can point at their own. Every key is documented
in the README's Configuration section.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.file_permissions import make_private_dir, refuse_if_others_may_write, write_private_text
from sage_sync_desktop.procore import environments

SCHEMA_VERSION = 1
NAMING_PRESETS = ("legacy", "standard")
AUTH_FLOWS = ("authorization_code", "client_credentials")
COST_CODE_MODES = ("off", "match")
ERP_RULES = ("require", "skip_when_absent")
# Keys whose values must never be written to the settings file.
_FORBIDDEN_KEYS = {"pwd", "password", "client_secret", "secret", "access_token", "refresh_token"}


@dataclass(frozen=True)
class SageSettings:
    connection_string: str = ""
    # "legacy", "standard", or a preset name plus per-site overrides in `mapping`.
    naming: str = "legacy"
    # Per-site overrides: {"contract": {"table": "...", "columns": {"approval_date": "..."}}}.
    mapping: dict[str, Any] = field(default_factory=dict)
    # Sage user for UID when the connection string has none; the password is in keyring.
    user: str = ""
    login_timeout_seconds: int = 15
    # "auto" (default) = load the driver in this process and, when the installed x64 app cannot
    # (a 32-bit Timberline driver), read through its bundled 32-bit bridge (x86/sage-sync.exe);
    # "" = never use the bridge; or the path of a bridge exe to always use.
    odbc_bridge: str = "auto"


@dataclass(frozen=True)
class ProcoreSettings:
    environment: str = "production"
    api_url: str = "https://api.procore.com"
    login_url: str = "https://login.procore.com"
    company_id: int | None = None
    client_id: str = ""
    auth: str = "authorization_code"
    redirect_uri: str = "http://localhost:8765"
    timeout_seconds: int = 30
    # A CA bundle (PEM) to trust instead of the bundled one, for networks that inspect HTTPS.
    # Verification itself can never be switched off.
    ca_bundle: str = ""


@dataclass(frozen=True)
class GuiSettings:
    window_geometry: str = ""
    prime_contracts_view: str = "ready"


@dataclass(frozen=True)
class SyncSettings:
    # "off" (default): lines never carry a cost_code_id, PMs set budget codes in Procore.
    # "match": a new line, or one whose Sage cost code changed, gets the project's budget code
    # whose full_code equals the Sage cost code (sync/cost_code_match.py).
    cost_codes: str = "off"
    # How long an import, re-import or link waits for another run writing from the same data
    # folder (another command, or the window) before giving up with an error.
    lock_wait_seconds: float = 60.0
    # What a company without Procore's ERP Integrations tool means (Procore adds the tool only
    # with an ERP connection): "require" blocks writes and says what to ask Procore;
    # "skip_when_absent" lets Admin on the project's Prime Contracts tool alone allow them.
    erp_integrations_rule: str = "require"


@dataclass(frozen=True)
class Settings:
    sage: SageSettings = field(default_factory=SageSettings)
    procore: ProcoreSettings = field(default_factory=ProcoreSettings)
    gui: GuiSettings = field(default_factory=GuiSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "settings") -> Settings:
        if not isinstance(raw, dict):
            raise ConfigurationError(f"{source}: the top level must be a JSON object.")
        _refuse_secrets(raw, source)
        sage = _section(SageSettings, raw.get("sage", {}), f"{source}: sage")
        procore = _section(ProcoreSettings, raw.get("procore", {}), f"{source}: procore")
        gui = _section(GuiSettings, raw.get("gui", {}), f"{source}: gui")
        # Files written before the sync section existed have none: defaults apply.
        sync = _section(SyncSettings, raw.get("sync", {}), f"{source}: sync")
        settings = cls(sage=sage, procore=procore, gui=gui, sync=sync)
        settings.validate(source)
        return settings

    def validate(self, source: str = "settings") -> None:
        if self.sage.naming not in NAMING_PRESETS:
            raise ConfigurationError(
                f"{source}: sage.naming is {self.sage.naming!r}.",
                fix=f"Use one of {', '.join(NAMING_PRESETS)}; put site-specific names in sage.mapping.",
            )
        if self.procore.environment not in environments.ENVIRONMENT_NAMES:
            raise ConfigurationError(
                f"{source}: procore.environment is {self.procore.environment!r}.",
                fix=f"Use one of {', '.join(environments.ENVIRONMENT_NAMES)}.",
            )
        if self.procore.auth not in AUTH_FLOWS:
            raise ConfigurationError(
                f"{source}: procore.auth is {self.procore.auth!r}.",
                fix=f"Use one of {', '.join(AUTH_FLOWS)}.",
            )
        if self.procore.company_id is not None and not isinstance(self.procore.company_id, int):
            raise ConfigurationError(f"{source}: procore.company_id must be a whole number.")
        if self.sync.cost_codes not in COST_CODE_MODES:
            raise ConfigurationError(
                f"{source}: sync.cost_codes is {self.sync.cost_codes!r}.",
                fix=f"Use one of {', '.join(repr(m) for m in COST_CODE_MODES)} (\"off\" is the default).",
            )
        wait = self.sync.lock_wait_seconds
        if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait <= 86_400:
            raise ConfigurationError(f"{source}: sync.lock_wait_seconds must be a number of seconds (0 to 86400).")
        if self.sync.erp_integrations_rule not in ERP_RULES:
            raise ConfigurationError(
                f"{source}: sync.erp_integrations_rule is {self.sync.erp_integrations_rule!r}.",
                fix=f"Use one of {', '.join(repr(m) for m in ERP_RULES)} (\"require\" is the default).",
            )

    def procore_environment(self) -> environments.ProcoreEnvironment:
        try:
            return environments.resolve(
                self.procore.environment,
                api_url=self.procore.api_url,
                login_url=self.procore.login_url,
            )
        except ValueError as exc:
            raise ConfigurationError(f"procore settings: {exc}") from None

    def with_changes(self, **sections: Any) -> Settings:
        """A copy with whole sections or section fields replaced: with_changes(sage={...})."""
        updates = {}
        for name, value in sections.items():
            current = getattr(self, name)
            updates[name] = replace(current, **value) if isinstance(value, dict) else value
        return replace(self, **updates)


def _section(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where} must be a JSON object.")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown key(s) {', '.join(unknown)}.",
            fix=f"Known keys: {', '.join(known)}.",
        )
    return cls(**raw)


def _refuse_secrets(raw: Any, source: str, path: str = "") -> None:
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).lower() in _FORBIDDEN_KEYS:
                raise ConfigurationError(
                    f"{source}: {here} looks like a secret; secrets never go in the settings file.",
                    fix="Remove it and store it with the app (it goes to the OS credential store).",
                )
            _refuse_secrets(value, source, here)
    if isinstance(raw, str) and "pwd=" in raw.lower().replace(" ", ""):
        raise ConfigurationError(
            f"{source}: {path} contains PWD=; the Sage password never goes in the settings file.",
            fix="Remove PWD=... from the connection string; the app asks for the password "
            "and keeps it in the OS credential store.",
        )


def load(path: Path) -> Settings:
    """Settings from `path`; defaults when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return Settings()
    # The settings choose which Procore and which Sage program the app uses: never one others wrote.
    refuse_if_others_may_write(path, "settings file")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}).",
            fix="Fix the file or delete it to start again with the set-up.",
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"Cannot read {path}: {exc.strerror}.") from None
    return Settings.from_dict(raw, source=str(path))


def save(settings: Settings, path: Path) -> None:
    """Write atomically, so a crash mid-write never leaves half a file."""
    settings.validate(str(path))
    path = Path(path)
    make_private_dir(path.parent)
    write_private_text(path, json.dumps(settings.to_dict(), indent=2) + "\n")
