"""The one-line green or red message (and its details) for finished or failed engine work."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from sage_sync_desktop.errors import CancelledError, ConfigurationError, SageSyncError
from sage_sync_desktop.procore.errors import SignInRequired
from sage_sync_desktop.gui.formatting import plural
from sage_sync_desktop.logging_setup import redact
from sage_sync_desktop.sync.records import ContractOutcome

_VERBS = {"import": ("added to Procore", "Add to Procore"), "reimport": ("re-imported", "Re-Import")}
_LABELS = {
    "refresh": "Refresh",
    "import": "Add to Procore",
    "reimport": "Re-Import",
    "diff": "Loading the line items",
    "link": "Linking the job",
    "unlink": "Unlinking the job",
    "history": "Loading the history",
    "verify": "Verifying the history",
    "export": "Exporting the history",
}


OPEN_SETTINGS = "open_settings"


@dataclass(frozen=True)
class PageMessage:
    ok: bool
    text: str
    details: tuple[str, ...] = ()
    # The user's own Cancel with nothing else wrong: said in a neutral colour, not as an error.
    neutral: bool = False
    # A set-up problem: the banner offers the Settings dialog (OPEN_SETTINGS) next to the text.
    action: str = ""

    def __post_init__(self) -> None:
        # Other systems' text ends up here; nothing secret may reach the screen or a screenshot.
        object.__setattr__(self, "text", redact(self.text))
        object.__setattr__(self, "details", tuple(redact(line) for line in self.details))


def _numbers(outcomes: Sequence[ContractOutcome], shown: int = 5) -> str:
    numbers = [o.contract_number for o in outcomes]
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return ", ".join(numbers[:shown]) + more


def for_outcomes(action: str, outcomes: Sequence[ContractOutcome]) -> PageMessage:
    done_verb, button = _VERBS.get(action, ("sent", action))
    good = [o for o in outcomes if o.ok]
    bad = [o for o in outcomes if not o.ok]
    details: list[str] = []
    for outcome in [*bad, *good]:
        details.append(f"{outcome.contract_number}: {outcome.message}")
        details.extend(f"    {line}" for line in outcome.details)
    if not outcomes:
        return PageMessage(False, f"{button}: nothing was sent.", ())
    cancelled = [o for o in bad if o.cancelled]
    if cancelled:
        return _after_cancel(button, done_verb, good, cancelled, [o for o in bad if not o.cancelled],
                             tuple(details))
    if not bad:
        if len(good) == 1:
            text = f"Contract {good[0].contract_number} {done_verb}. {good[0].message}".strip()
        else:
            text = f"{plural(len(good), 'contract')} {done_verb}."
        return PageMessage(True, text, tuple(details))
    if len(outcomes) == 1:
        text = f"{button} of contract {bad[0].contract_number} did not finish: {bad[0].message}"
    else:
        text = f"{len(good)} of {len(outcomes)} contracts {done_verb}; {len(bad)} did not finish."
    return PageMessage(False, text, tuple(details))


def _after_cancel(button: str, done_verb: str, good: list[ContractOutcome], cancelled: list[ContractOutcome],
                  failed: list[ContractOutcome], details: tuple[str, ...]) -> PageMessage:
    """Stopped by the user between contracts: what was done, and what was not."""
    total = len(good) + len(cancelled) + len(failed)
    done = f"{len(good)} of {total} contracts {done_verb}"
    if good:
        done += f" ({_numbers(good)})"
    text = (f"{button} stopped as you asked: {done}; {len(cancelled)} not sent "
            f"({_numbers(cancelled)}): nothing of these reached Procore.")
    if failed:
        text += f" {len(failed)} did not finish ({_numbers(failed)}): see the details."
    return PageMessage(not failed, text, details, neutral=not failed)


def for_error(label: str, error: object) -> PageMessage:
    what = _LABELS.get(label, label)
    if isinstance(error, CancelledError):
        return PageMessage(False, f"{what} was cancelled. {error.message}".strip(), (), neutral=True)
    if isinstance(error, (ConfigurationError, SignInRequired)):
        # Set-up problems: the window's words name the Settings dialog, never a settings key or
        # a command (those are in the message's `fix`, written for the command line).
        where = "Procore" if isinstance(error, SignInRequired) else "Sage 300 CRE or Procore"
        text = f"{what} failed: {error.message} Open Settings ({where}) to set it up."
        return PageMessage(False, text, (error.detail,) if error.detail else (), action=OPEN_SETTINGS)
    if isinstance(error, SageSyncError):
        # The fix is part of the visible line: it is what the user came for.
        text = f"{what} failed: {error.message} {error.fix}".strip()
        return PageMessage(False, text, (error.detail,) if error.detail else ())
    if isinstance(error, BaseException):
        details = tuple("".join(traceback.format_exception(error)).splitlines())
        return PageMessage(False, f"{what} failed: {type(error).__name__}: {error}", details)
    return PageMessage(False, f"{what} failed.", ())
