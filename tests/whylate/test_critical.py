"""The kernel's chain analysis on a schedule worked by hand (no solver)."""

from __future__ import annotations

from typing import Any

from optikit import scheduling
from optikit.scheduling.critical import (
    BUSY,
    CALENDAR,
    IDLE,
    JOB,
    MACHINE,
    RELEASE,
    START,
    bottleneck,
    chain_to_dict,
    job_chain,
    late_chains,
    payload_busy,
    why_late,
)


def shop_doc() -> dict[str, Any]:
    """A then B on M1 with a P->Q changeover of 1; A continues on M2; C released at 6.

    A: op0 M1 [0,3], op1 M2 [3,5] (waits for its op0), due 4, weight 2 -> late 1.
    B: op0 M1 [4,6] (waits for A on M1 + setup 1; its release 2 is earlier), due 5.
    C: op0 M2 [6,8] (its release 6; M2 was free from 5), due 7.
    """
    return {
        "machines": [{"id": "M1"}, {"id": "M2"}],
        "jobs": [
            {"id": "A", "product": "P", "due": 4, "weight": 2, "operations": [
                {"modes": [{"machine": "M1", "duration": 3}]},
                {"modes": [{"machine": "M2", "duration": 2}]}]},
            {"id": "B", "product": "Q", "release": 2, "due": 5, "operations": [
                {"modes": [{"machine": "M1", "duration": 2}]}]},
            {"id": "C", "release": 6, "due": 7, "operations": [
                {"modes": [{"machine": "M2", "duration": 2}]}]},
        ],
        "setups": {"M1": {"P": {"Q": 1}}},
    }


def schedule(shop: scheduling.Shop, c_start: int = 6) -> list[scheduling.ScheduledOperation]:
    payload = {"operations": [
        {"job": "A", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 3},
        {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 3, "end": 5},
        {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 4, "end": 6},
        {"job": "C", "operation": 0, "mode": 0, "machine": "M2", "start": c_start,
         "end": c_start + 2},
    ]}
    ops, violations = scheduling.schedule_from_payload(shop, payload)
    assert not violations and not scheduling.check_schedule(shop, ops)
    return ops


def test_job_wait_and_start() -> None:
    shop = scheduling.parse_shop(shop_doc())
    chain = job_chain(shop, schedule(shop), 0)
    assert [(s.op.job, s.op.operation, s.link) for s in chain.steps] == [(0, 0, START), (0, 1, JOB)]
    assert chain.lateness == 1 and chain.completion == 5
    assert dict(chain.machine_time) == {0: 3, 1: 2} and chain.bottleneck == 0


def test_machine_wait_with_setup() -> None:
    shop = scheduling.parse_shop(shop_doc())
    chain = job_chain(shop, schedule(shop), 1)
    first, last = chain.steps
    assert (first.op.job, first.link) == (0, START)
    assert (last.op.job, last.link, last.setup, last.ready, last.after) == (
        1, MACHINE, 1, 4, first.op)
    assert dict(chain.machine_time) == {0: 3 + 2 + 1}


def test_release_ends_the_chain() -> None:
    shop = scheduling.parse_shop(shop_doc())
    (step,) = job_chain(shop, schedule(shop), 2).steps
    assert (step.link, step.ready, step.after) == (RELEASE, 6, None)


def test_idle_or_closed_wait() -> None:
    shop = scheduling.parse_shop(shop_doc())
    ops = schedule(shop, c_start=9)  # C could start at 6
    (step,) = job_chain(shop, ops, 2).steps
    assert (step.link, step.cause, step.wait) == (IDLE, RELEASE, 3)
    closed = job_chain(shop, ops, 2, windows={1: [(0, 7), (9, 20)]}).steps[0]
    assert closed.link == CALENDAR
    # the shift wait counts for the machine in the bottleneck rule
    assert job_chain(shop, ops, 2, windows={1: [(0, 7), (9, 20)]}).machine_time[1] == 2 + 3
    busy = payload_busy(shop, {"maintenance": [
        {"task": "PM", "machine": "M2", "start": 6, "end": 9}]})
    chain = job_chain(shop, ops, 2, busy=busy)
    assert (chain.steps[0].link, chain.steps[0].note) == (BUSY, "maintenance PM")
    assert chain_to_dict(shop, chain)["text"] == "M2 (released 6, maintenance PM 3, C)"
    # a shift that opened after the occupation ended is what C waited for
    early = payload_busy(shop, {"maintenance": [
        {"task": "PM", "machine": "M2", "start": 6, "end": 8}]})
    assert job_chain(shop, ops, 2, {1: [(0, 7), (9, 20)]}, early).steps[0].link == CALENDAR


def test_bottleneck_ties_go_to_the_latest_machine() -> None:
    doc = shop_doc()
    doc["jobs"][0]["operations"][1]["modes"][0]["duration"] = 3  # M1 3, M2 3
    shop = scheduling.parse_shop(doc)
    payload_ops = schedule(scheduling.parse_shop(shop_doc()))
    ops = [o if (o.job, o.operation) != (0, 1) else
           scheduling.ScheduledOperation(0, 1, 0, 1, 3, 6) for o in payload_ops]
    ops = [o if o.job != 2 else scheduling.ScheduledOperation(2, 0, 0, 1, 6, 8) for o in ops]
    steps = job_chain(shop, ops, 0).steps
    assert bottleneck(steps) == 1


def test_late_jobs_worst_first_with_text() -> None:
    shop = scheduling.parse_shop(shop_doc())
    ops = schedule(shop)
    assert [c.job for c in late_chains(shop, ops)] == [0, 1, 2]  # A weighs 2
    entries = why_late(shop, ops)
    assert entries[1]["text"] == "M1 (A, setup 1, B)" and entries[1]["bottleneck"] == "M1"
    assert entries[0]["text"] == "M1 -> M2" and entries[0]["weighted_lateness"] == 2
    assert entries[2]["text"] == "M2 (released 6, C)"
