"""Units a problem file states for its reports: the currency of its money amounts.

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


def money(value: Any, currency: str = "") -> str:
    """An amount with its currency: ``1,234.50 KRW``; ``-`` for None."""
    return number(value, currency)
