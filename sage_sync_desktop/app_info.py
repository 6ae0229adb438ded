"""Names used by the paths, the credential store, the User-Agent and the installer."""

from sage_sync_desktop import __version__

APP_NAME = "SageSyncDesktop"
APP_DISPLAY_NAME = "Sage Sync Desktop"
COMPANY = "SageSyncDesktop"
# The credential-store service name; every secret lives under it.
KEYRING_SERVICE = "SageSyncDesktop"
WINDOW_TITLE = "Sage 300 CRE Integration"
GUI_EXE_NAME = "SageSyncDesktop"
CONSOLE_EXE_NAME = "sage-sync"
USER_AGENT = f"SageSyncDesktop/{__version__}"
