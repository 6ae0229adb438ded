"""JSON shapes exactly as Procore's OAS response schemas list them (shared/reference/procore-oas)."""

from __future__ import annotations

from decimal import Decimal

from sage_sync_desktop.sandbox.contract_store import decimal_text
from sage_sync_desktop.sandbox.state_store import COMPANY_TOOLS, LEVELS, PROJECT_TOOLS, SandboxState

_ZERO = "0.0"


class Shapes:
    """Serialises rows; caches the small lookups (names, cost codes) for one request."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._companies: dict[int, dict] = {}
        self._projects: dict[int, dict] = {}
        self._cost_codes: dict[int, dict | None] = {}
        self._types: dict[int, dict | None] = {}
        self._users: dict[int, dict | None] = {}

    # ------------------------------------------------------------------ people and companies

    def me(self, user: dict) -> dict:
        return {"id": user["id"], "login": user["login"], "name": user["name"]}

    def company(self, company: dict, *, mine: bool = False) -> dict:
        return {"id": company["id"], "name": company["name"], "is_active": bool(company["is_active"]),
                "logo_url": None, "pcn_business_experience": False, "my_company": mine}

    def _company_ref(self, company_id: int) -> dict:
        if company_id not in self._companies:
            company = self.state.company(company_id) or {"id": company_id, "name": ""}
            self._companies[company_id] = {"id": company_id, "name": company["name"]}
        return self._companies[company_id]

    def _project_ref(self, project_id: int) -> dict:
        if project_id not in self._projects:
            project = self.state.project(project_id) or {"id": project_id, "name": ""}
            self._projects[project_id] = {"id": project_id, "name": project["name"]}
        return self._projects[project_id]

    def _user_ref(self, user_id: int | None) -> dict | None:
        if not user_id:
            return None
        if user_id not in self._users:
            user = self.state.user(user_id)
            self._users[user_id] = {"id": user["id"], "login": user["login"], "name": user["name"]} if user else None
        return self._users[user_id]

    # ------------------------------------------------------------------ projects

    def project_list_item(self, project: dict) -> dict:
        """RestV10ProjectsGet item (also the v1.1 "normal" view)."""
        return {
            "id": project["id"], "name": project["name"], "is_demo": False, "parent_job_id": None,
            "parent_job": None, "display_name": _display_name(project), "project_number": project["project_number"],
            "address": None, "city": None, "state_code": None, "country_code": "US", "zip": None, "county": None,
            "time_zone": "US/Pacific", "latitude": None, "longitude": None, "stage": "Course of Construction",
            "project_stage": None, "project_template": None, "phone": None,
            "created_at": project["created_at"], "updated_at": project["updated_at"], "active": bool(project["active"]),
            "origin_id": project["origin_id"], "origin_data": project["origin_data"],
            "origin_code": project["origin_code"], "owners_project_id": None, "total_value": None,
            "store_number": None, "accounting_project_number": None, "designated_market_area": None,
            "project_region_id": None, "project_bid_type_id": None, "project_owner_type_id": None, "photo_id": None,
            "start_date": None, "completion_date": None, "projected_finish_date": None, "estimated_value": None,
            "fax": None, "sector": None, "work_scope": None, "delivery_method": None, "estimated_budget": None,
            "priority": None, "company": self._company_ref(project["company_id"]), "created_by": None,
            "custom_fields": {}, "project_sector_id": None,
        }

    def project_detail(self, project: dict) -> dict:
        """RestV10ProjectsIdGet."""
        return {
            "id": project["id"], "logo_id": None, "logo_url": None, "name": project["name"], "is_demo": False,
            "template": False, "display_name": _display_name(project), "project_number": project["project_number"],
            "address": None, "city": None, "state_code": None, "country_code": "US", "zip": None,
            "time_zone": "US/Pacific", "tz_name": "America/Los_Angeles", "latitude": None, "longitude": None,
            "county": None, "parent_job_id": None, "parent_job": None, "from_project_template_id": None,
            "description": None, "square_feet": None, "start_date": None, "completion_date": None,
            "total_value": None, "store_number": None, "accounting_project_number": None,
            "designated_market_area": None, "warranty_start_date": None, "warranty_end_date": None,
            "active": bool(project["active"]), "flag": None, "locale": None, "phone": None, "public_notes": None,
            "actual_start_date": None, "projected_finish_date": None, "created_at": project["created_at"],
            "updated_at": project["updated_at"], "origin_id": project["origin_id"],
            "origin_data": project["origin_data"], "origin_code": project["origin_code"],
            "standard_cost_code_list_id": None, "is_erp_integrated": False, "owners_project_id": None,
            "photo_id": None, "photo_url": None, "inbound_email": None, "inbound_email_address": None,
            "estimated_start_date": None, "estimated_completion_date": None, "estimated_value": None,
            "code": None, "sector": None, "work_scope": None, "delivery_method": None, "created_by": None,
            "persistent_message": None, "office": None, "project_bid_type_id": None, "project_bid_type": None,
            "project_owner_type_id": None, "project_owner_type": None, "project_region_id": None,
            "project_region": None, "project_stage_id": None, "project_stage": None, "project_type": None,
            "program": None, "departments": [], "company": self._company_ref(project["company_id"]),
            "dictionary_type": "default", "custom_fields": {}, "project_sector_id": None,
        }

    # ------------------------------------------------------------------ prime contracts

    def prime_contract_list_item(self, contract: dict) -> dict:
        """RestV10PrimeContractsGet item."""
        data = contract["data"]
        total = Decimal(contract["sov_total"])
        return {
            "id": contract["id"], "accounting_method": data.get("accounting_method", "amount"),
            **{key: data.get(key) for key in _LIST_DATES},
            "approved_change_orders": _ZERO, "created_at": contract["created_at"], "deleted_at": None,
            "description": data.get("description"), "executed": bool(data.get("executed", False)),
            "exclusions": data.get("exclusions"), "grand_total": decimal_text(total),
            "inclusions": data.get("inclusions"), "number": data.get("number"),
            "origin_code": data.get("origin_code"), "origin_data": data.get("origin_data"),
            "origin_id": contract["origin_id"], "private": False,
            "retainage_percent": data.get("retainage_percent"), "show_line_items_to_non_admins": False,
            "status": contract["status"], "title": data.get("title"), "updated_at": contract["updated_at"],
            "architect": _party(data.get("architect_id")), "attachments": [],
            "contractor": _party(data.get("contractor_id")), "created_by": self._user_ref(contract["created_by"]),
            "vendor": _party(data.get("vendor_id")),
            "currency_configuration": {"currency_iso_code": data.get("currency_iso_code") or "USD"},
        }

    def prime_contract_detail(self, contract: dict, lines: list[dict]) -> dict:
        """RestV10PrimeContractIdGet (also the POST/PATCH answers): the list fields plus totals and lines."""
        shown = self.prime_contract_list_item(contract)
        shown.pop("origin_code")
        total = decimal_text(Decimal(contract["sov_total"]))
        shown.update({
            "allow_comments": False, "allow_markups": False, "allow_payment_applications": True,
            "allow_payments": True, "allow_redistributions": False, "bill_to": None, "budget_line_item_id": None,
            "delivery_date": None, "display_materials_retainage": True, "display_stored_materials": True,
            "display_work_retainage": True, "draft_change_orders_amount": _ZERO,
            "line_items_extended_total": total, "line_items_total": total, "outstanding_balance": total,
            "owner_invoices_amount": _ZERO, "payment_terms": None, "pending_change_orders_amount": _ZERO,
            "pending_revised_contract_amount": total, "percentage_paid": _ZERO, "position": contract["position"],
            "requisition_number": None, "revised_contract_amount": total, "ship_to": None, "ship_via": None,
            "total_payments": _ZERO, "type": "PrimeContract", "original_substantial_completion_date": None,
            "substantial_completion_date": None, "assigned_to": None, "change_order_packages": [],
            "change_order_requests": [], "cost_code": None, "potential_change_orders": [],
            "payments_received": [], "received_from": None,
            "line_items": [self.line_item(line) for line in lines],
        })
        return shown

    # ------------------------------------------------------------------ line items and lookups

    def line_item(self, line: dict) -> dict:
        """RestV10PrimeContractsPrimeContractIdLineItemsGet item."""
        amount = decimal_text(Decimal(line["amount"]))
        return {
            "id": line["id"], "amount": amount, "company": self._company_ref(line["company_id"]),
            "cost_code": self._cost_code(line["cost_code_id"]), "created_at": line["created_at"],
            "description": line["description"], "extended_type": line["extended_type"],
            "holder": {"id": line["prime_contract_id"], "holder_type": "PrimeContract"},
            "line_item_type": self._line_item_type(line["line_item_type_id"]),
            "origin_data": line["origin_data"], "origin_id": line["origin_id"], "position": line["position"],
            "project": self._project_ref(line["project_id"]),
            "quantity": _opt_decimal(line["quantity"]), "tax_code_id": line["tax_code_id"],
            "total_amount": amount, "extended_amount": amount, "unit_cost": _opt_decimal(line["unit_cost"]),
            "uom": line["uom"],
            "wbs_code": {"id": line["wbs_code_id"], "flat_code": None, "description": None}
            if line["wbs_code_id"] else None,
            "updated_at": line["updated_at"], "change_event_line_item": None,
            "currency_configuration": {"currency_iso_code": "USD"},
        }

    def cost_code(self, row: dict) -> dict:
        return {
            "id": row["id"], "biller": self._project_ref(row["project_id"])["name"], "biller_id": row["project_id"],
            "biller_type": "Project", "budgeted": False, "code": row["code"], "created_at": row["created_at"],
            "deleted_at": None, "full_code": row["full_code"], "name": row["name"], "origin_data": None,
            "origin_id": row["origin_id"], "parent": None, "position": row["position"],
            "sortable_code": row["full_code"], "standard_cost_code_id": None, "standard_cost_code_list_id": None,
            "updated_at": row["updated_at"], "line_item_types": [],
        }

    def line_item_type_shape(self, row: dict) -> dict:
        return {"id": row["id"], "name": row["name"], "code": row["code"], "base_type": row["base_type"],
                "origin_data": None, "origin_id": row["origin_id"]}

    def uom(self, row: dict) -> dict:
        return {"id": row["id"], "is_standard": True, "name": row["name"], "description": row["description"],
                "uom_category": {"id": sum(map(ord, row["category"])), "name": row["category"]}}

    def _cost_code(self, cost_code_id: int | None) -> dict | None:
        if not cost_code_id:
            return None
        if cost_code_id not in self._cost_codes:
            row = self.state.one("SELECT * FROM cost_codes WHERE id = ?", (cost_code_id,))
            self._cost_codes[cost_code_id] = self.cost_code(row) if row else None
        return self._cost_codes[cost_code_id]

    def _line_item_type(self, type_id: int | None) -> dict | None:
        if not type_id:
            return None
        if type_id not in self._types:
            row = self.state.one("SELECT * FROM line_item_types WHERE id = ?", (type_id,))
            self._types[type_id] = self.line_item_type_shape(row) if row else None
        return self._types[type_id]

    # ------------------------------------------------------------------ permissions

    def permission_tools(self, user_id: int, *, company_id: int, project_id: int | None) -> dict:
        """RestV10SettingsPermissionsGet: the user's level on each company or project tool."""
        catalogue = PROJECT_TOOLS if project_id else COMPANY_TOOLS
        tools = []
        for index, (name, friendly) in enumerate(catalogue, start=1):
            if not self.state.tool_enabled(friendly, company_id=company_id, project_id=project_id):
                continue  # a disabled or absent tool is not listed at all
            level = self.state.access_level(user_id, friendly, company_id=company_id, project_id=project_id)
            scope = f"projects/{project_id}" if project_id else f"companies/{company_id}"
            tools.append({
                "id": index, "name": name, "friendly_name": friendly, "domain_id": 10 + index,
                "tab_group": "financials" if name in ("prime_contracts", "budget", "commitments",
                                                      "erp_integrations") else "core",
                "available_for_user": level != "None", "url": f"/{scope}/tools/{name}",
                "user_access_level": {"id": LEVELS.index(level) + 1, "name": level},
                "permitted_actions": [], "create_url": None, "can_create": level in ("Standard", "Admin"),
                "trial": False,
            })
        return {"tools": tools}


_LIST_DATES = ("actual_completion_date", "approval_letter_date", "contract_date",
               "contract_estimated_completion_date", "contract_start_date", "contract_termination_date",
               "execution_date", "issued_on_date", "letter_of_intent_date", "returned_date",
               "signed_contract_received_date")


def _display_name(project: dict) -> str:
    number = project["project_number"]
    return f"{number} - {project['name']}" if number else project["name"]


def _party(party_id: int | None) -> dict | None:
    return {"id": party_id, "login": None, "name": None} if party_id else None


def _opt_decimal(value: str | None) -> str | None:
    return None if value in (None, "") else decimal_text(Decimal(value))
