"""Turn what an ODBC driver returns into the plain values the records hold.

Rules (each has a test in tests/sage/test_normalise.py):
- Keys: kept exactly as Sage stores them (Timberline right-justifies numeric-looking keys and
  pads them with spaces, and padded values only match padded values), trimmed for display.
  NULL or blank means "no key".
- Money: `Decimal` to the cent whether the driver gives `float`, `str`, `int` or `Decimal`.
  Floats go through their shortest repr (so 0.1 stays 0.1, not 0.1000000000000000055...).
  Rounding is ROUND_HALF_UP (1.005 -> 1.01, -1.005 -> -1.01). A value that loses more than
  float noise (1e-6) when rounded really had sub-cent digits: `money_precision_lost` says so and
  the reader records an `amount_precision` problem. NULL money is zero. Text that is not a
  number, NaN, infinity and values of more than 28 digits to the cent raise ValueError.
- Other numbers (quantity, unit price, retainage %): `Decimal`, not rounded; NULL is None.
- Dates: `date`, `datetime` or ISO text (the demo's sqlite3 path). NULL, blank and anything on
  or before 1900-01-01 (Timberline's and Crystal's "Date(0)") mean no date.
- Text: bytes are decoded as cp1252 (Sage's code page), invalid bytes replaced, never raising;
  NULL becomes "", padding spaces are trimmed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NO_DATE_ON_OR_BEFORE = date(1900, 1, 1)
_FLOAT_NOISE = Decimal("0.000001")
SAGE_CODEPAGE = "cp1252"


def key(value: object) -> str | None:
    """The exact key, or None when the row has none."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bytes):
        value = value.decode(SAGE_CODEPAGE, errors="replace")
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def display(value: str | None) -> str:
    """A key as people see it: without Timberline's padding."""
    return value.strip() if value else ""


def text(value: object) -> str:
    """Descriptions, names, codes: cp1252 bytes decoded, NULL as "", padding trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(SAGE_CODEPAGE, errors="replace").strip()
    return str(value).strip()


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, bytes):
        return _decimal(value.decode(SAGE_CODEPAGE, errors="replace"))
    else:
        raise ValueError(f"{value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


class AmountTooLarge(ValueError):
    """A number with more than 28 digits once held to the cent: no real amount."""


def _to_cent(value: object, exact: Decimal) -> Decimal:
    try:
        return exact.quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context's 28
        raise AmountTooLarge(f"{value!r} is too large to be an amount") from None


def money(value: object) -> Decimal:
    """An amount to the cent, rounded half-up. Raises ValueError for a non-number or a value
    too large to hold to the cent."""
    if value is None:
        return ZERO
    return _to_cent(value, _decimal(value)) or ZERO


def money_with_precision(value: object) -> tuple[Decimal, Decimal | None]:
    """(amount to the cent, the unrounded value if rounding lost more than float noise)."""
    if value is None:
        return ZERO, None
    exact = _decimal(value)
    rounded = _to_cent(value, exact)
    rounded = rounded or ZERO  # -0.00 shows as 0.00
    if rounded == exact or abs(rounded - exact) <= _FLOAT_NOISE:
        return rounded, None
    return rounded, exact


def number(value: object) -> Decimal | None:
    """A quantity, price or percentage as Decimal, unrounded; None for NULL or blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _decimal(value)


def sage_date(value: object) -> date | None:
    """A date, or None for NULL / blank / 1900-01-01 and earlier. Raises ValueError for junk."""
    if value is None:
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str | bytes):
        raw = value.decode(SAGE_CODEPAGE, errors="replace") if isinstance(value, bytes) else value
        raw = raw.strip()
        if not raw:
            return None
        try:
            result = datetime.fromisoformat(raw).date() if len(raw) > 10 else date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date") from None
    else:
        raise ValueError(f"{value!r} is not a date")
    if result <= NO_DATE_ON_OR_BEFORE:
        return None
    return result
