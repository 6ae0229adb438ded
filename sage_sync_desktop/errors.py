"""Exception hierarchy shared by every layer. Messages are for a Sage administrator to act on.

Each error carries `message` (plain words), `fix` (what to do) and, where useful, `detail`
(the other system's own text, for the log). None of them ever holds a secret.
"""

from __future__ import annotations


class SageSyncError(Exception):
    """Base of every error the app raises on purpose."""

    #: process exit code the command line uses for this kind of error
    exit_code = 1

    def __init__(self, message: str, *, fix: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip() if self.fix else self.message


class ConfigurationError(SageSyncError):
    """Settings are missing or invalid."""

    exit_code = 2


class SecretStoreError(SageSyncError):
    """The OS credential store cannot be used."""

    exit_code = 3


class SageError(SageSyncError):
    """Sage 300 CRE cannot be read."""

    exit_code = 3


class SageReadOnlyViolation(SageError):
    """Something tried to send a statement other than SELECT to Sage."""

    exit_code = 2


class ProcoreError(SageSyncError):
    """Procore answered with an error or could not be reached."""

    exit_code = 1
    # What a batch of calls had done before this error stopped it (the line sync sets a
    # procore.records.LineItemSyncResult here); None for a single call.
    partial: object | None = None


class CancelledError(SageSyncError):
    """The user pressed Cancel; work stopped at a safe point."""

    exit_code = 1
