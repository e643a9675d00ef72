"""Schema validation: the compiled fast path never accepts what jsonschema refuses."""

from __future__ import annotations

import json

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from optikit.validation import _fast_accepts, _fast_compatible, format_path

from .toy_plugin import SCHEMA


def test_only_draft_neutral_schemas_take_the_fast_path():
    assert _fast_compatible(SCHEMA)
    assert not _fast_compatible({"type": "array", "prefixItems": [{"type": "number"}]})
    assert not _fast_compatible({"type": "array", "items": [{"type": "number"}]})
    assert not _fast_compatible({"properties": {"a": {"dependentRequired": {}}}})
    assert not _fast_compatible({"$ref": "https://example.com/s.json"})
    # property *names* are not keywords
    assert _fast_compatible({"properties": {"prefixItems": {"type": "number"}}})


def test_format_path():
    assert format_path(["materials", 3, "cost"]) == "materials[3].cost"
    assert format_path([0, "a"]) == "[0].a"
    assert format_path([]) == ""


values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "value", "weight", "x"]), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(capacity=values, items=values)
def test_fast_path_agrees_with_jsonschema(capacity, items):
    doc = {"capacity": capacity, "items": items}
    schema_json = json.dumps(SCHEMA, sort_keys=True)
    if _fast_accepts(schema_json, doc):
        assert jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)
