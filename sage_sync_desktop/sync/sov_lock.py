"""Whether Procore will let this app change an Approved contract's schedule of values.

Procore locks the lines of an Approved prime contract unless the project has "Enable Always
Editable Schedule of Values" on (Prime Contracts > Configure Settings). Procore's public API has
no field for that setting, so the app learns it per project from Procore's own answers: a line
write to an Approved contract that went through means "editable"; one refused as locked means
"locked". What it learned is kept in the Procore cache (procore_cache.sqlite3) with the time.

A dry run uses it to say beforehand what the real run would meet: a project known to be
locked makes the dry run fail, naming the setting; a project not known yet gets a warning. The
real run always tries (the setting may have been turned on since), and so keeps what it knows
up to date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from sage_sync_desktop.procore.errors import EDITABLE_SOV_SETTING
from sage_sync_desktop.procore.records import PrimeContract
from sage_sync_desktop.sync.contract_writer import WriteEffects
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.records import ContractOutcome, ProjectRef
from sage_sync_desktop.sync.write_plan import WritePlan

LOCKED = "locked"
EDITABLE = "editable"
APPROVED = "Approved"
_KEY = "sov_setting:{project_id}"


class SovKnowledge:
    """What Procore has shown about each project's schedule-of-values setting."""

    def __init__(self, cache: ProcoreCache) -> None:
        self._cache = cache

    def get(self, project_id: int) -> tuple[str, str] | None:
        """(LOCKED or EDITABLE, when it was seen in UTC), or None when not known."""
        raw = self._cache.get_meta(_KEY.format(project_id=project_id))
        if not raw or "|" not in raw:
            return None
        state, _, seen = raw.partition("|")
        return (state, seen) if state in (LOCKED, EDITABLE) else None

    def remember(self, project_id: int, state: str) -> None:
        seen = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self._cache.set_meta(_KEY.format(project_id=project_id), f"{state}|{seen}")


def changes_approved_lines(home: PrimeContract | None, plan: WritePlan) -> bool:
    """True when the plan writes or deletes lines of a contract that is Approved in Procore now."""
    return home is not None and home.status == APPROVED and bool(plan.upserts or plan.deletes)


def check_dry_run(outcome: ContractOutcome, home: PrimeContract | None, plan: WritePlan, project: ProjectRef,
                  knowledge: SovKnowledge) -> ContractOutcome:
    """The dry run's outcome as the lock makes it: failed when the project is known to lock an
    Approved contract's lines, with a warning when the app cannot know yet."""
    if not changes_approved_lines(home, plan):
        return outcome
    known = knowledge.get(project.project_id)
    where = f"project '{project.name}'"
    if known is not None and known[0] == EDITABLE:
        return outcome
    if known is not None:
        return replace(
            outcome, ok=False, error_kind="locked",
            message=(f"Contract {outcome.contract_number}: the real run would be refused: Procore locks the "
                     f"schedule of values of this Approved contract in {where} (Procore refused a change "
                     f"there at {known[1]}). Turn on '{EDITABLE_SOV_SETTING}' in that project's Prime "
                     "Contracts > Configure Settings, then run it for real. Nothing was sent."))
    warning = (f"Warning: this contract is Approved in Procore, and Procore refuses changes to its lines "
               f"unless {where} has '{EDITABLE_SOV_SETTING}' on. Procore does not show that setting to "
               "apps and this app has not written to an Approved contract there yet; check it in Prime "
               "Contracts > Configure Settings.")
    return replace(outcome, details=(warning, *outcome.details))


def learn(knowledge: SovKnowledge, home: PrimeContract | None, plan: WritePlan, project: ProjectRef,
          effects: WriteEffects) -> None:
    """Remember what Procore answered to a real write of an Approved contract's lines."""
    if not changes_approved_lines(home, plan):
        return
    if effects.lock_refused:
        knowledge.remember(project.project_id, LOCKED)
    elif effects.lines_changed:
        knowledge.remember(project.project_id, EDITABLE)
