"""A small plant as Asset Administration Shells, built with the basyx SDK at test time.

Two machines: press-1 with a Digital Nameplate, Technical Data and a maintenance
submodel; weld-1 with a nameplate and a vendor submodel optikit does not know.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NAMEPLATE = "https://admin-shell.io/zvei/nameplate/2/0/Nameplate"
TECHNICAL = "https://admin-shell.io/ZVEI/TechnicalData/Submodel/1/2"
MAINTENANCE = "https://optikit.dev/aas/submodel/maintenance/1/0"
OPTIKIT = "https://optikit.dev/aas/"


def _ref(model: Any, value: str) -> Any:
    return model.ExternalReference((model.Key(model.KeyTypes.GLOBAL_REFERENCE, value),))


def _prop(model: Any, id_short: str, semantic_id: str | None, value_type: Any,
          value: Any) -> Any:
    return model.Property(id_short, value_type, value,
                          semantic_id=_ref(model, semantic_id) if semantic_id else None)


def _nameplate(model: Any, sm_id: str, maker: str, product: str, serial: str) -> Any:
    return model.Submodel(
        sm_id, id_short="Nameplate", semantic_id=_ref(model, NAMEPLATE),
        submodel_element=[
            _prop(model, "ManufacturerName", "0173-1#02-AAO677#002", str, maker),
            model.MultiLanguageProperty(
                "ManufacturerProductDesignation",
                model.MultiLanguageTextType({"en": product, "de": product + " (de)"}),
                semantic_id=_ref(model, "0173-1#02-AAW338#001"),
            ),
            _prop(model, "SerialNumber", "0173-1#02-AAM556#002", str, serial),
            _prop(model, "YearOfConstruction", "0173-1#02-AAP906#001", str, "2019"),
            model.SubmodelElementCollection("AddressInformation", [
                _prop(model, "Street", "0173-1#02-AAO128#002", str, "Hauptstr. 1")]),
        ],
    )


def build_store() -> Any:
    from basyx.aas import model

    plate1 = _nameplate(model, "urn:x:sm:press-1:plate", "ACME Presses", "Servo press 400 t",
                        "P-0042")
    tech1 = model.Submodel(
        "urn:x:sm:press-1:tech", id_short="TechnicalData", semantic_id=_ref(model, TECHNICAL),
        submodel_element=[
            _prop(model, "IdlePower", OPTIKIT + "idle-power", float, 12.5),
            _prop(model, "StartupEnergy", OPTIKIT + "startup-energy", float, 30.0),
            _prop(model, "MaxPressForce", "0173-1#02-BAF999#001", float, 4000.0),
        ],
    )
    maint1 = model.Submodel(
        "urn:x:sm:press-1:maint", id_short="Condition", semantic_id=_ref(model, MAINTENANCE),
        submodel_element=[
            _prop(model, "RUL", OPTIKIT + "remaining-useful-life", int, 40),
            _prop(model, "DowntimeCost", OPTIKIT + "downtime-cost", float, 120.0),
            _prop(model, "RepairTime", OPTIKIT + "repair-time", int, 10),
            _prop(model, "Interval", OPTIKIT + "maintenance-interval", int, 500),
        ],
    )
    plate2 = _nameplate(model, "urn:x:sm:weld-1:plate", "Weld&Co", "Spot welder W2", "W-7")
    vendor = model.Submodel(
        "urn:x:sm:weld-1:vendor", id_short="VendorStuff",
        semantic_id=_ref(model, "https://vendor.example/aas/stuff"),
        submodel_element=[_prop(model, "Colour", None, str, "orange")],
    )
    shells = []
    for name, submodels in (("press-1", [plate1, tech1, maint1]), ("weld-1", [plate2, vendor])):
        shells.append(model.AssetAdministrationShell(
            model.AssetInformation(global_asset_id=f"urn:x:asset:{name}"),
            f"urn:x:aas:{name}", id_short=name,
            submodel={model.ModelReference.from_referable(sm) for sm in submodels},
        ))
    return model.DictIdentifiableStore([*shells, plate1, tech1, maint1, plate2, vendor])


def write_plant(folder: Path) -> tuple[Path, Path]:
    """The plant as ``plant.aasx`` and ``plant.json``."""
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter import json as aas_json

    store = build_store()
    json_path = folder / "plant.json"
    aas_json.write_aas_json_file(str(json_path), store)
    aasx_path = folder / "plant.aasx"
    with aasx.AASXWriter(str(aasx_path)) as writer:
        writer.write_aas(["urn:x:aas:press-1", "urn:x:aas:weld-1"], store,
                         aasx.DictSupplementaryFileContainer())
    return aasx_path, json_path
