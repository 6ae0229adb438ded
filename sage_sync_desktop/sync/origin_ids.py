"""Stable Procore origin ids for Sage jobs, contracts and contract items.

Formats (unique per Procore company, which is what Procore's sync actions require):

    S300:JOB:<job>
    S300:CN:<contract>
    S300:CN:<contract>:ITEM:<item>

Normalisation: Sage stores numeric-looking keys right-justified and space-padded ("  1001"),
so every key is trimmed first and the padded and unpadded forms of one key give one id.
Nothing else is changed: leading zeros and case are significant in Sage ("010" is not "10").
A key may hold any character; everything outside a small safe set (letters, digits and
`-._/#&+()`) is written as %XX of its UTF-8 bytes, so ':' inside a key can never be confused
with the separator, and `parse` gives back exactly the trimmed key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

PREFIX = "S300"
JOB_PREFIX = f"{PREFIX}:JOB:"
CONTRACT_PREFIX = f"{PREFIX}:CN:"
ITEM_SEPARATOR = ":ITEM:"

# Sage keys are VARCHAR(10); 40 leaves room for sites with wider custom keys. Keys full of
# escaped characters can still make an id too long, which _checked refuses with a clear error.
MAX_KEY_LENGTH = 40
# Procore does not publish the limit of origin_id; 255 is the usual string column size.
MAX_ORIGIN_ID_LENGTH = 255

_SAFE = "-._/#&+()"
_ENCODED_PART = re.compile(r"^(?:[A-Za-z0-9\-._/#&+()]|%[0-9A-F]{2})+$")


class OriginIdError(ValueError):
    """A key that cannot become an origin id, or a string that is not one of ours."""


@dataclass(frozen=True)
class ParsedOriginId:
    kind: str  # "job", "contract" or "item"
    job: str | None = None
    contract: str | None = None
    item: str | None = None


def normalise_key(key: str | None, *, what: str = "key") -> str:
    """The trimmed key; raises OriginIdError when it is empty or too long."""
    if key is None:
        raise OriginIdError(f"The {what} is missing.")
    trimmed = key.strip()
    if not trimmed:
        raise OriginIdError(f"The {what} is blank.")
    if len(trimmed) > MAX_KEY_LENGTH:
        raise OriginIdError(
            f"The {what} {trimmed[:20]!r}... is {len(trimmed)} characters long; "
            f"at most {MAX_KEY_LENGTH} can be carried into Procore."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in trimmed):
        raise OriginIdError(f"The {what} {trimmed!r} contains control characters.")
    return trimmed


@lru_cache(maxsize=65536)
def _encode(key: str | None, what: str) -> str:
    # Cached: a refresh builds an id for every item of every contract (150,000 on a large
    # company) and item numbers repeat across contracts. Errors are raised, never cached.
    return quote(normalise_key(key, what=what), safe=_SAFE)


def _decode(part: str, original: str) -> str:
    if not _ENCODED_PART.match(part):
        raise OriginIdError(f"{original!r} is not an origin id made by this app.")
    return unquote(part, errors="strict")


def _checked(origin_id: str) -> str:
    if len(origin_id) > MAX_ORIGIN_ID_LENGTH:
        raise OriginIdError(
            f"The origin id {origin_id[:40]}... would be {len(origin_id)} characters long; "
            f"Procore takes at most {MAX_ORIGIN_ID_LENGTH}."
        )
    return origin_id


def job_origin_id(job: str | None) -> str:
    return _checked(JOB_PREFIX + _encode(job, "job number"))


def contract_origin_id(contract: str | None) -> str:
    return _checked(CONTRACT_PREFIX + _encode(contract, "contract number"))


def item_origin_id(contract: str | None, item: str | None) -> str:
    return _checked(contract_origin_id(contract) + ITEM_SEPARATOR + _encode(item, "contract item"))


def item_prefix(contract: str | None) -> str:
    """Every item origin id of this contract starts with this string."""
    return contract_origin_id(contract) + ITEM_SEPARATOR


def parse(origin_id: str) -> ParsedOriginId:
    """Which job, contract or item an origin id names; OriginIdError when it is not ours."""
    if not isinstance(origin_id, str):
        raise OriginIdError(f"{origin_id!r} is not an origin id made by this app.")
    if origin_id.startswith(JOB_PREFIX):
        return ParsedOriginId("job", job=_decode(origin_id[len(JOB_PREFIX):], origin_id))
    if origin_id.startswith(CONTRACT_PREFIX):
        rest = origin_id[len(CONTRACT_PREFIX):]
        contract_part, separator, item_part = rest.partition(ITEM_SEPARATOR)
        contract = _decode(contract_part, origin_id)
        if not separator:
            return ParsedOriginId("contract", contract=contract)
        return ParsedOriginId("item", contract=contract, item=_decode(item_part, origin_id))
    raise OriginIdError(f"{origin_id!r} is not an origin id made by this app.")


def try_parse(origin_id: object) -> ParsedOriginId | None:
    """Like parse, but None for anything that is not ours (hand-made lines, other integrations)."""
    if not isinstance(origin_id, str):
        return None
    try:
        return parse(origin_id)
    except (OriginIdError, UnicodeDecodeError):
        return None


def is_ours(origin_id: object) -> bool:
    return try_parse(origin_id) is not None
