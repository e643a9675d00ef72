"""The scheduling kernel: the flexible job shop that scheduling problem types share.

Public, versioned with the plugin API (``optikit.API_VERSION``, added in 2.0).  A problem
type built on it (``fjsp``, ``energy-scheduling``, ``maintenance`` or a vendor's) gets:

- the model: :class:`Machine`, :class:`Mode`, :class:`Operation`, :class:`Job`,
  :class:`Shop` (with sequence-dependent setups) and :func:`parse_shop`;
- the schedule: :class:`ScheduledOperation`, :func:`makespan`,
  :func:`completion_times`, :func:`weighted_tardiness`;
- the payload: :func:`schedule_to_payload` / :func:`operations_payload` (writer) and
  :func:`schedule_from_payload` (reader, with the eligibility and duration checks);
- the common checks: :func:`check_schedule` = :func:`check_job_times` +
  :func:`check_machines` + :func:`check_calendars`;
- working-time calendars and clock time: :class:`Calendar`, :class:`Clock`
  (:mod:`optikit.scheduling.calendar`);
- JSON-Schema fragments in :mod:`optikit.scheduling.schema`.

Standard library only: importing it loads no solver.
"""

from __future__ import annotations

from optikit.scheduling.calendar import Calendar, Clock
from optikit.scheduling.checking import (
    check_calendars,
    check_job_times,
    check_machines,
    check_schedule,
)
from optikit.scheduling.model import (
    Job,
    Machine,
    Mode,
    Operation,
    ScheduledOperation,
    Shop,
    completion_times,
    makespan,
    parse_shop,
    weighted_tardiness,
)
from optikit.scheduling.payload import (
    operations_payload,
    schedule_from_payload,
    schedule_to_payload,
)

__all__ = [
    "Calendar",
    "Clock",
    "Job",
    "Machine",
    "Mode",
    "Operation",
    "ScheduledOperation",
    "Shop",
    "check_calendars",
    "check_job_times",
    "check_machines",
    "check_schedule",
    "completion_times",
    "makespan",
    "operations_payload",
    "parse_shop",
    "schedule_from_payload",
    "schedule_to_payload",
    "weighted_tardiness",
]
