"""The HTTP API under ``/v1`` (and ``/health``).  Each tenant sees only its own jobs: a job
id of another tenant answers 404 exactly like one that does not exist."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile

from optikit.service import jobs
from optikit.service.errors import ApiError
from optikit.service.exports import XLSX_TYPE, Format
from optikit.service.store import FINAL, Job

router = APIRouter()
bearer = HTTPBearer(auto_error=False, description="An API key from `optikit keys add`.")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
SSE_POLL_S = 0.25
SSE_KEEPALIVE_S = 15.0
CANCEL_WAIT_S = 3.0


def service(request: Request) -> Any:
    return request.app.state.service


def tenant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The tenant of the request's API key (401 without a valid, unrevoked key)."""
    if credentials is None or not credentials.credentials.strip():
        raise ApiError(401, "an API key is required: send 'Authorization: Bearer KEY'",
                       "authorization", headers={"WWW-Authenticate": "Bearer"})
    name = service(request).store.tenant_for(credentials.credentials.strip()[:200])
    if name is None:
        raise ApiError(401, "unknown or revoked API key", "authorization",
                       headers={"WWW-Authenticate": "Bearer"})
    request.state.tenant = name
    return str(name)


Tenant = Annotated[str, Depends(tenant)]


def _own_job(request: Request, job_id: str, who: str, full: bool = True) -> Job:
    job = None
    if JOB_ID.match(job_id):
        job = service(request).store.get(job_id, who, full=full)
    if job is None:
        raise ApiError(404, f"no job {job_id[:40]!r}", "id")
    return job


@router.get("/health", tags=["service"])
def health(request: Request) -> dict[str, Any]:
    """Liveness: the store answers and the workers run."""
    from optikit import __version__

    svc = service(request)
    svc.store.list_keys()
    return {"status": "ok", "version": __version__, "executor": svc.settings.executor,
            "workers": svc.settings.workers}


@router.get("/v1/types", tags=["problems"])
def types(request: Request) -> dict[str, Any]:
    """The problem types this server solves: schema, formulations, solvers and samples."""
    return {"types": service(request).type_catalogue()}


@router.get("/v1/types/{name}/samples/{filename}", tags=["problems"])
def sample(request: Request, name: str, filename: str) -> FileResponse:
    """A sample problem file of a type (only the files the type ships)."""
    path = service(request).sample_path(name, filename)
    if path is None:
        raise ApiError(404, f"no sample {filename[:80]!r} for type {name[:40]!r}", "filename")
    return FileResponse(path, filename=path.name, media_type="text/plain")


@router.get("/v1/solvers", tags=["problems"])
def solvers(request: Request) -> dict[str, Any]:
    """Every solver backend and whether it can run on this server."""
    from optikit import api

    return {"solvers": [
        {"name": s.name, "available": s.available, "reason": s.reason, "version": s.version,
         "paradigms": list(s.paradigms), "description": s.description}
        for s in api.solvers(registry=service(request).registry)]}


@router.post("/v1/jobs", status_code=202, tags=["jobs"], openapi_extra={
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ProblemDocument"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "a problem file in any format the CLI "
                                                   "reads (.json, .yaml, .fjs, ...)"}}}},
    }}})
async def submit(
    request: Request,
    who: Tenant,
    solver: Annotated[str | None, Query(max_length=100)] = None,
    time_limit: Annotated[float | None, Query(description="seconds")] = None,
    option: Annotated[list[str] | None, Query(description="KEY=VALUE, repeatable")] = None,
) -> dict[str, str]:
    """Queue a problem: its document as the JSON body, or a file upload in field ``file``."""
    svc = service(request)
    options = jobs.parse_options(option or [])
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=4)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "file: the multipart upload needs the problem file in field "
                           "'file'", "file")
        data = await upload.read()
        loaded = await run_in_threadpool(jobs.load_upload, svc, data, upload.filename)
    else:
        body = await request.body()
        loaded = await run_in_threadpool(jobs.load_body, svc, body, content_type)
    job = await run_in_threadpool(jobs.submit, svc, who, loaded, solver, time_limit, options)
    return {"id": job.id, "status": job.status}


@router.get("/v1/jobs", tags=["jobs"])
def list_jobs(
    request: Request, who: Tenant,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """The tenant's own jobs, newest first, a page at a time."""
    found, total = service(request).store.list_jobs(who, limit, offset)
    return {"jobs": [jobs.job_view(j) for j in found], "total": total, "limit": limit,
            "offset": offset}


@router.get("/v1/jobs/{job_id}", tags=["jobs"])
def get_job(request: Request, job_id: str, who: Tenant) -> dict[str, Any]:
    """Status, latest incumbent/bound/gap, and when done the solution document exactly as
    ``optikit solve -o`` writes it (under ``document``) with the summary."""
    return jobs.job_view(_own_job(request, job_id, who), full=True)


@router.get("/v1/jobs/{job_id}/solution", tags=["jobs"])
def download(request: Request, job_id: str, who: Tenant) -> JSONResponse:
    """The solution document as a file to save."""
    job = _own_job(request, job_id, who)
    if job.document is None:
        raise ApiError(409, f"job {job_id} has no solution document (status {job.status})",
                       "id")
    from optikit.jsonio import document_json

    name = jobs.safe_filename(f"{job.name}.solution.json")
    return JSONResponse(json.loads(document_json(job.document)), headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@router.delete("/v1/jobs/{job_id}", tags=["jobs"])
async def stop(request: Request, job_id: str, who: Tenant) -> dict[str, Any]:
    """Stop a job: a queued one at once; a running one keeps its best solution so far.
    Answers when the job has ended (or after 3 s with the job as it is then)."""
    svc = service(request)
    if not JOB_ID.match(job_id):
        raise ApiError(404, f"no job {job_id[:40]!r}", "id")
    job = await run_in_threadpool(svc.store.cancel, job_id, who)
    if job is None:
        raise ApiError(404, f"no job {job_id[:40]!r}", "id")
    deadline = time.monotonic() + CANCEL_WAIT_S
    while job.status not in FINAL and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        job = await run_in_threadpool(svc.store.get, job_id, who, full=False) or job
    return jobs.job_view(job)


@router.get("/v1/jobs/{job_id}/events", tags=["jobs"])
async def events(request: Request, job_id: str, who: Tenant) -> StreamingResponse:
    """Server-Sent Events: ``status`` changes and ``progress`` (incumbent, bound), from the
    start or after the ``Last-Event-ID``; the stream ends when the job does."""
    svc = service(request)
    await run_in_threadpool(_own_job, request, job_id, who, False)
    try:
        after = int(request.headers.get("last-event-id", "0"))
    except ValueError:
        after = 0

    async def stream() -> AsyncIterator[str]:
        last, quiet_since = after, time.monotonic()
        while not await request.is_disconnected():
            found = await run_in_threadpool(svc.store.events, job_id, last)
            for event in found:
                last = event.id
                data = json.dumps({**event.data, "time": event.time})
                yield f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"
            if found:
                quiet_since = time.monotonic()
                continue
            job = await run_in_threadpool(svc.store.get, job_id, who, full=False)
            if job is None or job.status in FINAL:
                return
            if time.monotonic() - quiet_since > SSE_KEEPALIVE_S:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(SSE_POLL_S)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


async def _drawable(request: Request, job_id: str, who: str) -> Job:
    job = await run_in_threadpool(_own_job, request, job_id, who)
    if job.document is None or "solution" not in job.document:
        raise ApiError(409, f"job {job_id} has no solution to draw (status {job.status})", "id")
    return job


@router.get("/v1/jobs/{job_id}/chart.svg", tags=["jobs"], response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
async def chart(request: Request, job_id: str, who: Tenant) -> Response:
    """The type's static chart of the solution (a Gantt chart, ...) as SVG, when it has
    one (needs the ``plot`` extra)."""
    job = await _drawable(request, job_id, who)
    svg = await run_in_threadpool(service(request).draw_chart, job, "svg")
    return Response(svg, media_type="image/svg+xml")


@router.get("/v1/jobs/{job_id}/chart.json", tags=["jobs"], response_class=JSONResponse)
async def chart_figure(request: Request, job_id: str, who: Tenant) -> Response:
    """The interactive chart of the solution (every type has one: a Gantt chart, the
    blend against its specs, flows, a roster...) as ``{"what": ..., "figure": ...}``,
    the figure as plotly JSON (``Plotly.newPlot(div, figure.data, figure.layout)``).
    501 when the server lacks plotly."""
    job = await _drawable(request, job_id, who)
    text = await run_in_threadpool(service(request).draw_chart, job, "plotly")
    return Response(text, media_type="application/json")


@router.get("/v1/jobs/{job_id}/export", tags=["jobs"], response_class=Response, responses={
    200: {"description": "the tables as one file",
          "content": {"application/zip": {}, XLSX_TYPE: {}}}})
async def export(
    request: Request, job_id: str, who: Tenant,
    fmt: Annotated[Format, Query(alias="format", description="csv: a zip of one CSV file "
                                 "per table; xlsx: a workbook, one sheet per table")] = "csv",
) -> Response:
    """The solution as the tables ``optikit export`` writes (plant terms first)."""
    from optikit.service.exports import export_job

    job = await run_in_threadpool(_own_job, request, job_id, who)
    out = await run_in_threadpool(export_job, service(request), job, fmt)
    name = jobs.safe_filename(f"{job.name}.solution{out.suffix}")
    return Response(out.data, media_type=out.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/v1/check", tags=["problems"], openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["problem", "solution"],
        "properties": {"problem": {"$ref": "#/components/schemas/ProblemDocument"},
                       "solution": {"type": "object",
                                    "description": "a solution document"}}}}}}})
async def check(request: Request, who: Tenant) -> dict[str, Any]:
    """Check a solution document against a problem, independently of any solver."""
    body = await request.body()
    return await run_in_threadpool(_check, service(request), body)


def _check(svc: Any, body: bytes) -> dict[str, Any]:
    from optikit import api
    from optikit.problem_io import load_document, parse_json_text

    data = parse_json_text(body.decode("utf-8", "replace"), jobs.BODY_SOURCE) if body else None
    if not isinstance(data, dict):
        raise ApiError(422, "the body must be {\"problem\": ..., \"solution\": ...}", "body")
    for key in ("problem", "solution"):
        if not isinstance(data.get(key), dict):
            raise ApiError(422, f"{key}: must be a document (a JSON object)", key)
    loaded = load_document(data["problem"], svc.registry, source="problem")
    report = api.check(loaded, data["solution"], registry=svc.registry)
    return {
        "valid": report.feasible, "objective": report.objective,
        "violations": [{"constraint": v.constraint, "message": v.message, "amount": v.amount}
                       for v in report.violations[:200]],
        "figures": report.figures,
    }

