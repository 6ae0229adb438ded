"""Procore's permission tools and levels, named once: the engine's rules, the client's error
messages and the Settings page's permission check all use these."""

from __future__ import annotations

from enum import StrEnum

ERP_INTEGRATIONS = "ERP Integrations"  # company level: Standard to import, Admin to re-import
PRIME_CONTRACTS = "Prime Contracts"  # project level: Admin to create or change a prime contract


class AccessLevel(StrEnum):
    """A user's level on a Procore tool, as Procore names it."""

    NONE = "None"
    READ_ONLY = "Read Only"
    STANDARD = "Standard"
    ADMIN = "Admin"

    @property
    def rank(self) -> int:
        return ("None", "Read Only", "Standard", "Admin").index(self.value)

    @classmethod
    def from_name(cls, name: str) -> AccessLevel:
        """Procore's level name, any case; an unknown name grants nothing (NONE)."""
        wanted = name.strip().lower()
        return next((level for level in cls if level.value.lower() == wanted), cls.NONE)
