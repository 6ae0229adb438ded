"""`python -m sage_sync_desktop`: the same as the `sage-sync-desktop` command."""

import sys

from sage_sync_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
