"""Every normalisation rule of sage/normalise.py, one behaviour per test."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from sage_sync_desktop.sage import normalise as norm


def test_padded_key_is_kept_exact_for_matching():
    assert norm.key("    240101") == "    240101"


def test_padded_key_is_trimmed_for_display():
    assert norm.display("    240101") == "240101"


def test_blank_or_null_key_means_no_key():
    assert norm.key(None) is None
    assert norm.key("     ") is None


def test_numeric_key_from_a_driver_becomes_text():
    assert norm.key(1001) == "1001"
    assert norm.key(1001.0) == "1001"


@pytest.mark.parametrize("raw", ["1234.56", 1234.56, Decimal("1234.56"), " 1234.56 "])
def test_money_is_decimal_to_the_cent_whatever_the_driver_type(raw):
    value = norm.money(raw)
    assert value == Decimal("1234.56")
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2


def test_money_from_text_without_cents_gets_two_places():
    # The SQLite ODBC driver returns DECIMAL 100.00 as '100'.
    assert str(norm.money("100")) == "100.00"


def test_money_from_an_integer_gets_two_places():
    assert str(norm.money(25000)) == "25000.00"


def test_float_money_uses_the_shortest_repr_not_the_binary_expansion():
    assert norm.money(0.1) == Decimal("0.10")
    assert norm.money(0.1 + 0.2) == Decimal("0.30")
    assert norm.money(1234567.89) == Decimal("1234567.89")


@pytest.mark.parametrize("raw,expected", [
    ("1.005", "1.01"), ("-1.005", "-1.01"), ("2.675", "2.68"), ("1.004", "1.00"),
])
def test_money_rounds_half_up_away_from_zero(raw, expected):
    assert norm.money(raw) == Decimal(expected)


def test_null_money_is_zero():
    assert norm.money(None) == Decimal("0.00")


def test_negative_zero_money_is_plain_zero():
    assert str(norm.money("-0.00")) == "0.00"
    assert str(norm.money(-0.0)) == "0.00"


@pytest.mark.parametrize("raw", ["N/A", "12,50", "", "NaN", "Infinity", b"\xff", True])
def test_money_that_is_not_a_finite_number_raises_value_error(raw):
    with pytest.raises(ValueError):
        norm.money(raw)


@pytest.mark.parametrize("raw", ["1e30", 1e30, "123456789012345678901234567.5"])
def test_money_too_large_to_hold_to_the_cent_raises_value_error_not_a_decimal_trap(raw):
    # InvalidOperation is not a ValueError: unconverted, it would abort the whole company read.
    with pytest.raises(ValueError, match="too large"):
        norm.money(raw)
    with pytest.raises(ValueError, match="too large"):
        norm.money_with_precision(raw)


def test_sub_cent_amount_is_rounded_and_reported():
    rounded, unrounded = norm.money_with_precision("1234.567")
    assert rounded == Decimal("1234.57")
    assert unrounded == Decimal("1234.567")


def test_float_noise_is_not_reported_as_lost_precision():
    rounded, unrounded = norm.money_with_precision(0.1 + 0.2)
    assert rounded == Decimal("0.30")
    assert unrounded is None


def test_two_decimal_amount_reports_nothing_lost():
    assert norm.money_with_precision("99.99") == (Decimal("99.99"), None)


def test_number_keeps_its_precision():
    assert norm.number("12.3456") == Decimal("12.3456")
    assert norm.number(1425.0) == Decimal("1425.0")


def test_null_or_blank_number_is_none():
    assert norm.number(None) is None
    assert norm.number("  ") is None


@pytest.mark.parametrize("raw", [None, "", "1900-01-01", date(1900, 1, 1), datetime(1900, 1, 1, 0, 0),
                                 date(1899, 12, 30)])
def test_null_and_1900_dates_mean_no_date(raw):
    assert norm.sage_date(raw) is None


@pytest.mark.parametrize("raw", [date(2024, 3, 15), datetime(2024, 3, 15, 13, 45), "2024-03-15",
                                 "2024-03-15 00:00:00"])
def test_dates_come_back_as_date(raw):
    assert norm.sage_date(raw) == date(2024, 3, 15)


def test_a_date_that_is_not_a_date_raises_value_error():
    with pytest.raises(ValueError):
        norm.sage_date("15/03/2024")


def test_text_bytes_are_decoded_as_cp1252():
    assert norm.text("Société Générale".encode("cp1252")) == "Société Générale"
    assert norm.text(b"M\xfcller Bau \x96 Phase 1") == "Müller Bau – Phase 1"


def test_undefined_cp1252_bytes_are_replaced_not_raised():
    assert norm.text(b"A\x81B") == "A\ufffdB"


def test_null_description_becomes_empty_text():
    assert norm.text(None) == ""


def test_text_padding_is_trimmed():
    assert norm.text("Concrete Foundations      ") == "Concrete Foundations"
