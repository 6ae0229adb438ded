"""Procore's permission tools, named once: the engine's rules, the client's error messages and the
Settings page's permission check all use these names."""

from __future__ import annotations

ERP_INTEGRATIONS = "ERP Integrations"  # company level: Standard to import, Admin to re-import
PRIME_CONTRACTS = "Prime Contracts"  # project level: Admin to create or change a prime contract
