"""Walking a problem type's JSON Schema alongside a document.

The spreadsheet layout is derived from the schema alone (never from type names): which
keys are tables, which are mappings, which cells hold numbers.  These helpers answer
those questions for any draft 2020-12 schema the plugins register, following ``$ref``
to local ``$defs`` and merging ``oneOf``/``anyOf``/``allOf`` alternatives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]

_ANY: dict[str, Any] = {}
SCALARS = frozenset({"string", "number", "integer", "boolean", "null"})


class SchemaNav:
    """Schema look-ups relative to one root (for ``$ref`` resolution)."""

    def __init__(self, root: Schema) -> None:
        self.root = root

    def resolve(self, schema: Any) -> Schema:
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 32:
            ref = str(schema["$ref"])
            if not ref.startswith("#/"):
                return _ANY
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            schema, seen = target, seen + 1
        return schema if isinstance(schema, Mapping) else _ANY

    def alternatives(self, schema: Any) -> list[Schema]:
        """The schema and every ``oneOf``/``anyOf``/``allOf`` branch below it, resolved."""
        out: list[Schema] = []
        stack = [schema]
        while stack and len(out) < 64:
            node = self.resolve(stack.pop())
            out.append(node)
            for key in ("oneOf", "anyOf", "allOf"):
                branches = node.get(key)
                if isinstance(branches, list):
                    stack.extend(branches)
        return out

    def types(self, schema: Any) -> frozenset[str]:
        """JSON types the schema allows; empty means unconstrained."""
        found: set[str] = set()
        constrained = False
        for node in self.alternatives(schema):
            declared = node.get("type")
            if isinstance(declared, str):
                found.add(declared)
                constrained = True
            elif isinstance(declared, list):
                found.update(str(t) for t in declared)
                constrained = True
            for literal_key in ("const", "enum"):
                if literal_key in node:
                    values = node[literal_key] if literal_key == "enum" else [node["const"]]
                    found.update(_json_type(v) for v in values if isinstance(values, list))
                    constrained = True
            if "properties" in node or "additionalProperties" in node:
                found.add("object")
                constrained = True
            if "items" in node or "prefixItems" in node:
                found.add("array")
                constrained = True
        return frozenset(found) if constrained else frozenset()

    def child(self, schema: Any, key: str) -> Schema:
        """The schema of ``key`` inside an object schema."""
        import re

        for node in self.alternatives(schema):
            props = node.get("properties")
            if isinstance(props, Mapping) and key in props:
                return self.resolve(props[key])
        for node in self.alternatives(schema):
            patterns = node.get("patternProperties")
            if isinstance(patterns, Mapping):
                for pattern, sub in patterns.items():
                    try:
                        if re.search(str(pattern), key):
                            return self.resolve(sub)
                    except re.error:
                        continue
        for node in self.alternatives(schema):
            extra = node.get("additionalProperties")
            if isinstance(extra, Mapping):
                return self.resolve(extra)
        return _ANY

    def items(self, schema: Any) -> Schema:
        for node in self.alternatives(schema):
            sub = node.get("items")
            if isinstance(sub, Mapping):
                return self.resolve(sub)
        return _ANY

    def object_like(self, schema: Any) -> bool:
        types = self.types(schema)
        return not types or "object" in types

    def array_like(self, schema: Any) -> bool:
        types = self.types(schema)
        return not types or "array" in types

    def is_free_mapping(self, schema: Any) -> bool:
        """An object keyed by data (component names, machine ids), not by fixed fields."""
        nodes = self.alternatives(schema)
        has_fixed = any(isinstance(n.get("properties"), Mapping) and n["properties"] for n in nodes)
        has_extra = any(isinstance(n.get("additionalProperties"), Mapping) for n in nodes)
        return has_extra and not has_fixed

    def properties(self, schema: Any) -> list[tuple[str, Schema]]:
        """Fixed properties in schema order (first alternative that declares them)."""
        out: list[tuple[str, Schema]] = []
        seen: set[str] = set()
        for node in self.alternatives(schema):
            props = node.get("properties")
            if isinstance(props, Mapping):
                for key, sub in props.items():
                    if key not in seen:
                        seen.add(key)
                        out.append((str(key), self.resolve(sub)))
        return out

    def description(self, schema: Any) -> str:
        for node in self.alternatives(schema):
            text = node.get("description")
            if isinstance(text, str):
                return text
        return ""


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
               (list, "array"))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "object")
