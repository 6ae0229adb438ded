"""What the engine needs from its two sources, as Protocols: the Sage reader and the Procore client.

The engine is built with sage/sage_reader.SageReader and procore/procore_client.ProcoreClient
(app/wiring.py); tests and the window may pass anything with these methods. mypy checks that the
real classes fit wherever app/ builds an engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sage_sync_desktop.procore.environments import ProcoreEnvironment
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.procore.records import (
    CostCode,
    LineItem,
    LineItemSyncResult,
    PrimeContract,
    ProcoreCompany,
    ProcoreProject,
    SignedInUser,
    UnitOfMeasure,
)
from sage_sync_desktop.procore.request_stats import RequestStats
from sage_sync_desktop.sage.records import SageCompany

Progress = Callable[[int, str], None]
ProcoreJson = dict[str, Any]  # a request body; answers come back as procore.records types


class SageSource(Protocol):
    """Reads a whole Sage company in one pass."""

    def read_company(self, *, progress: Progress | None = None,
                     cancel: threading.Event | None = None) -> SageCompany: ...


class ProcoreApi(Protocol):
    """The Procore REST calls the engine makes (reads and the writes of an import)."""

    environment: ProcoreEnvironment
    company_id: int | None

    @property
    def stats(self) -> RequestStats: ...

    def close(self) -> None: ...

    def me(self) -> SignedInUser: ...

    def companies(self) -> list[ProcoreCompany]: ...

    def projects(self, *, origin_id: str | None = None, project_number: str | None = None,
                 updated_since: datetime | None = None) -> list[ProcoreProject]: ...

    def project(self, project_id: int) -> ProcoreProject: ...

    def set_project_origin(self, project_id: int, *, origin_id: str | None,
                           origin_code: str | None) -> ProcoreProject: ...

    def permissions(self, *, project_id: int | None = None) -> dict[str, AccessLevel]: ...

    def access_level(self, tool_friendly_name: str, *, project_id: int | None = None) -> AccessLevel: ...

    def prime_contracts(self, project_id: int, *,
                        updated_since: datetime | None = None) -> list[PrimeContract]: ...

    def prime_contract(self, project_id: int, prime_contract_id: int) -> PrimeContract: ...

    def create_prime_contract(self, project_id: int, fields: ProcoreJson) -> PrimeContract: ...

    def update_prime_contract(self, project_id: int, prime_contract_id: int,
                              fields: ProcoreJson) -> PrimeContract: ...

    def line_items(self, project_id: int, prime_contract_id: int, *,
                   updated_since: datetime | None = None) -> list[LineItem]: ...

    def sync_line_items(self, project_id: int, prime_contract_id: int,
                        updates: list[ProcoreJson]) -> LineItemSyncResult: ...

    def delete_line_item(self, project_id: int, prime_contract_id: int, line_item_id: int) -> None: ...

    def cost_codes(self, project_id: int) -> list[CostCode]: ...

    def uoms(self) -> list[UnitOfMeasure]: ...
