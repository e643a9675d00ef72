"""Plugin names: what is accepted, and every identifier derived from one name."""

from __future__ import annotations

import pytest

from optikit.scaffold import plugin_names
from optikit.types import UsageError


def test_identifiers_derive_from_the_name() -> None:
    names = plugin_names("lot-sizing")
    assert names.distribution == "optikit-lot-sizing"
    assert names.package == "optikit_lot_sizing"
    assert names.class_name == "LotSizing"
    assert names.title == "Lot sizing"
    assert names.name == "lot-sizing"


@pytest.mark.parametrize("bad", ["2bad", "Bad", "a_b", "a--b", "-a", "a-", "", "a b",
                                 "x" * 41, "optikit", "tests", "é"])
def test_bad_names_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(UsageError, match="invalid plugin name"):
        plugin_names(bad)


def test_python_keywords_are_fine_because_packages_are_prefixed() -> None:
    assert plugin_names("class").package == "optikit_class"
