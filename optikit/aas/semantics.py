"""Which Asset Administration Shell elements optikit understands, by semanticId.

Submodels and properties are recognised by their semanticId, never by idShort (an
idShort is a local label; the semanticId says what the value means).  IRDIs (ECLASS,
IEC CDD) are compared without their version suffix, URLs without case and trailing
slash.  Technical data and maintenance have no one standard property for "idle power"
or "remaining useful life", so optikit defines its own IDs for them (listed in
docs/plant-data.md); a plant maps its own with ``--map SEMANTIC_ID=FIELD`` or a plugin
with the ``aas_fields`` hook.
"""

from __future__ import annotations

import re

OPTIKIT = "https://optikit.dev/aas/"

NAMEPLATE = "nameplate"
TECHNICAL = "technical data"
MAINTENANCE = "maintenance"

SUBMODELS: dict[str, str] = {
    "https://admin-shell.io/zvei/nameplate/1/0/nameplate": NAMEPLATE,
    "https://admin-shell.io/zvei/nameplate/2/0/nameplate": NAMEPLATE,
    "https://admin-shell.io/idta/nameplate/3/0/nameplate": NAMEPLATE,
    "https://admin-shell.io/zvei/technicaldata/submodel/1/1": TECHNICAL,
    "https://admin-shell.io/zvei/technicaldata/submodel/1/2": TECHNICAL,
    OPTIKIT + "submodel/maintenance/1/0": MAINTENANCE,
}

#: semanticId -> machine field (dotted for nested fields).
PROPERTIES: dict[str, str] = {
    # Digital Nameplate (IDTA 02006), ECLASS IRDIs
    "0173-1#02-aao677": "manufacturer",  # ManufacturerName
    "0173-1#02-aaw338": "product",  # ManufacturerProductDesignation
    "0173-1#02-aao057": "product_type",  # ManufacturerProductType
    "0173-1#02-aam556": "serial_number",  # SerialNumber
    "0173-1#02-aap906": "year_of_construction",  # YearOfConstruction
    # Technical data (optikit's IDs)
    OPTIKIT + "idle-power": "idle_power",
    OPTIKIT + "startup-energy": "startup_energy",
    OPTIKIT + "rated-power": "rated_power",
    OPTIKIT + "capacity": "capacity",
    # Maintenance and condition (optikit's IDs)
    OPTIKIT + "remaining-useful-life": "rul",
    OPTIKIT + "rul-safety": "rul_safety",
    OPTIKIT + "downtime-cost": "downtime_cost",
    OPTIKIT + "repair-time": "failure.repair_time",
    OPTIKIT + "repair-cost": "failure.repair_cost",
    OPTIKIT + "maintenance-interval": "maintenance_interval",
    OPTIKIT + "condition": "condition",
}

_IRDI_VERSION = re.compile(r"#\d{3}$")


def normalise(semantic_id: str) -> str:
    """The comparable form: IRDI without '#002', URL lower-case without trailing '/'."""
    text = semantic_id.strip()
    if re.match(r"^\d{4}-\d#\d{2}-", text):
        return _IRDI_VERSION.sub("", text).lower()
    return text.rstrip("/").lower()
