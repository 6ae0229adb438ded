"""Where the app keeps its files. The only module that imports platformdirs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from sage_sync_desktop.app_info import APP_NAME, COMPANY
from sage_sync_desktop.file_permissions import make_private_dir


@dataclass(frozen=True)
class AppPaths:
    """The app's folders. Passed in everywhere, never read from a global, so tests use tmp_path."""

    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        # Windows: %LOCALAPPDATA%\SageSyncDesktop\SageSyncDesktop\...; roaming=False keeps the
        # history database on the Sage server itself.
        dirs = platformdirs.PlatformDirs(APP_NAME, COMPANY, roaming=False)
        return cls(
            config_dir=dirs.user_config_path,
            data_dir=dirs.user_data_path,
            log_dir=dirs.user_log_path,
            cache_dir=dirs.user_cache_path,
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Every folder below one root: for tests, the demo and portable runs."""
        root = Path(root)
        return cls(root / "config", root / "data", root / "logs", root / "cache")

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def procore_cache_db(self) -> Path:
        return self.cache_dir / "procore_cache.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "sage-sync-desktop.log"

    def ensure(self) -> None:
        """Create the folders, private to this user whatever the umask."""
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            make_private_dir(directory)
