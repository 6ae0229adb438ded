"""Contract drafts -> SageContract records, once every row is read.

Items in Sage's own order and without repeats, items awaiting approval held apart from the
approved ones, and the jobs the header and the items name (without a header job column, the
contract's job is its items' one job). Padded twins of one contract number are flagged here too.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from sage_sync_desktop.sage import normalise as norm
from sage_sync_desktop.sage.records import DataProblem, SageContract, SageJob
from sage_sync_desktop.sage.table_mapping import TableMapping


class ContractAssembler:
    """Turns the reader's contract drafts (items and problems added) into records."""

    def __init__(self, mapping: TableMapping, jobs: dict[str, SageJob]) -> None:
        self.mapping = mapping
        self.jobs = jobs
        self.jobs_by_number = {job.number: job.key for job in jobs.values()}

    def column(self, logical: str, field: str) -> str:
        return self.mapping.column(logical, field) or field

    def finish(self, drafts: dict[str, dict[str, Any]]) -> tuple[SageContract, ...]:
        table = self.mapping.table("contract_item")
        jobs, jobs_by_number = self.jobs, self.jobs_by_number
        header_job = self.mapping.column("contract", "job") is not None
        contracts = []
        for draft in sorted(drafts.values(), key=lambda d: (d["number"], d["key"])):
            items = draft.pop("items")
            awaiting = draft.pop("awaiting")
            item_jobs = draft.pop("item_jobs")
            problems = draft.pop("problems")
            header_approved = draft.pop("header_approved")
            if awaiting:
                items = self._checked_items(draft, items + awaiting, problems, table)
                held = {id(item) for item in awaiting}
                awaiting = [item for item in items if id(item) in held]
                items = [item for item in items if id(item) not in held]
            else:
                items = self._checked_items(draft, items, problems, table)
            job_numbers = self._contract_jobs(draft, item_jobs, header_job, jobs, jobs_by_number, problems)
            contracts.append(SageContract(
                items=tuple(items), problems=tuple(problems), awaiting_items=tuple(awaiting),
                jobs=job_numbers, header_approved=header_approved,
                approved=header_approved and not (awaiting and not items), **draft))
        return tuple(contracts)

    def _checked_items(self, draft: dict[str, Any], items: list[Any], problems: list[DataProblem],
                       table: str) -> list[Any]:
        # Sage's own order: its index sorts the stored (right-justified) item numbers.
        keys = list(map(_ITEM_KEY, items))
        if keys != sorted(keys):
            items.sort(key=_ITEM_KEY)
        # By trimmed number: '    1' and '1' would be the same Procore line.
        if len(set(map(_ITEM_NUMBER, items))) != len(items):
            items = self._without_duplicates(draft, items, problems, table)
        return items

    def _contract_jobs(self, draft: dict[str, Any], raw_item_jobs: set[Any], header_job: bool,
                       jobs: dict[str, SageJob], jobs_by_number: dict[str, str],
                       problems: list[DataProblem]) -> tuple[str, ...]:
        """Every job the header and the items name (trimmed, the header's first); without a
        header job column the contract's job_key becomes its items' one job."""
        keys: dict[str, str] = {}
        for raw in raw_item_jobs:
            job_key = norm.key(raw)
            if job_key is not None:
                keys.setdefault(job_key.strip(), job_key)
        item_numbers = sorted(keys)
        header = draft["job_key"].strip() if draft["job_key"] is not None else None
        if header_job:
            return tuple(dict.fromkeys([*([header] if header else []), *item_numbers]))
        number = draft["number"]
        column = self.column("contract_item", "job")
        table = self.mapping.table("contract_item")
        if not item_numbers:
            problems.append(DataProblem(
                "missing_job", f"Contract {number}: none of its items names a job ({column} in "
                f"{table}), so it belongs to no job.", contract_key=draft["key"], column=column))
        elif len(item_numbers) == 1:
            only = item_numbers[0]
            if keys[only] in jobs:
                draft["job_key"] = keys[only]
            elif only in jobs_by_number:
                draft["job_key"] = jobs_by_number[only]
            else:
                draft["job_key"] = keys[only]
                problems.append(DataProblem(
                    "unknown_job", f"Contract {number}: its items name job {only}, which is not in "
                    f"{self.mapping.table('job')}.", contract_key=draft["key"], column=column))
        return tuple(item_numbers)

    @staticmethod
    def _without_duplicates(draft: dict[str, Any], items: list[Any], problems: list[DataProblem],
                            table: str) -> list[Any]:
        first: dict[str, Any] = {}
        unique = []
        for item in items:
            kept = first.get(item.number)
            if kept is not None:
                if kept.key == item.key:
                    message = (f"Contract {draft['number']}: item {item.number} appears more than "
                               f"once in {table}; only the first was kept.")
                else:
                    message = (f"Contract {draft['number']}: two items have this number once spaces "
                               f"are trimmed: item {item.number} ({kept.key!r} and {item.key!r}) in "
                               f"{table}; only the first was kept.")
                problems.append(DataProblem("duplicate_item", message, contract_key=draft["key"],
                                            item_key=item.key))
                continue
            first[item.number] = item
            unique.append(item)
        return unique



def flag_twins(drafts: dict[str, dict[str, Any]], table: str) -> None:
    """Padded and unpadded forms of one number ('      5001', '5001') would be one Procore
    contract: flag every form so none is imported until Sage is corrected."""
    by_number: dict[str, list[str]] = {}
    for key, draft in drafts.items():
        by_number.setdefault(draft["number"], []).append(key)
    for number, keys in by_number.items():
        if len(keys) < 2:
            continue
        forms = " and ".join(repr(k) for k in keys)
        for key in keys:
            drafts[key]["problems"].append(DataProblem(
                "duplicate_contract", f"Contract {number} appears twice in {table} ({forms}) "
                "once spaces are trimmed; neither is imported until one is corrected.",
                contract_key=key))


_ITEM_KEY = attrgetter("key")
_ITEM_NUMBER = attrgetter("number")
