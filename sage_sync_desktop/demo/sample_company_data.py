"""The fixed realistic small company the sample generator writes by default.

A general contractor with a dozen jobs and twenty owner (prime) contracts. Some rows play a
role the demo and the tests rely on; `sample_company.SampleCompanyInfo` names them.
All text is representable in cp1252, Sage's code page.
"""

from __future__ import annotations

# (customer id, name, city, state)
CUSTOMERS = (
    ("  1001", "Riverside Health Partners", "Riverside", "CA"),
    ("  1002", "Lakeview Unified School District", "Lakeview", "OR"),
    ("  1003", "Harbor Point Development LLC", "Long Beach", "CA"),
    ("SOCGEN", "Société Générale Développement", "Montréal", "QC"),
    ("MULLER", "Müller Bau GmbH", "Portland", "OR"),
    ("  1006", "Cedar Hills Residential Trust", "Beaverton", "OR"),
    ("  1007", "Metro Transit Authority", "Sacramento", "CA"),
    ("  1008", "City of Northgate", "Northgate", "WA"),
    ("PENA", "Peña & Hijos Properties", "San José", "CA"),
    ("  1010", "County of Marin – Facilities", "San Rafael", "CA"),
    ("WESTDC", "Westfield Data Holdings", "Reno", "NV"),
)

# (job number, description, status, customer id). Numeric-looking numbers are right-justified
# and space-padded to the field width by the generator, as Timberline stores them.
JOBS = (
    ("2401", "Riverside Medical Office Building", "In progress", "  1001"),
    ("2402", "Lakeview Elementary School Addition", "In progress", "  1002"),
    ("2403", "Harbor Point Parking Structure", "In progress", "  1003"),
    ("2404", "Tour Société Générale – Fit-Out", "In progress", "SOCGEN"),
    ("2405", "Müller Bau Distribution Warehouse", "In progress", "MULLER"),
    ("2406", "Cedar Hills Apartments", "In progress", "  1006"),
    ("2407", "Downtown Transit Center Renovation", "In progress", "  1007"),
    ("2408", "Northgate Fire Station No. 7", "Unstarted", "  1008"),
    ("2409", "Peña Plaza Mixed-Use", "In progress", "PENA"),
    ("2410", "Marin Courthouse HVAC Upgrade", "In progress", "  1010"),
    ("SVC-01", "Service & Small Works 2024", "In progress", "  1001"),
    # No Procore project is ever linked to this job (the "job not synced" rule).
    ("2412", "Westfield Data Center Shell", "In progress", "WESTDC"),
)
UNLINKED_JOB = "2412"

# (contract number, job number, description, header status, approval) where approval is
# "approved", "unapproved_null" (no approval date) or "unapproved_1900" (1900-01-01 = no date).
# The header status is the contract's lifecycle (Sage's CN contract status: Open, Closed, Paid
# in Full), not its approval: approval lives on each item (Proposed, then Approved with an
# Approval_Date), so the items of an unapproved contract are all Proposed.
CONTRACTS = (
    ("240101", "2401", "Riverside MOB – Base Building", "Open", "approved"),
    ("240102", "2401", "Riverside MOB – Tenant Improvements", "Open", "approved"),
    ("240201", "2402", "Lakeview Elementary – Classroom Wing", "Open", "approved"),
    ("240301", "2403", "Harbor Point Garage – Structure", "Open", "approved"),
    ("240302", "2403", "Harbor Point Garage – Façade & Signage", "Open", "approved"),
    ("240401", "2404", "Aménagement des bureaux – Étages 12 à 15", "Open", "approved"),
    ("240501", "2405", "Müller Warehouse – Shell & Slab", "Open", "approved"),
    ("240502", "2405", "Müller Warehouse – Racking & Dock Equipment", "Open", "approved"),
    ("240601", "2406", "Cedar Hills Apartments – Phase 1", "Open", "approved"),
    # Unapproved: no approval date yet.
    ("240602", "2406", "Cedar Hills Apartments – Phase 2", "Open", "unapproved_null"),
    ("240701", "2407", "Transit Center – Concourse Renovation", "Open", "approved"),
    ("240702", "2407", "Transit Center – Platform Canopies", "Open", "approved"),
    ("240801", "2408", "Fire Station No. 7 – New Building", "Open", "approved"),
    ("240901", "2409", "Peña Plaza – Retail Podium", "Open", "approved"),
    ("240902", "2409", "Peña Plaza – Residential Tower", "Open", "approved"),
    ("241001", "2410", "Courthouse HVAC – Chiller Plant", "Open", "approved"),
    # Unapproved: Timberline's empty date 1900-01-01 counts as no date.
    ("241002", "2410", "Courthouse HVAC – Controls Upgrade", "Open", "unapproved_1900"),
    ("SVC-2024", "SVC-01", "Service Agreement 2024", "Open", "approved"),
    ("SVC-2024B", "SVC-01", "Service Agreement 2024 – Emergency Repairs", "Open", "approved"),
    # On the job no Procore project is linked to.
    ("241201", "2412", "Westfield Data Center – Shell & Core", "Open", "approved"),
)

# Contract whose last AWAITING_ITEM_COUNT items are still Proposed in Sage (no approval date):
# shown as awaiting approval, never sent; its approved items are importable.
AWAITING_ITEMS_CONTRACT = "240902"
AWAITING_ITEM_COUNT = 2
# Contract whose last items name another job than the header's (job is chosen per item in Sage):
# blocked as several_jobs, since a Procore prime contract belongs to one project.
SEVERAL_JOBS_CONTRACT = "240702"
SEVERAL_JOBS_OTHER_JOB = "2408"
SEVERAL_JOBS_ITEM_COUNT = 2

# Contract whose schedule of values carries the credit (negative) and zero items.
CREDIT_AND_ZERO_CONTRACT = "240101"
CREDIT_ITEM = ("Owner Allowance Credit – Landscaping by Owner", "-25000.00")
ZERO_ITEM = ("Alternate No. 2 – Green Roof (not accepted)", "0.00")
# Contract whose Contract_Date is 1900-01-01 (no date).
NO_CONTRACT_DATE = "SVC-2024B"
# Contract with no retainage recorded (NULL).
NO_RETAINAGE = "SVC-2024"

# (description, cost code, category, unit of measure or "" for lump sum, unit price range)
SOV_LINES = (
    ("General Conditions", "01-000", "O", "", None),
    ("Insurance & Bonds", "01-500", "O", "", None),
    ("Sitework & Excavation", "02-200", "S", "CY", (18, 45)),
    ("Concrete Foundations", "03-300", "S", "CY", (165, 240)),
    ("Cast-in-Place Concrete", "03-310", "S", "CY", (185, 260)),
    ("Masonry", "04-200", "S", "SF", (22, 38)),
    ("Structural Steel", "05-100", "S", "TN", (3800, 5200)),
    ("Rough Carpentry", "06-100", "S", "", None),
    ("Waterproofing", "07-100", "S", "SF", (6, 14)),
    ("Roofing", "07-500", "S", "SQ", (650, 980)),
    ("Doors, Frames & Hardware", "08-100", "M", "EA", (1400, 2600)),
    ("Curtain Wall & Glazing", "08-400", "S", "SF", (85, 140)),
    ("Drywall & Framing", "09-200", "S", "SF", (9, 16)),
    ("Flooring", "09-600", "S", "SY", (45, 90)),
    ("Painting & Finishes", "09-900", "S", "", None),
    ("Specialties", "10-000", "M", "", None),
    ("Elevators", "14-200", "S", "EA", (145000, 210000)),
    ("Fire Protection", "21-000", "S", "", None),
    ("Plumbing", "22-000", "S", "", None),
    ("HVAC", "23-000", "S", "", None),
    ("Electrical", "26-000", "S", "", None),
    ("Communications & Low Voltage", "27-000", "S", "", None),
    ("Landscaping", "32-900", "S", "", None),
    ("Overhead & Fee", "01-900", "O", "", None),
)
