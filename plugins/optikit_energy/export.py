"""Energy tables for ``optikit export`` and the interactive chart: the schedule (shared
scheduling tables), the tariff periods with their prices, and each machine's switch-ons.
With a ``start`` every table also gives clock times (ISO 8601) beside the time units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.scheduling.export import schedule_tables


def energy_tables(problem: Any, document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tables = schedule_tables(problem, document)
    if not tables:
        return tables
    shop = getattr(problem, "shop", None)
    clock = getattr(shop, "clock", None)

    def at(**times: Any) -> dict[str, Any]:  # clock-time columns (documents with `start`)
        return {} if clock is None else {f"{k}_time": clock.to_time(t) for k, t in times.items()}

    tariff = getattr(problem, "tariff", None) or ()
    tables["tariff"] = [
        {"period": p.name or f"P{k + 1}", "start": p.start, "end": p.end,
         **at(start=p.start, end=p.end), "price": p.price, "carbon": p.carbon}
        for k, p in enumerate(tariff)
    ]
    payload = document.get("solution")
    switches = payload.get("switch_on") if isinstance(payload, Mapping) else None
    if isinstance(switches, Mapping):
        tables["switch_on"] = [
            {"machine": machine, "time": t, **({} if clock is None else {"clock_time":
                                                                      clock.to_time(t)})}
            for machine, times in switches.items() if isinstance(times, list) for t in times
        ]
    return tables
