"""Turning requests into jobs: read the problem with the CLI's safe readers, plan it (which
refuses a bad solver, option or time limit with the field), queue it; and the JSON
views of jobs that the API answers with."""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optikit.problem_io import ProblemFileError
from optikit.service.errors import ApiError
from optikit.service.store import Job, QueueFull
from optikit.types import UsageError

if TYPE_CHECKING:
    from optikit.problem_io import LoadedProblem
    from optikit.service.app import Service

BODY_SOURCE = "<body>"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None) -> str:
    """An uploaded file's name without any directory part or odd character (the
    extension picks the reader, so it is kept)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).lstrip("._")[-100:]
    return base or "upload"


def load_body(svc: Service, body: bytes, content_type: str) -> LoadedProblem:
    """A problem document sent as the request body (JSON; YAML when the type says so)."""
    from optikit.problem_io import load_document, parse_json_text, parse_yaml_text

    if not body.strip():
        raise ApiError(422, "the request body must be a problem document (JSON), or a "
                       "multipart upload with the problem file in field 'file'", "body")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemFileError(BODY_SOURCE, "", f"not UTF-8 text (byte {exc.start})") from None
    if "yaml" in content_type:
        data = parse_yaml_text(text, BODY_SOURCE)
    else:
        data = parse_json_text(text, BODY_SOURCE)
    if not isinstance(data, dict):
        raise ProblemFileError(BODY_SOURCE, "(top level)",
                               "must be a mapping of fields (with a 'type' key)")
    return load_document(data, svc.registry, source=BODY_SOURCE)


def load_upload(svc: Service, data: bytes, filename: str | None) -> LoadedProblem:
    """An uploaded file in any format the CLI reads, through the same readers."""
    from optikit.problem_io import load_problem

    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="optikit-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return load_problem(path, svc.registry, source=name)


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ApiError(422, f"option: expected KEY=VALUE, got {pair[:80]!r}", "option")
        out[key.strip()] = value
    return out


def submit(svc: Service, tenant: str, loaded: LoadedProblem, solver: str | None,
           time_limit: float | None, options: dict[str, str]) -> Job:
    """Check what the job asks for exactly as ``optikit solve`` would, then queue it."""
    from optikit import api
    settings = svc.settings
    limit = settings.default_time_limit if time_limit is None else time_limit
    if isinstance(limit, int | float) and limit > settings.max_time_limit:
        raise UsageError(f"time limit must be at most {settings.max_time_limit:g} s on this "
                         f"server, not {limit:g}", field="time_limit")
    try:
        chosen = api.plan(loaded, solver=solver, time_limit=limit, threads=1, options=options,
                          registry=svc.registry)
    except UsageError as exc:
        if exc.field:
            raise
        # Only the options are refused without a field of their own.
        raise ApiError(422, f"option: {exc.message}", "option") from None
    try:
        job = svc.store.submit(
            tenant, loaded.document, problem_type=loaded.ptype.name, name=loaded.name,
            solver=solver or chosen.backend.name, time_limit=float(limit), options=options,
            max_queued=settings.max_queued_per_tenant)
    except QueueFull as full:
        raise ApiError(
            429, f"too many jobs in the queue: {full.active} waiting or running, at most "
            f"{settings.max_queued_per_tenant} per tenant; retry later", "jobs",
            headers={"Retry-After": str(retry_after(full, settings.retry_after_s))}) from None
    svc.wake_workers()
    return job


def retry_after(full: QueueFull, default_s: int) -> int:
    """Whole seconds until a place in the queue is likely to free up: when the tenant's
    first running job reaches its time limit, else the server's default."""
    if full.retry_after is None:
        return max(1, default_s)
    return max(1, min(math.ceil(full.retry_after), 3600))


def _when(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(timespec="milliseconds")


def job_view(job: Job, full: bool = False) -> dict[str, Any]:
    """A job as the API shows it; ``full`` adds the summary and the solution document."""
    view: dict[str, Any] = {
        "id": job.id, "status": job.status, "type": job.problem_type, "name": job.name,
        "solver": job.solver, "time_limit": job.time_limit, "options": job.options,
        "created": _when(job.created), "started": _when(job.started),
        "finished": _when(job.finished), "objective": job.objective, "bound": job.bound,
        "gap": job.gap, "error": job.error, "attempts": job.attempts,
        "stop_requested": job.cancel_requested,
    }
    if full:
        view["solution_status"] = (job.document or {}).get("status")
        view["summary"] = job.summary
        view["document"] = job.document
    return view
