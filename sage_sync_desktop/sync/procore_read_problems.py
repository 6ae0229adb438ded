"""What one project or one contract that Procore would not let a refresh read means for its
contracts: a blocking reason with the fix, instead of an aborted refresh.

A 403, 404, 5xx (after the transport's retries) or other refusal is about that project or
contract alone; losing the connection, the sign-in or the rate budget is not, and still stops
the refresh. A 403 on a project's prime contracts is told apart by the project's permissions:
when the Prime Contracts tool is missing from them, the tool is switched off in the project
(Procore's troubleshooting page lists "tool disabled in the project" as a cause of 403); when it
is listed, the user's level is too low.
"""

from __future__ import annotations

import logging

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.errors import NotFound, PermissionDenied, ServerError, ValidationFailed
from sage_sync_desktop.procore.permissions import PRIME_CONTRACTS
from sage_sync_desktop.procore.records import PrimeContract, ProcoreProject
from sage_sync_desktop.sync.engine_protocols import ProcoreApi
from sage_sync_desktop.sync.records import Reason, ReasonCode

logger = logging.getLogger(__name__)

# Refusals that concern one project or contract; anything else stops the refresh.
PER_ITEM_ERRORS = (PermissionDenied, NotFound, ServerError, ValidationFailed)


def project_label(project: ProcoreProject) -> str:
    number = project.project_number
    return f"'{project.name}'{f' ({number})' if number else ''}, id {project.project_id}"


def unreadable_project(client: ProcoreApi, project: ProcoreProject, exc: ProcoreError) -> Reason:
    """Why the prime contracts of `project` could not be read, and what fixes it."""
    label = project_label(project)
    if isinstance(exc, PermissionDenied):
        if _tool_missing(client, project.project_id):
            return Reason(
                ReasonCode.PROCORE_UNREADABLE,
                f"The Prime Contracts tool is disabled in project {label}, so Procore answers 403 to "
                "every prime contract request there.",
                "Enable it in the project's Admin tool (Project Settings > Tools), then Refresh.",
            )
        return Reason(
            ReasonCode.PROCORE_UNREADABLE,
            f"Procore does not let the signed-in user see the prime contracts of project {label} (403).",
            "Ask a Procore admin to give the user at least Read Only on the project's Prime Contracts "
            "tool (Admin to import), then Refresh.",
        )
    if isinstance(exc, NotFound):
        return Reason(
            ReasonCode.PROCORE_UNREADABLE,
            f"Procore answered 404 for the prime contracts of project {label}: the project was deleted "
            "or the signed-in user is not in it.",
            "Add the user to the project's Directory (a service account: make it one of the app's "
            "permitted projects), or link the job to the right project, then Refresh.",
        )
    if isinstance(exc, ServerError):
        return Reason(
            ReasonCode.PROCORE_UNREADABLE,
            f"Procore had a server problem (HTTP {exc.status}) reading the prime contracts of project "
            f"{label}, even after retrying.",
            "Refresh again in a few minutes; the other projects were read as usual.",
        )
    return Reason(
        ReasonCode.PROCORE_UNREADABLE,
        f"Procore refused to list the prime contracts of project {label}: {exc.message}",
        "Check the project in Procore, then Refresh.",
    )


def unreadable_lines(project: ProcoreProject, prime_contract: PrimeContract, exc: ProcoreError) -> Reason:
    """Why the lines of one prime contract could not be read."""
    where = f"prime contract {prime_contract.number or prime_contract.prime_contract_id} " \
            f"(id {prime_contract.prime_contract_id}) in project {project_label(project)}"
    if isinstance(exc, ServerError):
        fix = "Refresh again in a few minutes; the other contracts were read as usual."
        text = f"Procore had a server problem (HTTP {exc.status}) reading the lines of {where}."
    elif isinstance(exc, NotFound):
        fix = "Refresh: the contract may have just been deleted in Procore."
        text = f"Procore answered 404 for the lines of {where}."
    elif isinstance(exc, PermissionDenied):
        fix = "Ask a Procore admin to give the user Admin on the project's Prime Contracts tool, then Refresh."
        text = f"Procore does not let the signed-in user read the lines of {where} (403)."
    else:
        fix = "Check the contract in Procore, then Refresh."
        text = f"Procore refused to list the lines of {where}: {exc.message}"
    return Reason(ReasonCode.PROCORE_UNREADABLE, text, fix)


def _tool_missing(client: ProcoreApi, project_id: int) -> bool:
    try:
        tools = client.permissions(project_id=project_id)
    except ProcoreError as exc:
        logger.info("Permissions of project %s not readable either: %s", project_id, exc)
        return False
    return not any(name.strip().lower() == PRIME_CONTRACTS.lower() for name in tools)
