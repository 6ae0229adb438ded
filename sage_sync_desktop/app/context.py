"""What the command line and the window start from: the app's paths, the settings file and the
credential store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.secret_store import SecretStore


@dataclass
class AppContext:
    paths: AppPaths
    settings_path: Path
    secrets: SecretStore = field(default_factory=SecretStore)
    explicit_settings: bool = False  # the path came from --config

    def load_settings(self, *, may_create: bool = False) -> settings_module.Settings:
        """The settings; a `--config` file that does not exist is an error (a typo must not read
        as "nothing set up"), except for commands that create it (`may_create`)."""
        if self.explicit_settings and not may_create and not self.settings_path.is_file():
            where = "folder" if self.settings_path.is_dir() else "file"
            raise ConfigurationError(
                f"The settings file given with --config does not exist: {self.settings_path}"
                + (" (that is a folder)." if where == "folder" else "."),
                fix="Check the path, or leave out --config to use the settings in the user's config folder.",
            )
        return settings_module.load(self.settings_path)

    def save_settings(self, settings: settings_module.Settings) -> None:
        settings_module.save(settings, self.settings_path)
