"""What the Sage reader returns: frozen records with Decimal money, no driver types, no Qt.

Keys come in two forms: `key` is exactly what Sage stores (often right-justified and
space-padded, used for matching rows inside Sage) and `number` is the trimmed form shown to
people and used to build Procore origin ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class DataProblem:
    """A row that cannot be used as it is. Never aborts a read; shown per contract."""

    code: str  # e.g. "missing_key", "bad_amount", "orphan_item", "duplicate_item"
    message: str  # plain words, naming the table, row and column
    contract_key: str | None = None
    item_key: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class SageCustomer:
    key: str
    number: str
    name: str


@dataclass(frozen=True)
class SageJob:
    key: str
    number: str
    description: str
    status: str
    customer_key: str | None


# slots: a big company holds ~150,000 items; without an instance dict each takes ~120 bytes
# instead of ~340 (about 30 MB less on that company).
@dataclass(frozen=True, slots=True)
class SageContractItem:
    contract_key: str
    key: str  # exact Contract_Item value
    number: str  # trimmed
    description: str
    amount: Decimal  # to the cent
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    unit: str = ""
    cost_code: str = ""
    category: str = ""


@dataclass(frozen=True)
class SageContract:
    key: str  # exact Contract value
    number: str  # trimmed
    # The header's job; with no header job column, the one job its items name (None when they
    # name none, or several: see `jobs`).
    job_key: str | None
    description: str
    customer_key: str | None
    status: str
    # May be sent to Procore: the header rule holds and, where items carry approval, at least
    # one item is approved.
    approved: bool
    approval_date: date | None
    contract_date: date | None
    retainage_percent: Decimal | None
    # Approved items: the only ones ever sent to Procore.
    items: tuple[SageContractItem, ...] = ()
    problems: tuple[DataProblem, ...] = ()
    # Items not approved in Sage (Proposed, or no approval date): shown, never sent.
    awaiting_items: tuple[SageContractItem, ...] = ()
    # Every job (trimmed number) the header and the items name, the header's first; more than
    # one blocks the contract (a Procore prime contract belongs to one project).
    jobs: tuple[str, ...] = ()
    # The header's own approval date / status rule (True where neither column is mapped).
    header_approved: bool = True

    @property
    def job_number(self) -> str | None:
        return self.job_key.strip() if self.job_key is not None else None

    @property
    def no_item_approved(self) -> bool:
        """Items exist in Sage but none of them is approved."""
        return bool(self.awaiting_items) and not self.items

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))


@dataclass(frozen=True)
class SageCompany:
    """Everything read in one pass (one query per table)."""

    jobs: tuple[SageJob, ...]
    customers: tuple[SageCustomer, ...]
    contracts: tuple[SageContract, ...]
    # Problems that belong to no readable contract (e.g. items whose contract does not exist).
    problems: tuple[DataProblem, ...] = ()
    read_at: datetime = field(default_factory=datetime.now)

    def job(self, key_or_number: str) -> SageJob | None:
        for job in self.jobs:
            if job.key == key_or_number or job.number == key_or_number.strip():
                return job
        return None

    def contract(self, key_or_number: str) -> SageContract | None:
        for contract in self.contracts:
            if contract.key == key_or_number or contract.number == key_or_number.strip():
                return contract
        return None
