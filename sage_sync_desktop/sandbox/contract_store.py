"""Prime contracts and their line items (schedule of values), with Procore's rules.

Rules enforced here (procore-api.md section 4.1): statuses as Procore's; origin_id unique per
company and object type; line_items/sync upserts by id or origin_id and never deletes; contract
totals follow the lines. Seeding goes through `place_contract`, which skips the rules on purpose
(e.g. one origin_id on two projects, to test the engine's "on two projects" rule).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sage_sync_desktop.sandbox.state_store import SandboxState, now_iso

STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated")
ACCOUNTING_METHODS = ("amount", "unit")
EXTENDED_TYPES = ("manual", "calculated")
MAX_DESCRIPTION = 255  # sandbox's limit for a line description (Procore's is not published)
_TEXT_FIELDS = ("number", "title", "description", "inclusions", "exclusions", "origin_data",
                "retainage_percent", "currency_iso_code")
_DATE_FIELDS = ("actual_completion_date", "approval_letter_date", "contract_date",
                "contract_estimated_completion_date", "contract_start_date", "execution_date",
                "issued_on_date", "letter_of_intent_date", "returned_date", "signed_contract_received_date",
                "contract_termination_date")
_ID_FIELDS = ("vendor_id", "contractor_id", "architect_id")
_LINE_COLUMNS = ("origin_id", "origin_data", "description", "amount", "quantity", "unit_cost", "uom",
                 "extended_type", "cost_code_id", "line_item_type_id", "tax_code_id", "wbs_code_id")
CENT = Decimal("0.01")


def decimal_text(value: Decimal) -> str:
    """Decimals as Procore writes them: "250000.0", "1234.5", "0.125"."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite():
        raise ValueError("is not a number")
    return number


def _valid_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def clean_contract_fields(raw: dict, *, creating: bool) -> tuple[dict, dict[str, list[str]]]:
    """The stored form of prime_contract fields, and per-field errors like Procore's."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in _TEXT_FIELDS:
        if key in raw:
            values[key] = None if raw[key] is None else str(raw[key])
    if "origin_id" in raw:
        values["origin_id"] = None if raw["origin_id"] in (None, "") else str(raw["origin_id"])
    if "retainage_percent" in values and values["retainage_percent"] not in (None, ""):
        try:
            parse_decimal(values["retainage_percent"])
        except ValueError:
            errors["retainage_percent"] = ["is not a number"]
    for key in _DATE_FIELDS:
        if key in raw:
            if raw[key] in (None, ""):
                values[key] = None
            elif _valid_date(raw[key]):
                values[key] = str(raw[key])
            else:
                errors[key] = ["is not a valid date (YYYY-MM-DD)"]
    for key in _ID_FIELDS:
        if key in raw:
            if raw[key] is None or (isinstance(raw[key], int) and not isinstance(raw[key], bool)):
                values[key] = raw[key]
            else:
                errors[key] = ["must be an integer"]
    if "executed" in raw:
        if isinstance(raw["executed"], bool):
            values["executed"] = raw["executed"]
        else:
            errors["executed"] = ["must be true or false"]
    if "status" in raw or creating:
        status = raw.get("status") or "Draft"
        if status in STATUSES:
            values["status"] = status
        else:
            errors["status"] = [f"is not included in the list ({', '.join(STATUSES)})"]
    if "accounting_method" in raw or creating:
        method = raw.get("accounting_method") or "amount"
        if method in ACCOUNTING_METHODS:
            values["accounting_method"] = method
        else:
            errors["accounting_method"] = ["is not included in the list (amount, unit)"]
    return values, errors


class ContractStore:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # ------------------------------------------------------------------ prime contracts

    def get(self, contract_id: int) -> dict | None:
        return self._decode(self.state.one("SELECT * FROM prime_contracts WHERE id = ?", (contract_id,)))

    def origin_taken(self, company_id: int, origin_id: str | None, *, table: str, except_id: int | None = None) -> bool:
        if not origin_id:
            return False
        row = self.state.one(f"SELECT id FROM {table} WHERE company_id = ? AND origin_id = ? AND id != ? LIMIT 1",
                             (company_id, origin_id, except_id or 0))
        return row is not None

    def create(self, *, company_id: int, project_id: int, values: dict, created_by: int | None,
               contract_id: int | None = None) -> dict:
        stamp = now_iso()
        data = {k: v for k, v in values.items() if k not in ("status", "origin_id")}
        with self.state.transaction():
            cid = self.state.reserve_id(contract_id)
            position = (self.state.one("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM prime_contracts "
                                       "WHERE project_id = ?", (project_id,)) or {"p": 1})["p"]
            if not data.get("number"):
                data["number"] = str(position)
            self.state.db.execute(
                "INSERT INTO prime_contracts (id, company_id, project_id, origin_id, status, position, created_by, "
                "created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cid, company_id, project_id, values.get("origin_id"), values.get("status") or "Draft", position,
                 created_by, stamp, stamp, json.dumps(data)))
        return self.get(cid) or {}

    def update(self, contract: dict, values: dict) -> dict:
        data = dict(contract["data"])
        data.update({k: v for k, v in values.items() if k not in ("status", "origin_id")})
        status = values.get("status", contract["status"])
        origin_id = values["origin_id"] if "origin_id" in values else contract["origin_id"]
        with self.state.transaction():
            self.state.db.execute("UPDATE prime_contracts SET status = ?, origin_id = ?, data = ?, updated_at = ? "
                                  "WHERE id = ?", (status, origin_id, json.dumps(data), now_iso(), contract["id"]))
        return self.get(contract["id"]) or {}

    def delete(self, contract_id: int) -> None:
        with self.state.transaction():
            self.state.db.execute("DELETE FROM line_items WHERE prime_contract_id = ?", (contract_id,))
            self.state.db.execute("DELETE FROM prime_contracts WHERE id = ?", (contract_id,))

    def list(self, project_id: int, *, updated: tuple[str, str] | None, ids: list[int],
             offset: int = 0, limit: int = -1, count: bool = False) -> Any:
        where, params = self._where("project_id = ?", [project_id], updated, ids)
        if count:
            return self.state.one(f"SELECT COUNT(*) AS n FROM prime_contracts WHERE {where}", tuple(params))["n"]
        rows = self.state.all(f"SELECT * FROM prime_contracts WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                              (*params, limit, offset))
        return [self._decode(row) for row in rows]

    def sov_locked(self, contract: dict, project: dict) -> bool:
        return contract["status"] == "Approved" and not project["always_editable_sov"]

    # ------------------------------------------------------------------ line items

    def lines(self, contract_id: int, *, updated: tuple[str, str] | None = None, ids: list[int] | None = None,
              offset: int = 0, limit: int = -1, count: bool = False) -> Any:
        where, params = self._where("prime_contract_id = ?", [contract_id], updated, ids or [])
        if count:
            return self.state.one(f"SELECT COUNT(*) AS n FROM line_items WHERE {where}", tuple(params))["n"]
        return self.state.all(f"SELECT * FROM line_items WHERE {where} ORDER BY position, id LIMIT ? OFFSET ?",
                              (*params, limit, offset))

    def line(self, contract_id: int, line_id: int) -> dict | None:
        return self.state.one("SELECT * FROM line_items WHERE id = ? AND prime_contract_id = ?", (line_id, contract_id))

    def sync(self, contract: dict, updates: list[Any]) -> tuple[list[dict], list[dict]]:
        """Procore's sync: upsert each item by id, else origin_id; report per-item errors."""
        entities: list[dict] = []
        errors: list[dict] = []
        company_id = contract["company_id"]
        with self.state.transaction():
            for item in updates:
                if not isinstance(item, dict):
                    errors.append({"item": item, "errors": {"base": ["must be an object"]}})
                    continue
                existing = None
                if item.get("id") is not None:
                    existing = self.line(contract["id"], _as_int(item.get("id")))
                    if existing is None:
                        errors.append({**item, "errors": {"id": ["Line item not found"]}})
                        continue
                elif item.get("origin_id"):
                    found = self.state.one("SELECT * FROM line_items WHERE company_id = ? AND origin_id = ?",
                                           (company_id, str(item["origin_id"])))
                    if found and found["prime_contract_id"] != contract["id"]:
                        errors.append({**item, "errors": {"origin_id": ["has already been taken"]}})
                        continue
                    existing = found
                row, problems = self.save_line(contract, item, existing)
                if problems:
                    errors.append({**item, "errors": problems})
                else:
                    entities.append(row)
            if entities:
                self.recompute_total(contract["id"])
        return entities, errors

    def save_line(self, contract: dict, item: dict, existing: dict | None) -> tuple[dict, dict]:
        """Create or update one line from API input. Returns (row, {}) or ({}, field errors)."""
        values, problems = self._clean_line(contract, item, existing)
        if problems:
            return {}, problems
        stamp = now_iso()
        with self.state.transaction():
            if existing is None:
                line_id = self.state.allocate_ids()
                position = self.state.one("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM line_items "
                                          "WHERE prime_contract_id = ?", (contract["id"],))["p"]
                self.state.db.execute(
                    f"INSERT INTO line_items (id, company_id, project_id, prime_contract_id, position, created_at, "
                    f"updated_at, {', '.join(_LINE_COLUMNS)}) VALUES ({', '.join('?' * (7 + len(_LINE_COLUMNS)))})",
                    (line_id, contract["company_id"], contract["project_id"], contract["id"], position, stamp, stamp,
                     *(values.get(c) for c in _LINE_COLUMNS)))
            else:
                line_id = existing["id"]
                assignments = ", ".join(f"{c} = ?" for c in _LINE_COLUMNS)
                self.state.db.execute(f"UPDATE line_items SET {assignments}, updated_at = ? WHERE id = ?",
                                      (*(values.get(c) for c in _LINE_COLUMNS), stamp, line_id))
        return self.state.one("SELECT * FROM line_items WHERE id = ?", (line_id,)) or {}, {}

    def delete_line(self, contract: dict, line_id: int) -> bool:
        with self.state.transaction():
            gone = self.state.db.execute("DELETE FROM line_items WHERE id = ? AND prime_contract_id = ?",
                                         (line_id, contract["id"])).rowcount
            if gone:
                self.recompute_total(contract["id"])
        return bool(gone)

    def recompute_total(self, contract_id: int) -> None:
        total = sum((Decimal(row["amount"]) for row in self.state.all(
            "SELECT amount FROM line_items WHERE prime_contract_id = ?", (contract_id,))), Decimal(0))
        self.state.db.execute("UPDATE prime_contracts SET sov_total = ?, updated_at = ? WHERE id = ?",
                              (str(total), now_iso(), contract_id))

    def _clean_line(self, contract: dict, item: dict, existing: dict | None) -> tuple[dict, dict]:
        values = {c: existing[c] for c in _LINE_COLUMNS} if existing else {"extended_type": "manual"}
        problems: dict[str, list[str]] = {}
        for key in ("origin_id", "origin_data", "description", "uom"):
            if key in item:
                values[key] = None if item[key] in (None, "") else str(item[key])
        if values.get("origin_id") and self.origin_taken(contract["company_id"], values["origin_id"],
                                                         table="line_items", except_id=existing and existing["id"]):
            problems["origin_id"] = ["has already been taken"]
        if values.get("description") and len(values["description"]) > MAX_DESCRIPTION:
            problems["description"] = [f"is too long (maximum is {MAX_DESCRIPTION} characters)"]
        if values.get("uom") and values["uom"] not in self.state.uom_names(contract["company_id"]):
            problems["uom"] = ["is not included in the company's list of units of measure"]
        for key in ("amount", "quantity", "unit_cost"):
            if key in item:
                try:
                    number = parse_decimal(item[key])
                    values[key] = None if number is None else str(number)
                except ValueError as exc:
                    problems[key] = [str(exc)]
        if "extended_type" in item:
            if item["extended_type"] in EXTENDED_TYPES:
                values["extended_type"] = item["extended_type"]
            else:
                problems["extended_type"] = ["is not included in the list (manual, calculated)"]
        for key, table, scope in (("cost_code_id", "cost_codes", "project_id"),
                                  ("line_item_type_id", "line_item_types", "company_id")):
            if key in item:
                if item[key] in (None, ""):
                    values[key] = None
                    continue
                ref = _as_int(item[key])
                if ref is None or self.state.one(f"SELECT id FROM {table} WHERE id = ? AND {scope} = ?",
                                                 (ref, contract[scope])) is None:
                    problems[key] = ["does not exist"]
                else:
                    values[key] = ref
        for key in ("tax_code_id", "wbs_code_id"):
            if key in item:
                values[key] = _as_int(item[key])
        if values.get("extended_type") == "calculated":
            if values.get("quantity") is None or values.get("unit_cost") is None:
                problems["extended_type"] = ["calculated lines need quantity and unit_cost"]
            else:
                amount = Decimal(values["quantity"]) * Decimal(values["unit_cost"])
                values["amount"] = str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
        if values.get("amount") is None:
            values["amount"] = "0"
        return values, problems

    # ------------------------------------------------------------------ seeding (rules skipped)

    def place_contract(self, *, company_id: int, project_id: int, fields: dict, lines: list[dict],
                       contract_id: int | None = None) -> int:
        values, _ = clean_contract_fields(fields, creating=True)
        contract = self.create(company_id=company_id, project_id=project_id, values=values, created_by=None,
                               contract_id=contract_id)
        if lines:
            stamp = now_iso()
            first = self.state.allocate_ids(len(lines))
            rows = []
            for index, line in enumerate(lines):
                amount = parse_decimal(line.get("amount")) or Decimal(0)
                rows.append((first + index, company_id, project_id, contract["id"], index + 1, stamp, stamp,
                             line.get("origin_id"), line.get("origin_data"), line.get("description"), str(amount),
                             _text(line.get("quantity")), _text(line.get("unit_cost")), line.get("uom"),
                             line.get("extended_type") or "manual", line.get("cost_code_id"),
                             line.get("line_item_type_id"), None, None))
            with self.state.transaction():
                self.state.db.executemany(
                    f"INSERT INTO line_items (id, company_id, project_id, prime_contract_id, position, created_at, "
                    f"updated_at, {', '.join(_LINE_COLUMNS)}) VALUES ({', '.join('?' * (7 + len(_LINE_COLUMNS)))})",
                    rows)
                self.recompute_total(contract["id"])
        return contract["id"]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _where(base: str, params: list, updated: tuple[str, str] | None, ids: list[int]) -> tuple[str, list]:
        clauses = [base]
        if updated:
            clauses.append("updated_at >= ? AND updated_at <= ?")
            params = [*params, *updated]
        if ids:
            clauses.append(f"id IN ({', '.join('?' * len(ids))})")
            params = [*params, *ids]
        return " AND ".join(clauses), params

    @staticmethod
    def _decode(row: dict | None) -> dict | None:
        if row is None:
            return None
        row = dict(row)
        row["data"] = json.loads(row["data"])
        return row


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
