"""Contract item rows -> SageContractItem records: the hot loop of a company read.

A big company has ~50 times more items than contracts, so this loop decides how far a read
is above the driver's own fetch time. The common row (string key, string/float/Decimal
amount, known contract) takes a straight path with no per-field function calls; anything else
goes through `_slow_row`, which also explains what is wrong with the row.

Approved items go to the contract's `items`, items not approved in Sage (Proposed, or no approval
date) to its `awaiting` list; the job each item names goes to the contract's `item_jobs` set.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation
from typing import Any

from sage_sync_desktop.sage import normalise as norm
from sage_sync_desktop.sage.records import DataProblem, SageContractItem
from sage_sync_desktop.sage.table_mapping import TableMapping

_ITEM_FIELDS = (
    "contract_key", "key", "number", "description", "amount", "quantity", "unit_price", "unit",
    "cost_code", "category",
)


class _ItemDraft:
    """A plain twin of SageContractItem's slot layout: filled by ordinary attribute stores, then
    turned into the frozen record by assigning its class (CPython allows this between classes
    with identical slots). About a third of the frozen constructor's cost per item."""

    __slots__ = _ITEM_FIELDS

    def __init__(self, contract_key, key, number, description, amount, quantity, unit_price,  # noqa: ANN001
                 unit, cost_code, category) -> None:
        self.contract_key = contract_key
        self.key = key
        self.number = number
        self.description = description
        self.amount = amount
        self.quantity = quantity
        self.unit_price = unit_price
        self.unit = unit
        self.cost_code = cost_code
        self.category = category


def _item_constructor() -> Any:
    """A fast SageContractItem constructor, or the record's own one if the fast one does not
    give an identical record (fields changed, another Python).

    A frozen dataclass's __init__ sets each field through object.__setattr__; on a
    150,000-item company that is ~150 ms, a sizeable share of the read's own time.
    """
    if tuple(f.name for f in fields(SageContractItem)) != _ITEM_FIELDS:
        return SageContractItem
    cls = SageContractItem

    def make(contract_key, key, number, description, amount, quantity, unit_price, unit,  # noqa: ANN001
             cost_code, category):
        item = _ItemDraft(contract_key, key, number, description, amount, quantity, unit_price,
                          unit, cost_code, category)
        item.__class__ = cls
        return item

    sample = ("c", "k", "n", "d", Decimal("1.00"), None, Decimal("2"), "u", "cc", "ca")
    try:
        made = make(*sample)
    except TypeError:  # layouts differ (e.g. the record lost its slots)
        return SageContractItem
    if type(made) is not cls or made != cls(*sample) or hash(made) != hash(cls(*sample)):
        return SageContractItem
    return make


_make_item = _item_constructor()


class ItemRowReader:
    """Adds item rows to their contract drafts; problems go to the draft or the company list."""

    def __init__(self, mapping: TableMapping, drafts: dict[str, dict[str, Any]],
                 company_problems: list[DataProblem]) -> None:
        self.mapping = mapping
        self.drafts = drafts
        self.company_problems = company_problems
        self.table = mapping.table("contract_item")
        positions = {f: i for i, (f, _) in enumerate(mapping.mapped_fields("contract_item"))}
        self.at = {f: positions.get(f) for f in mapping.columns["contract_item"]}
        self._by_number: dict[str, str] | None = None
        # Per contract key: the append of its items list and the draft's own key string, so
        # every item of a contract shares one key object instead of the driver's per-row copy.
        # Also where its items awaiting approval go, and the set of jobs its items name.
        self._targets = {key: (draft["items"].append, key, draft["awaiting"].append, draft["item_jobs"].add)
                         for key, draft in drafts.items()}
        self._approves_status = mapping.approval.item_status_approves
        # Approval verdicts by raw value: an item table holds few distinct approval dates and
        # statuses, so one dictionary look-up per row replaces a date parse and a fold.
        self._date_verdicts: dict[Any, bool] = {}
        self._status_verdicts: dict[str, bool] = {}
        # Short values that repeat on almost every contract (item numbers, units, cost codes,
        # categories) and quantities: one object per distinct value. This takes about a quarter
        # off the memory of a big company and costs less time than it saves. Unit prices are not
        # shared: most differ (price = amount / quantity), so a look-up costs more than it saves.
        self._texts: dict[str, str] = {}
        self._quantities: dict[Any, Decimal] = {}
        # The same for descriptions and units as the driver returns them: raw text -> trimmed,
        # shared text (one dictionary look-up instead of a strip and a share per field), and
        # raw item key -> (shared key, trimmed number).
        self._trimmed: dict[str, str] = {}
        self._item_keys: dict[str, tuple[str, str]] = {}

    def add(self, rows: list[Any]) -> None:
        at = self.at
        ci, ii, di, ai = at["contract"], at["item"], at["description"], at["amount"]
        qi, pi, ui, cci, cai = (at[f] for f in ("quantity", "unit_price", "unit", "cost_code", "category"))
        ji, sti, adi = at["job"], at["status"], at["approval_date"]
        approval_mapped = sti is not None or adi is not None
        date_verdicts = self._date_verdicts
        known_date = date_verdicts.get
        status_verdicts = self._status_verdicts
        known_status = status_verdicts.get
        approves_status = self._approves_status
        sage_date = norm.sage_date
        targets_get = self._targets.get
        make = _make_item
        fast = make is not SageContractItem
        new_draft, draft_class, record_class = object.__new__, _ItemDraft, SageContractItem
        slow = self._slow_row
        decimal, cent, zero = Decimal, norm.CENT, norm.ZERO
        to_cent = _TO_CENT.quantize
        text = norm.text
        shared = self._texts.setdefault
        quantities = self._quantities
        known_quantity = quantities.get
        trimmed = self._trimmed
        known_trimmed = trimmed.get
        item_keys = self._item_keys
        known_item_key = item_keys.get
        # Sage returns items in contract order: most rows name the previous row's contract, and
        # comparing two short strings is cheaper than hashing one for a look-up.
        last_raw = last_target = None
        for row in rows:
            raw_contract = row[ci]
            if raw_contract == last_raw:
                target = last_target
            else:
                target = targets_get(raw_contract)
                if target is not None:
                    last_raw, last_target = raw_contract, target
            item_key = row[ii]
            description = row[di]
            if target is None or type(item_key) is not str or type(description) is not str:
                slow(row)
                continue
            append, contract_key, hold, add_job = target
            known = known_item_key(item_key)
            if known is None:
                number = item_key.strip()
                if not number:
                    slow(row)
                    continue
                known = item_keys[item_key] = (item_key, shared(number, number))
            item_key, number = known
            # Decimal(str) and Decimal(repr(float)) are exact; _TO_CENT raises when the cents are
            # not exact. Junk text, NULL amounts, bytes, booleans, NaN/Infinity and sub-cent
            # amounts (or float noise) all raise here and go to the slow path, which rounds float
            # noise silently and records anything else that is wrong.
            try:
                raw = row[ai]
                kind = type(raw)
                if kind is str or kind is decimal or kind is int:
                    amount = to_cent(decimal(raw), cent)
                elif kind is float:
                    amount = to_cent(decimal(repr(raw)), cent)
                else:
                    raise TypeError
                if not amount:
                    amount = zero  # also turns -0.00 into 0.00
                elif not amount.is_finite():  # a quiet NaN passes quantize untrapped
                    raise ValueError
                quantity = unit_price = None
                if qi is not None and (raw := row[qi]) is not None:
                    kind = type(raw)
                    # Shared by value only for text and floats: as dictionary keys True, 1 and
                    # Decimal(1) would be one key, and a boolean is not a quantity.
                    if kind is float or kind is str:
                        quantity = known_quantity(raw)
                        if quantity is None:
                            quantity = decimal(repr(raw)) if kind is float else decimal(raw)
                            if not quantity.is_finite():
                                raise ValueError
                            quantities[raw] = quantity
                    elif kind is decimal or kind is int:
                        quantity = decimal(raw)
                        if not quantity.is_finite():
                            raise ValueError
                    else:
                        raise TypeError
                if pi is not None and (raw := row[pi]) is not None:
                    kind = type(raw)
                    if kind is str or kind is decimal or kind is int:
                        unit_price = decimal(raw)
                    elif kind is float:
                        unit_price = decimal(repr(raw))
                    else:
                        raise TypeError
                    if not unit_price.is_finite():
                        raise ValueError
                approved = True
                if approval_mapped:
                    # A date that is not one (ValueError) or an unhashable value (TypeError)
                    # goes the slow way, which reports it.
                    if adi is not None:
                        raw = row[adi]
                        approved = known_date(raw)
                        if approved is None:
                            approved = date_verdicts[raw] = sage_date(raw) is not None
                    if approved and sti is not None:
                        raw = row[sti]
                        if type(raw) is str:
                            approved = known_status(raw)
                            if approved is None:
                                approved = status_verdicts[raw] = approves_status(raw)
                        else:
                            approved = approves_status(text(raw))
            except (ArithmeticError, TypeError, ValueError):  # Inexact is an ArithmeticError
                slow(row)
                continue
            # Description, unit, cost code, category: trimmed and shared; NULL or another type
            # via norm.text. Written out per field on purpose: a helper call per field would cost
            # ~35 ms on a 150,000-item read, a sixth of what the reader adds to the driver's fetch.
            if (clean := known_trimmed(description)) is None:
                clean = description.strip()
                clean = trimmed[description] = shared(clean, clean)
            description = clean
            if ui is None:
                unit = ""
            elif type(unit := row[ui]) is str:
                if (clean := known_trimmed(unit)) is None:
                    clean = unit.strip()
                    clean = trimmed[unit] = shared(clean, clean)
                unit = clean
            else:
                unit = text(unit)
            if cci is None:
                cost_code = ""
            elif type(cost_code := row[cci]) is str:
                if (clean := known_trimmed(cost_code)) is None:
                    clean = cost_code.strip()
                    clean = trimmed[cost_code] = shared(clean, clean)
                cost_code = clean
            else:
                cost_code = text(cost_code)
            if cai is None:
                category = ""
            elif type(category := row[cai]) is str:
                if (clean := known_trimmed(category)) is None:
                    clean = category.strip()
                    clean = trimmed[category] = shared(clean, clean)
                category = clean
            else:
                category = text(category)
            if ji is not None:
                # Kept as the driver gives it (normalised once per contract when reading ends).
                if type(job := row[ji]) is str:
                    add_job(job)
                elif job is not None:
                    add_job(norm.key(job))
            if not approved:
                append = hold
            if fast:
                # _make_item's steps, inline: two Python calls fewer per item.
                item = new_draft(draft_class)
                item.contract_key = contract_key
                item.key = item_key
                item.number = number
                item.description = description
                item.amount = amount
                item.quantity = quantity
                item.unit_price = unit_price
                item.unit = unit
                item.cost_code = cost_code
                item.category = category
                item.__class__ = record_class
                append(item)
            else:
                append(make(contract_key, item_key, number, description,
                            amount, quantity, unit_price, unit, cost_code, category))

    def _contract_for(self, raw_key: Any) -> str | None:
        key = norm.key(raw_key)
        if key is None:
            return None
        if key in self.drafts:
            return key
        # The item's padding may differ from the contract's (another field width): match on
        # the trimmed number, which is unique among contracts.
        if self._by_number is None:
            self._by_number = {d["number"]: k for k, d in self.drafts.items()}
        return self._by_number.get(key.strip())

    def _slow_row(self, row: Any) -> None:
        at = self.at
        column = self.mapping.column
        raw_contract = row[at["contract"]]
        contract_key = self._contract_for(raw_contract)
        item_key = norm.key(row[at["item"]])
        shown_item = item_key.strip() if item_key else "(none)"
        if contract_key is None:
            shown = norm.display(norm.key(raw_contract)) or "(none)"
            self.company_problems.append(DataProblem(
                "orphan_item" if norm.key(raw_contract) else "missing_key",
                f"Item {shown_item} in {self.table} belongs to contract {shown}, which does not "
                "exist; it was skipped." if norm.key(raw_contract) else
                f"Item {shown_item} in {self.table} has no {column('contract_item', 'contract')}; "
                "it was skipped.",
                contract_key=norm.key(raw_contract), item_key=item_key,
                column=column("contract_item", "contract")))
            return
        draft = self.drafts[contract_key]
        problems = draft["problems"]
        number = draft["number"]
        if item_key is None:
            problems.append(DataProblem(
                "missing_key", f"Contract {number}: a row of {self.table} has no "
                f"{column('contract_item', 'item')}; it was skipped.",
                contract_key=contract_key, column=column("contract_item", "item")))
            return
        raw_amount = row[at["amount"]]
        amount_column = column("contract_item", "amount")
        try:
            amount, unrounded = norm.money_with_precision(raw_amount)
        except ValueError as exc:
            what = "is too large to be an amount" if isinstance(exc, norm.AmountTooLarge) else "is not an amount"
            problems.append(DataProblem(
                "bad_amount", f"Contract {number}, item {shown_item}: {amount_column} "
                f"{raw_amount!r} {what}; the item was left out.",
                contract_key=contract_key, item_key=item_key, column=amount_column))
            return
        if unrounded is not None:
            problems.append(DataProblem(
                "amount_precision", f"Contract {number}, item {shown_item}: {amount_column} "
                f"{unrounded} has more than two decimals; it was rounded to {amount}.",
                contract_key=contract_key, item_key=item_key, column=amount_column))

        def optional_number(field: str) -> Decimal | None:
            i = at[field]
            if i is None:
                return None
            try:
                return norm.number(row[i])
            except ValueError:
                problems.append(DataProblem(
                    "bad_number", f"Contract {number}, item {shown_item}: "
                    f"{column('contract_item', field)} {row[i]!r} is not a number; it was left empty.",
                    contract_key=contract_key, item_key=item_key,
                    column=column("contract_item", field)))
                return None

        def optional_text(field: str) -> str:
            i = at[field]
            return norm.text(row[i]) if i is not None else ""

        append, _key, hold, add_job = self._targets[contract_key]
        if at["job"] is not None and (job := norm.key(row[at["job"]])) is not None:
            add_job(job)
        target = append if self._approved(row, problems, number, shown_item, contract_key, item_key) else hold
        target(_make_item(
            contract_key, item_key, item_key.strip(), norm.text(row[at["description"]]), amount,
            optional_number("quantity"), optional_number("unit_price"), optional_text("unit"),
            optional_text("cost_code"), optional_text("category"),
        ))


    def _approved(self, row: Any, problems: list[DataProblem], number: str, shown_item: str,
                  contract_key: str, item_key: str) -> bool:
        """The item approval rule, field by field; a date that is not one counts as no date."""
        at = self.at
        if at["approval_date"] is not None:
            raw = row[at["approval_date"]]
            try:
                if norm.sage_date(raw) is None:
                    return False
            except ValueError:
                column = self.mapping.column("contract_item", "approval_date")
                problems.append(DataProblem(
                    "bad_date", f"Contract {number}, item {shown_item}: {column} {raw!r} is not a "
                    "date; the item counts as not approved.", contract_key=contract_key,
                    item_key=item_key, column=column))
                return False
        return at["status"] is None or self._approves_status(norm.text(row[at["status"]]))


# Quantizes to the cent only when that loses nothing: a value with more digits raises Inexact;
# NaN, infinity and values too big for 28 digits (the default context's precision, which the
# slow path uses) raise InvalidOperation. Contexts are not shared between threads here: a
# Context object's methods use its own settings, not the thread's current context.
_TO_CENT = Context(prec=28, rounding=ROUND_HALF_UP, traps=[Inexact, InvalidOperation])
