"""Addresses of Procore's own web pages (for people, in a browser), built from the environment.

The API host is not always the web host: production's web app is app.procore.com while its API
is api.procore.com (procore-api.md 1.1); the Developer Sandbox serves both on one host. A custom
environment (the local sandbox) has no web pages of its own, so its API host is used as is.
"""

from __future__ import annotations

from sage_sync_desktop.procore.environments import ProcoreEnvironment

WEB_HOSTS = {
    "production": "https://app.procore.com",
    "sandbox": "https://sandbox.procore.com",
    "monthly_sandbox": "https://api-sandbox-monthly.procore.com",
}


def web_host(environment: ProcoreEnvironment) -> str:
    return WEB_HOSTS.get(environment.name, environment.api_url).rstrip("/")


def project_url(environment: ProcoreEnvironment, project_id: int) -> str:
    return f"{web_host(environment)}/{int(project_id)}/project/home"


def prime_contract_url(environment: ProcoreEnvironment, project_id: int, prime_contract_id: int) -> str:
    return f"{web_host(environment)}/{int(project_id)}/project/prime_contracts/{int(prime_contract_id)}"
