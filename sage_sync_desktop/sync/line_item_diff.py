"""Sage contract items against a Procore prime contract's lines, keyed by origin id.

Every Procore line lands in exactly one state:
- added: a Sage item with no Procore line of its origin id;
- changed / unchanged: both sides hold it; `changes` names each differing field, old -> new;
- removed: a line of this contract's origin ids whose Sage item is gone (Re-Import deletes it);
- procore_only: anything else (no origin id, another integration's, another contract's):
  shown, never touched;
- awaiting_approval: a Sage item not approved in Sage (Proposed): never sent; when Procore
  already has its line (the item went back to Proposed after an import) the line is left as
  Procore has it, never removed.
- kept ("Procore edit kept"): a line that would be changed or removed, but was edited in
  Procore, and Re-Import keeps Procore's values (overwrite_procore_edits off). Not a change:
  a contract whose only differences are kept edits is Synced.
A Sage-origin line is `edited_in_procore` when its Procore values match none of the values
this app is known to have written (history, plus what the line's own origin_data records);
Re-Import keeps such lines unless the user asks to overwrite them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sage.records import SageContract, SageContractItem
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.line_values import (
    LineValues,
    procore_and_recorded,
    sage_values,
)
from sage_sync_desktop.sync.records import ContractDiff, FieldChange, LineDiff, LineState

ZERO = Decimal("0.00")


def _by_origin_id(contract: SageContract, items: Iterable[SageContractItem],
                  leave_out: Mapping[str, SageContractItem]) -> dict[str, SageContractItem]:
    """Items by origin id, the first of any repeat; items whose key cannot make an id, and
    those already in `leave_out`, are left out."""
    keyed: dict[str, SageContractItem] = {}
    for item in items:
        try:
            key = origin_ids.item_origin_id(contract.number, item.number)
        except origin_ids.OriginIdError:
            continue
        if key not in leave_out:
            keyed.setdefault(key, item)
    return keyed


def keyed_items(contract: SageContract) -> dict[str, SageContractItem]:
    """Sage items by origin id; items whose key cannot make an id, and repeats, are left out
    (eligibility reports both as invalid data)."""
    return _by_origin_id(contract, contract.items, {})


AWAITING_APPROVAL_TEXT = "Awaiting approval in Sage; not sent"
AWAITING_REAPPROVAL_TEXT = "Awaiting re-approval in Sage; Procore's line left as it is"


def awaiting_text(line: LineDiff) -> str:
    """What happens to a line whose Sage item is not approved ("" for any other line)."""
    if line.state is not LineState.AWAITING_APPROVAL:
        return ""
    return AWAITING_REAPPROVAL_TEXT if line.procore_amount is not None else AWAITING_APPROVAL_TEXT


def keyed_awaiting(contract: SageContract,
                   approved: Mapping[str, SageContractItem]) -> dict[str, SageContractItem]:
    """Items awaiting approval in Sage by origin id (never one that is also an approved item)."""
    return _by_origin_id(contract, contract.awaiting_items, approved)


def belongs_to(contract: SageContract, line: LineItem) -> bool:
    """True for a line made by this app from this contract (whatever its item)."""
    parsed = origin_ids.try_parse(line.origin_id)
    return parsed is not None and parsed.kind == "item" and parsed.contract == contract.number


def _edited(current: LineValues, recorded: LineValues | None, known: Iterable[LineValues]) -> bool:
    candidates = list(known)
    if recorded is not None:
        candidates.append(recorded)
    if not candidates:
        return False
    mine = current.written_part()
    return all(mine != known_value.written_part() for known_value in candidates)


def compute_diff(
    contract: SageContract,
    procore_lines: Sequence[LineItem],
    *,
    known_values: Mapping[str, Sequence[LineValues]] | None = None,
    overwrite_procore_edits: bool = False,
    header_changes: Sequence[FieldChange] = (),
) -> ContractDiff:
    """The line-by-line difference; totals after assume a Re-Import with the given choice."""
    known_values = known_values or {}
    sage_items = keyed_items(contract)
    ours: dict[str, LineItem] = {}
    duplicates: list[LineItem] = []
    others: list[LineItem] = []
    for line in procore_lines:
        origin_id = line.origin_id
        if origin_id is not None and belongs_to(contract, line):
            if origin_id in ours:
                duplicates.append(line)  # a second line of one item: removed, so none is doubled
            else:
                ours[origin_id] = line
        else:
            others.append(line)

    parsed = {id(line): procore_and_recorded(line) for line in procore_lines}
    values = {key: pair[0] for key, pair in parsed.items()}

    def edited_line(line: LineItem) -> bool:
        written = parsed[id(line)][1]
        recorded = LineValues.from_json(written) if written is not None else None
        return _edited(values[id(line)], recorded, known_values.get(line.origin_id or "", ()))

    lines: list[LineDiff] = []
    after = ZERO
    for origin_id, item in sage_items.items():
        wanted = sage_values(item)
        if origin_id not in ours:
            lines.append(_line(LineState.ADDED, origin_id, item, wanted, None, None))
            after += wanted.amount
            continue
        line = ours[origin_id]
        current = values[id(line)]
        changed_fields = current.differences(wanted)
        state = LineState.CHANGED if changed_fields else LineState.UNCHANGED
        # Only a line that differs from Sage can need a decision; a line equal to Sage is
        # never reported as edited, whoever made it so.
        edited = bool(changed_fields) and edited_line(line)
        changes = tuple(
            FieldChange(name, current.text(name), wanted.text(name)) for name in changed_fields
        )
        if edited and not overwrite_procore_edits:
            state = LineState.KEPT
        lines.append(_line(state, origin_id, item, wanted, line, current, changes, edited))
        keep_procore = state in (LineState.UNCHANGED, LineState.KEPT)
        after += current.amount if keep_procore else wanted.amount

    awaiting = keyed_awaiting(contract, sage_items)
    for origin_id, item in awaiting.items():
        held = ours.get(origin_id)
        kept = values[id(held)] if held is not None else None
        lines.append(_line(LineState.AWAITING_APPROVAL, origin_id, item, sage_values(item), held, kept))
        if kept is not None:
            after += kept.amount

    removed = [line for origin_id, line in ours.items()
               if origin_id not in sage_items and origin_id not in awaiting]
    for line in (*removed, *duplicates):
        current = values[id(line)]
        edited = edited_line(line)
        item_id = origin_ids.try_parse(line.origin_id)
        keep_edit = edited and not overwrite_procore_edits
        lines.append(
            LineDiff(
                state=LineState.KEPT if keep_edit else LineState.REMOVED,
                origin_id=line.origin_id,
                item_number=(item_id.item or "") if item_id else "",
                description=current.description,
                sage_amount=None,
                procore_amount=current.amount,
                edited_in_procore=edited,
                procore_line_id=line.line_item_id,
            )
        )
        if keep_edit:
            after += current.amount

    for line in others:
        current = values[id(line)]
        lines.append(
            LineDiff(
                state=LineState.PROCORE_ONLY,
                origin_id=line.origin_id,
                item_number="",
                description=current.description,
                sage_amount=None,
                procore_amount=current.amount,
                procore_line_id=line.line_item_id,
            )
        )
        after += current.amount

    before = sum((v.amount for v in values.values()), ZERO)
    return ContractDiff(
        contract_number=contract.number,
        lines=tuple(lines),
        sage_total=contract.total,
        procore_total_before=before,
        procore_total_after=after,
        header_changes=tuple(header_changes),
    )


def _line(
    state: LineState,
    origin_id: str,
    item: SageContractItem,
    wanted: LineValues,
    line: LineItem | None,
    current: LineValues | None,
    changes: tuple[FieldChange, ...] = (),
    edited: bool = False,
) -> LineDiff:
    return LineDiff(
        state=state,
        origin_id=origin_id,
        item_number=item.number.strip(),
        description=wanted.description,
        sage_amount=wanted.amount,
        procore_amount=current.amount if current is not None else None,
        changes=changes,
        edited_in_procore=edited,
        procore_line_id=line.line_item_id if line is not None else None,
    )
