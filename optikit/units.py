"""Units a problem file states for its reports: the currency of its money amounts and
the unit of its times.

``currency: KRW`` (an ISO 4217 code, or any short label such as ``kUSD``) is optional on
every cost-bearing type; its schema adds :data:`CURRENCY` through :func:`with_currency`,
its parser keeps the value on the problem object (``problem.currency``) and its summary
prints amounts through :func:`money`, in the project's one number format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.numbers import number

CURRENCY: dict[str, Any] = {
    "type": "string", "minLength": 1, "maxLength": 12, "pattern": r"^\S(.*\S)?$",
    "description": "Currency of every money amount in the file, for reports (e.g. KRW, "
                   "EUR, kUSD); the numbers are not converted.",
}


def with_currency(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the optional top-level ``currency`` property to a type's schema."""
    schema.setdefault("properties", {})["currency"] = CURRENCY
    return schema


def currency_of(source: Any) -> str:
    """The currency of a parsed problem (``.currency``) or a document; '' if none."""
    value = source.get("currency") if isinstance(source, Mapping) else getattr(
        source, "currency", None)
    return str(value) if value else ""


def money(value: Any, currency: str = "", decimals: int | None = 2) -> str:
    """An amount with its currency, cents shown: ``1,234.50 KRW``, ``8,495 KRW`` (whole
    amounts without decimals); ``-`` for None.  ``decimals=None``: the general number
    format, for small unit prices (a shadow price of 0.0037 per t)."""
    return number(value, currency, decimals=decimals)


def time_units(unit: str = "") -> str:
    """The plural of a time unit for summaries: ``minutes``, ``hours``; ``time units``
    when the file names none."""
    unit = unit.strip()
    if not unit:
        return "time units"
    return unit if unit.endswith("s") or " " in unit else f"{unit}s"
