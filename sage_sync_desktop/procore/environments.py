"""Procore's hosts per environment (procore-api.md section 1.1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcoreEnvironment:
    name: str
    label: str
    login_url: str
    api_url: str


PRODUCTION = ProcoreEnvironment(
    "production", "Production", "https://login.procore.com", "https://api.procore.com"
)
SANDBOX = ProcoreEnvironment(
    "sandbox", "Developer Sandbox", "https://login-sandbox.procore.com", "https://sandbox.procore.com"
)
MONTHLY_SANDBOX = ProcoreEnvironment(
    "monthly_sandbox",
    "Monthly Sandbox",
    "https://login-sandbox-monthly.procore.com",
    "https://api-monthly.procore.com",
)

ENVIRONMENTS: dict[str, ProcoreEnvironment] = {
    env.name: env for env in (PRODUCTION, SANDBOX, MONTHLY_SANDBOX)
}
CUSTOM = "custom"
ENVIRONMENT_NAMES = (*ENVIRONMENTS, CUSTOM)


def resolve(name: str, *, api_url: str = "", login_url: str = "") -> ProcoreEnvironment:
    """The environment for a settings value; `custom` takes the URLs as given."""
    if name == CUSTOM:
        if not api_url or not login_url:
            raise ValueError("the custom environment needs both api_url and login_url")
        return ProcoreEnvironment(CUSTOM, "Custom URL", login_url.rstrip("/"), api_url.rstrip("/"))
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        raise ValueError(
            f"unknown Procore environment {name!r}; use one of {', '.join(ENVIRONMENT_NAMES)}"
        ) from None
