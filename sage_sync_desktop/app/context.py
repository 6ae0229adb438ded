"""What the command line and the window start from: the app's paths, the settings file and the
credential store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.secret_store import SecretStore


@dataclass
class AppContext:
    paths: AppPaths
    settings_path: Path
    secrets: SecretStore = field(default_factory=SecretStore)

    def load_settings(self) -> settings_module.Settings:
        return settings_module.load(self.settings_path)

    def save_settings(self, settings: settings_module.Settings) -> None:
        settings_module.save(settings, self.settings_path)
