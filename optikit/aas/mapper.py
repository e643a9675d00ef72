"""AAS object store -> machine records, with a warning for everything left behind."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from optikit.aas.semantics import NAMEPLATE, PROPERTIES, SUBMODELS, normalise
from optikit.types import InvalidProblem, UsageError

IDENTITY = ("manufacturer", "product", "product_type", "serial_number", "year_of_construction")
MAX_WARNINGS_LISTED = 8


@dataclass
class AasMachines:
    """Machines read from an AAS file, and what could not be used."""

    machines: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def _sdk() -> Any:
    try:
        from basyx.aas import model
    except ImportError:
        raise UsageError(
            "reading Asset Administration Shells needs basyx-python-sdk: "
            "pip install 'optikit[aas]'"
        ) from None
    return model


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The SDK logs every oddity; the importer reports in its own words."""
    logger = logging.getLogger("basyx")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_store(path: Path) -> Any:
    """The AAS objects of an ``.aasx`` package or a JSON file."""
    _sdk()
    from basyx.aas import model
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter import json as aas_json

    from optikit.problem_io import ProblemFileError, read_text
    from optikit.sheets.xlsx import check_zip

    try:
        with _quiet():
            if path.suffix.lower() == ".aasx":
                check_zip(path, "an .aasx package")
                store: Any = model.DictIdentifiableStore()
                files = aasx.DictSupplementaryFileContainer()
                with aasx.AASXReader(str(path)) as reader:
                    reader.read_into(store, files)
                return store
            text = read_text(path, str(path))
            return aas_json.read_aas_json_file(io.StringIO(text), failsafe=False)
    except (InvalidProblem, ProblemFileError, UsageError):
        raise
    except Exception as exc:  # the SDK raises many kinds on malformed input
        raise InvalidProblem("", f"not a readable AAS file ({type(exc).__name__}: "
                                 f"{' '.join(str(exc).split())[:300]})") from None


def _semantic_id(element: Any) -> str:
    ref = getattr(element, "semantic_id", None)
    keys = getattr(ref, "key", None) or ()
    return str(keys[0].value) if keys else ""


def _value(element: Any, model: Any) -> Any:
    if isinstance(element, model.MultiLanguageProperty):
        texts = dict(element.value or {})
        return texts.get("en") or next(iter(texts.values()), None)
    value = element.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _leaves(elements: Any, model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(idShort path, element) for every element, collections flattened."""
    for element in elements or ():
        name = f"{prefix}{element.id_short or '?'}"
        if isinstance(element, model.SubmodelElementCollection | model.SubmodelElementList):
            yield from _leaves(element.value, model, name + "/")
        else:
            yield name, element


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def import_machines(
    path: Path,
    *,
    extra_map: Mapping[str, str] | None = None,
    ask_plugins: Callable[[str, str, Any], tuple[str, Any] | None] | None = None,
) -> AasMachines:
    """One machine per shell: its idShort as id, the mapped properties as fields."""
    model = _sdk()
    store = read_store(path)
    mapping = {**PROPERTIES, **{normalise(k): v for k, v in (extra_map or {}).items()}}
    shells = [obj for obj in store if isinstance(obj, model.AssetAdministrationShell)]
    if not shells:
        raise InvalidProblem("", "no Asset Administration Shell in the file")
    out = AasMachines([])
    used: set[str] = set()
    seen_ids: set[str] = set()
    for shell in shells:
        machine_id = str(shell.id_short or shell.id)
        if machine_id in seen_ids:
            out.warnings.append(f"{machine_id}: a second shell with this idShort ({shell.id}) "
                                "was renamed")
            machine_id = f"{machine_id}-{len(seen_ids) + 1}"
        seen_ids.add(machine_id)
        machine: dict[str, Any] = {"id": machine_id}
        for ref in sorted(shell.submodel, key=lambda r: str(r)):
            try:
                submodel = ref.resolve(store)
            except (KeyError, ValueError, TypeError):
                out.warnings.append(f"{machine_id}: a submodel the shell refers to is not in "
                                    "the file")
                continue
            used.add(submodel.id)
            kind = SUBMODELS.get(normalise(_semantic_id(submodel)))
            label = kind or f"submodel {submodel.id_short or submodel.id}"
            missed: list[str] = []
            for name, element in _leaves(submodel.submodel_element, model):
                sid = _semantic_id(element)
                target = mapping.get(normalise(sid)) if sid else None
                is_value = isinstance(element, model.Property | model.MultiLanguageProperty)
                value = _value(element, model) if is_value else None
                if target is None and is_value and ask_plugins is not None:
                    answer = ask_plugins(sid, str(element.id_short), value)
                    if answer is not None:
                        target, value = answer
                if target is None or not is_value:
                    missed.append(name)
                elif value is not None and value != "":
                    _set(machine, target, value)
            if missed and kind != NAMEPLATE:  # a nameplate's address is not a machine's
                shown = ", ".join(missed[:MAX_WARNINGS_LISTED])
                more = f" and {len(missed) - MAX_WARNINGS_LISTED} more" if len(
                    missed) > MAX_WARNINGS_LISTED else ""
                out.warnings.append(f"{machine_id}: {label}: not mapped: {shown}{more}")
            elif missed:
                out.warnings.append(f"{machine_id}: {label}: {len(missed)} element(s) not "
                                    "mapped (address, markings, ...)")
        out.machines.append(machine)
    for obj in store:
        if isinstance(obj, model.Submodel) and obj.id not in used:
            out.warnings.append(f"submodel {obj.id_short or obj.id}: belongs to no shell")
    return out


def fit_to(machines: AasMachines, item_schema: Mapping[str, Any], type_name: str) -> None:
    """Keep the fields a type's machine records accept; name, description from the plate."""
    import jsonschema

    from optikit.sheets.schema_nav import SchemaNav

    nav = SchemaNav(item_schema)
    allowed = {key for key, _ in nav.properties(item_schema)}
    for machine in machines.machines:
        identity = {k: machine.pop(k) for k in IDENTITY if k in machine}
        if "name" in allowed and "product" in identity:
            machine.setdefault("name", str(identity["product"]))
        if "description" in allowed and identity:
            made = " ".join(str(identity[k]) for k in ("manufacturer", "product_type")
                            if k in identity)
            parts = [made] if made else []
            if "serial_number" in identity:
                parts.append(f"serial {identity['serial_number']}")
            if "year_of_construction" in identity:
                parts.append(f"built {identity['year_of_construction']}")
            machine.setdefault("description", ", ".join(parts))
        if identity and not {"name", "description"} & allowed:
            machines.warnings.append(f"{machine['id']}: nameplate ({', '.join(identity)}): "
                                     f"{type_name} machines have no name or description")
        for key in list(machine):
            sub = nav.child(item_schema, key)
            value = machine[key]
            if "integer" in nav.types(sub) and isinstance(value, float) and value.is_integer():
                value = machine[key] = int(value)
            if isinstance(value, str) and nav.types(sub) & {"number", "integer"}:
                with contextlib.suppress(ValueError):
                    value = machine[key] = float(value) if "." in value else int(value)
            if key not in allowed:
                machines.warnings.append(f"{machine['id']}: {key} = {value!r}: not a field "
                                         f"of {type_name} machines")
                del machine[key]
            elif not jsonschema.Draft202012Validator(sub).is_valid(value):
                machines.warnings.append(f"{machine['id']}: {key} = {value!r}: not valid for "
                                         f"{type_name} machines, left out")
                del machine[key]
