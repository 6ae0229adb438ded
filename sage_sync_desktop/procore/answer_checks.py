"""What a Procore answer must look like before anything reads it.

Procore's answers (or whatever answers in its place: a proxy, a broken deployment, an attacker
on a hostile network) are data. JSON that is not what the endpoint returns ends in one typed
error, `BadAnswer`, naming the endpoint and logged to the file, never in a traceback from deep in
the sync: NaN or Infinity, numbers too large to be money, nesting deeper than any Procore answer,
a list item that is not an object or lacks its id, an id listed twice, and known fields of the
wrong type (a name that is a list, an amount that is text).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from sage_sync_desktop.errors import ProcoreError

logger = logging.getLogger(__name__)

MAX_DEPTH = 32  # Procore's deepest answers (permissions, sync errors) nest about 5 levels
# Procore stores amounts with 15 significant digits; the app never writes more than 9,999,999,999,999.99.
MAX_AMOUNT = Decimal("1e15")

_MONEY = ("amount", "quantity", "unit_cost", "grand_total", "revised_contract_amount")
_TEXT = ("name", "login", "number", "title", "description", "origin_id", "origin_code", "status",
         "project_number", "uom", "full_code", "friendly_name", "email_address")
_INTEGER_OR_NULL = ("project_id", "prime_contract_id", "cost_code_id", "company_id")


class BadAnswer(ProcoreError):
    """Procore answered, but not with what this endpoint returns."""

    def __init__(self, endpoint: str, why: str, *, detail: str = "") -> None:
        super().__init__(
            f"Procore's answer to {endpoint} is not what the app expects: {why}. "
            "Nothing was changed because of it.",
            fix="Try again later. If it happens again, send the log file to whoever supports this "
            "installation (a proxy or firewall may be changing Procore's answers).",
            detail=detail,
        )
        self.endpoint = endpoint
        logger.error("Unexpected answer from Procore to %s: %s", endpoint, why,
                     extra={"shown_to_user": True})


def parse_json(body: bytes, endpoint: str) -> Any:
    """JSON from a Procore answer: no NaN/Infinity, no overflowing number, bounded nesting."""

    def refuse_constant(name: str) -> Any:
        raise BadAnswer(endpoint, f"it holds the number {name}")

    def finite_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise BadAnswer(endpoint, f"it holds the number {text[:40]}, too large to be an amount")
        return value

    try:
        data = json.loads(body, parse_constant=refuse_constant, parse_float=finite_float)
    except RecursionError:
        raise BadAnswer(endpoint, "it is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise BadAnswer(endpoint, "it is not JSON (a proxy or captive portal?)",
                        detail=body[:300].decode("utf-8", "replace")) from None
    if _depth(data) > MAX_DEPTH:
        raise BadAnswer(endpoint, f"it is nested more than {MAX_DEPTH} levels deep")
    return data


def check_list(endpoint: str, items: Any) -> list[dict[str, Any]]:
    """Every item an object with an integer id, each id once, known fields of the right type."""
    if not isinstance(items, list):
        raise BadAnswer(endpoint, f"a list was expected, it sent {_kind(items)}")
    seen: set[int] = set()
    for item in items:
        if not isinstance(item, dict):
            raise BadAnswer(endpoint, f"a list item is {_kind(item)}, not an object")
        item_id = item.get("id")
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            raise BadAnswer(endpoint, f"a list item has the id {_shown(item_id)}, not a whole number")
        if item_id in seen:
            raise BadAnswer(endpoint, f"it lists the item with id {item_id} twice")
        seen.add(item_id)
        check_fields(endpoint, item)
    return items


def check_object(endpoint: str, item: Any, *, needs_id: bool = True) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadAnswer(endpoint, f"an object was expected, it sent {_kind(item)}")
    if needs_id and (isinstance(item.get("id"), bool) or not isinstance(item.get("id"), int)):
        raise BadAnswer(endpoint, f"the object has the id {_shown(item.get('id'))}, not a whole number")
    check_fields(endpoint, item)
    return item


def check_sync_answer(endpoint: str, body: Any) -> dict[str, Any]:
    """line_items/sync: {"entities": [...], "errors": [...]}; each entity a line with an id."""
    if not isinstance(body, dict):
        raise BadAnswer(endpoint, f"an object was expected, it sent {_kind(body)}")
    for key in ("entities", "errors"):
        if body.get(key) is not None and not isinstance(body[key], list):
            raise BadAnswer(endpoint, f"'{key}' is {_kind(body[key])}, not a list")
    check_list(endpoint, body.get("entities") or [])
    return body


def check_permissions(endpoint: str, body: Any) -> dict[str, Any]:
    """settings/permissions: {"tools": [{"name", "friendly_name", "user_access_level": {"name"}}]}."""
    answer = check_object(endpoint, body, needs_id=False)
    tools = answer.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise BadAnswer(endpoint, f"'tools' is {_kind(tools)}, not a list")
    for tool in tools or []:
        check_object(endpoint, tool, needs_id=False)
        level = tool.get("user_access_level")
        if level is not None:
            check_object(endpoint, level, needs_id=False)
    return answer


def check_fields(endpoint: str, item: dict[str, Any]) -> None:
    for key in _TEXT:
        if key in item and item[key] is not None and not isinstance(item[key], str):
            raise BadAnswer(endpoint, f"'{key}' is {_kind(item[key])}, not text")
    for key in _INTEGER_OR_NULL:
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise BadAnswer(endpoint, f"'{key}' is {_shown(value)}, not a whole number")
    for key in _MONEY:
        if key in item and item[key] is not None:
            _check_amount(endpoint, key, item[key])


def _check_amount(endpoint: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadAnswer(endpoint, f"'{key}' is {_kind(value)}, not an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadAnswer(endpoint, f"'{key}' is {_shown(value)}, not an amount") from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise BadAnswer(endpoint, f"'{key}' is {_shown(value)}, beyond any amount Procore stores")


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        children: Iterable[Any] = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _shown(value: Any) -> str:
    text = json.dumps(value)[:40] if not isinstance(value, float) else repr(value)
    return text
