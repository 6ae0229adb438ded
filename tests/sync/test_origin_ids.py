from __future__ import annotations

import pytest

from sage_sync_desktop.sync import origin_ids


def test_padded_and_unpadded_keys_give_one_contract_id() -> None:
    assert origin_ids.contract_origin_id("      1001") == "S300:CN:1001"
    assert origin_ids.contract_origin_id("1001") == "S300:CN:1001"
    assert origin_ids.contract_origin_id("1001  ") == "S300:CN:1001"


def test_item_id_nests_under_its_contract_and_trims_both_keys() -> None:
    assert origin_ids.item_origin_id("  1001", "       010") == "S300:CN:1001:ITEM:010"
    assert origin_ids.item_origin_id("1001", "010").startswith(origin_ids.item_prefix("1001"))


def test_job_id_format() -> None:
    assert origin_ids.job_origin_id("  00-105 ") == "S300:JOB:00-105"


def test_leading_zeros_and_case_are_kept_apart() -> None:
    assert origin_ids.item_origin_id("1001", "010") != origin_ids.item_origin_id("1001", "10")
    assert origin_ids.contract_origin_id("a1") != origin_ids.contract_origin_id("A1")


@pytest.mark.parametrize("key", ["10:01", "50%", "A B", "Ünïcode", "x:ITEM:y", "1/2#3&4+5(6)"])
def test_any_key_round_trips_through_parse(key: str) -> None:
    contract_id = origin_ids.contract_origin_id(key)
    item_id = origin_ids.item_origin_id(key, key)
    assert origin_ids.parse(contract_id) == origin_ids.ParsedOriginId("contract", contract=key)
    assert origin_ids.parse(item_id) == origin_ids.ParsedOriginId("item", contract=key, item=key)
    assert origin_ids.parse(origin_ids.job_origin_id(key)).job == key


def test_separator_inside_a_key_is_escaped() -> None:
    assert origin_ids.contract_origin_id("x:ITEM:y") == "S300:CN:x%3AITEM%3Ay"


@pytest.mark.parametrize("key", [None, "", "    ", "A" * 41, "bad\x00key"])
def test_unusable_keys_are_refused_with_a_reason(key) -> None:
    with pytest.raises(origin_ids.OriginIdError):
        origin_ids.contract_origin_id(key)


def test_longest_plain_keys_fit_and_escaped_ones_that_do_not_are_refused() -> None:
    longest = "9" * origin_ids.MAX_KEY_LENGTH
    assert len(origin_ids.item_origin_id(longest, longest)) <= origin_ids.MAX_ORIGIN_ID_LENGTH
    escaped = "é" * origin_ids.MAX_KEY_LENGTH  # 6 characters each once escaped
    with pytest.raises(origin_ids.OriginIdError, match="at most 255"):
        origin_ids.item_origin_id(escaped, escaped)


@pytest.mark.parametrize("value", ["", "1001", "S300:XX:1", "S300:CN:", "S300:CN:a b", "HH2:CN:1001", 42, None])
def test_foreign_ids_are_not_ours(value) -> None:
    assert origin_ids.try_parse(value) is None
    assert not origin_ids.is_ours(value)
