"""The sandbox's answers, field by field, against Procore's OAS response schemas.

For every checked endpoint: each property the schema lists is present, no field is invented,
and each value has the schema's type, format and enum (null allowed, as Procore sends nulls).
The schemas are the OAS extracts vendored in tests/sandbox/procore_oas (copies of
shared/reference/procore-oas, checked against it when shared/ is beside the repository).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT
from tests.procore import browser_double
from tests.sandbox.raw_http import call, token_for

OAS_DIR = Path(__file__).resolve().parent / "procore_oas"
SHARED_OAS_DIR = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "procore-oas").resolve()


def schema(operation: str, status: str = "200") -> dict:
    data = json.loads((OAS_DIR / f"{operation}.json").read_text(encoding="utf-8"))
    return data["responses"][status]["schema"]


def problems(value, spec: dict, where: str = "$") -> list[str]:
    """Where `value` departs from the (flattened) OAS schema `spec`."""
    if value is None or not spec:
        return []
    kind = spec.get("type")
    if spec.get("description") == "(nested object)":
        return []  # the generator flattened this level away: no type to check
    found: list[str] = []
    if "enum" in spec and value not in spec["enum"] and kind == "string":
        found.append(f"{where}: {value!r} not in {spec['enum']}")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected object, got {type(value).__name__}"]
        props = spec.get("properties") or {}
        if props and not any("%{" in name for name in props):
            found += [f"{where}: missing {name}" for name in props if name not in value]
            found += [f"{where}: invented field {name}" for name in value if name not in props]
            for name, sub in props.items():
                found += problems(value.get(name), sub, f"{where}.{name}")
    elif kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected array, got {type(value).__name__}"]
        for index, item in enumerate(value[:50]):
            found += problems(item, spec.get("items") or {}, f"{where}[{index}]")
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expected string, got {type(value).__name__}"]
        if spec.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                found.append(f"{where}: {value!r} is not a date")
        elif spec.get("format") == "date-time":
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                found.append(f"{where}: {value!r} is not a date-time")
        elif spec.get("format") == "float":
            float(value)
    elif kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        found.append(f"{where}: expected integer, got {value!r}")
    elif kind == "number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        found.append(f"{where}: expected number, got {value!r}")
    elif kind == "boolean" and not isinstance(value, bool):
        found.append(f"{where}: expected boolean, got {value!r}")
    return found


@pytest.fixture
def world(sandbox):
    """A token, a project with a cost-coded prime contract and two lines (one calculated)."""
    token = token_for(sandbox, SERVICE_ACCOUNT)
    project_id = 5_000_001_001
    cost_code = sandbox.state.one("SELECT id FROM cost_codes WHERE project_id = ? LIMIT 1", (project_id,))["id"]
    item_type = sandbox.state.one("SELECT id FROM line_item_types LIMIT 1")["id"]
    created = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=token, json_body={
        "project_id": project_id, "prime_contract": {
            "number": "PC-OAS", "title": "Schema check", "origin_id": "oas-1", "origin_data": "{}",
            "contract_date": "2026-02-01", "retainage_percent": "5", "vendor_id": 99, "executed": False}})
    assert created.status == 201, created.body
    synced = call(sandbox, "PATCH", f"/rest/v1.0/prime_contracts/{created.body['id']}/line_items/sync",
                  token=token, params={"project_id": project_id}, json_body={"updates": [
                      {"origin_id": "oas-1:1", "description": "Sitework", "amount": "1000.00",
                       "cost_code_id": cost_code, "line_item_type_id": item_type},
                      {"origin_id": "oas-1:2", "description": "Concrete", "quantity": "12", "unit_cost": "150.5",
                       "uom": "CY", "extended_type": "calculated"},
                      {"id": 1, "description": "no such line"}]})
    return {"token": token, "project": project_id, "created": created, "synced": synced,
            "contract": created.body["id"]}


def _check(answer, spec) -> None:
    assert answer.status in (200, 201), answer.body
    assert problems(answer.body, spec) == []


def test_token_and_token_info(sandbox, world):
    user = sandbox.user(SERVICE_ACCOUNT)
    answer = call(sandbox, "POST", "/oauth/token", company=False, json_body={
        "grant_type": "client_credentials", "client_id": user["client_id"], "client_secret": user["client_secret"]})
    # Procore documents the client-credentials answer without a refresh token (procore-api.md 1.3).
    spec = schema("OauthTokenPost")
    without_refresh = {**spec, "properties": {k: v for k, v in spec["properties"].items() if k != "refresh_token"}}
    _check(answer, without_refresh)
    app = sandbox.app
    code = browser_double.code_from_page(browser_double.approve(
        f"{sandbox.url}/oauth/authorize?response_type=code&client_id={app['client_id']}"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob"))
    exchanged = call(sandbox, "POST", "/oauth/token", company=False, form={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "client_id": app["client_id"], "client_secret": app["client_secret"]})
    _check(exchanged, spec)
    _check(call(sandbox, "GET", "/oauth/token/info", token=world["token"], company=False),
           schema("OauthTokenInfoGet"))


def test_me_and_companies(sandbox, world):
    _check(call(sandbox, "GET", "/rest/v1.0/me", token=world["token"]), schema("RestV10MeGet"))
    _check(call(sandbox, "GET", "/rest/v1.0/companies", token=world["token"]), schema("RestV10CompaniesGet"))


def test_projects_v10_v11_show_and_patch(sandbox, world):
    params = {"company_id": sandbox.company_id}
    listed = call(sandbox, "GET", "/rest/v1.0/projects", token=world["token"], params=params)
    _check(listed, schema("RestV10ProjectsGet"))
    assert len(listed.body) == 6
    # v1.1's item schema is left open in the OAS; its "normal" view carries v1.0's list fields.
    _check(call(sandbox, "GET", "/rest/v1.1/projects", token=world["token"], params=params),
           schema("RestV10ProjectsGet"))
    shown = call(sandbox, "GET", f"/rest/v1.0/projects/{world['project']}", token=world["token"], params=params)
    _check(shown, schema("RestV10ProjectsIdGet"))
    patched = call(sandbox, "PATCH", f"/rest/v1.0/projects/{world['project']}", token=world["token"],
                   json_body={"company_id": sandbox.company_id, "project": {"origin_id": "JOB-1", "origin_code": "1"}})
    _check(patched, schema("RestV10ProjectsIdPatch"))
    assert (patched.body["origin_id"], patched.body["origin_code"]) == ("JOB-1", "1")


def test_permissions(sandbox, world):
    for params in ({"company_id": sandbox.company_id}, {"project_id": world["project"]}):
        answer = call(sandbox, "GET", "/rest/v1.0/settings/permissions", token=world["token"], params=params)
        _check(answer, schema("RestV10SettingsPermissionsGet"))
        assert {tool["user_access_level"]["name"] for tool in answer.body["tools"]} == {"Admin"}


def test_prime_contract_create_show_list_patch(sandbox, world):
    _check(world["created"], schema("RestV10PrimeContractPost", "201"))
    shown = call(sandbox, "GET", f"/rest/v1.0/prime_contract/{world['contract']}", token=world["token"],
                 params={"project_id": world["project"]})
    _check(shown, schema("RestV10PrimeContractIdGet"))
    assert shown.body["grand_total"] == "2806.0" and len(shown.body["line_items"]) == 2
    listed = call(sandbox, "GET", "/rest/v1.0/prime_contracts", token=world["token"],
                  params={"project_id": world["project"]})
    _check(listed, schema("RestV10PrimeContractsGet"))
    first = call(sandbox, "GET", "/rest/v1.0/prime_contract", token=world["token"],
                 params={"project_id": world["project"]})
    _check(first, schema("RestV10PrimeContractGet"))
    patched = call(sandbox, "PATCH", f"/rest/v1.0/prime_contract/{world['contract']}", token=world["token"],
                   json_body={"project_id": world["project"], "prime_contract": {"status": "Approved"}})
    _check(patched, schema("RestV10PrimeContractIdPatch"))
    assert patched.body["status"] == "Approved"


def test_line_items_list_show_and_sync(sandbox, world):
    _check(world["synced"], schema("RestV10PrimeContractsPrimeContractIdLineItemsSyncPatch"))
    synced = world["synced"].body
    assert len(synced["entities"]) == 2 and synced["errors"][0]["errors"] == {"id": ["Line item not found"]}
    base = f"/rest/v1.0/prime_contracts/{world['contract']}/line_items"
    listed = call(sandbox, "GET", base, token=world["token"], params={"project_id": world["project"]})
    _check(listed, schema("RestV10PrimeContractsPrimeContractIdLineItemsGet"))
    assert [line["amount"] for line in listed.body] == ["1000.0", "1806.0"]
    line_id = listed.body[0]["id"]
    shown = call(sandbox, "GET", f"{base}/{line_id}", token=world["token"], params={"project_id": world["project"]})
    _check(shown, schema("RestV10PrimeContractsPrimeContractIdLineItemsIdGet"))
    assert shown.body["cost_code"]["full_code"] and shown.body["line_item_type"]["code"]


def test_lookups(sandbox, world):
    line_schema = schema("RestV10PrimeContractsPrimeContractIdLineItemsGet")["items"]["properties"]
    # The cost-code list's item schema is left open in the OAS; a line item's cost_code is the same object.
    codes = call(sandbox, "GET", "/rest/v1.0/cost_codes", token=world["token"], params={"project_id": world["project"]})
    _check(codes, {"type": "array", "items": line_schema["cost_code"]})
    assert len(codes.body) == 8
    _check(call(sandbox, "GET", "/rest/v1.0/line_item_types", token=world["token"],
                params={"company_id": sandbox.company_id, "project_id": world["project"]}),
           schema("RestV10LineItemTypesGet"))
    _check(call(sandbox, "GET", f"/rest/v1.0/companies/{sandbox.company_id}/uoms", token=world["token"]),
           schema("RestV10CompaniesCompanyIdUomsGet"))


def test_the_checker_itself_catches_invented_missing_and_mistyped_fields():
    spec = {"type": "object", "properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date"}}}
    assert problems({"id": 1, "at": "2026-01-01"}, spec) == []
    assert problems({"id": "1", "at": "2026-01-01"}, spec) == ["$.id: expected integer, got '1'"]
    assert problems({"id": 1}, spec) == ["$: missing at"]
    assert problems({"id": 1, "at": "Jan 1", "extra": 2}, spec) == ["$: invented field extra",
                                                                    "$.at: 'Jan 1' is not a date"]


def test_the_vendored_extracts_cover_every_schema_this_module_reads():
    read = set(re.findall(r'schema\("(\w+)"', Path(__file__).read_text(encoding="utf-8")))
    assert read, "no schema() call found"
    assert sorted(name for name in read if not (OAS_DIR / f"{name}.json").is_file()) == []


def test_the_vendored_extracts_equal_the_shared_reference():
    # Beside ../shared the extracts are compared with it; in a plain clone with the checksums
    # recorded when they were vendored from it (tests/sandbox/procore_oas/SHA256SUMS).
    vendored = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in OAS_DIR.glob("*.json")}
    if SHARED_OAS_DIR.is_dir():
        reference = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED_OAS_DIR.glob("*.json")}
    else:
        lines = (OAS_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
        reference = {name: digest for digest, name in (line.split() for line in lines if line.strip())}
    assert sorted(name for name in vendored if reference.get(name) != vendored[name]) == []
    assert len(vendored) == len(reference) > 0
