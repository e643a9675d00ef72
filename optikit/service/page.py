"""The web page: one Jinja2 template rendered by the server (problem types, samples,
solvers and limits filled in there) and a little JavaScript for the live parts (sign-in,
progress, the job list).  Charts are drawn by plotly.js, served from the installed
``plotly`` package: no build step, no CDN (plants often run offline).  Without plotly
the page says so and falls back to simple SVG charts.

The template lives in ``static/`` beside the scripts, so the package data that ships
them ships it too; ``/static/index.html`` itself is not served.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from optikit.service.errors import ApiError

STATIC = Path(__file__).resolve().parent / "static"
FILES = {"app.js": "text/javascript", "chart.js": "text/javascript", "style.css": "text/css"}
PLOTLY_JS = "plotly.min.js"
PLOTLY_CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(STATIC), autoescape=True, trim_blocks=True, lstrip_blocks=True))


@functools.cache
def plotly_js() -> Path | None:
    """plotly.js as the ``plotly`` Python package ships it, or None without plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / PLOTLY_JS
    return path if path.is_file() else None


@functools.cache
def _plotly_gzip(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=3)


def page_context(svc: Any) -> dict[str, Any]:
    """What the server fills in: types with their samples and solvers, the limits."""
    catalogue = svc.type_catalogue()
    return {
        "types": [{k: t[k] for k in ("name", "description", "sense", "formulations",
                                     "solvers", "samples")} for t in catalogue],
        "solvers": sorted({s for t in catalogue for s in t["solvers"]}),
        "charts": {t["name"]: t["charts"] for t in catalogue},
        "plotly": plotly_js() is not None,
        "default_time_limit": svc.settings.default_time_limit,
        "max_time_limit": svc.settings.max_time_limit,
    }


@router.get("/")
def index(request: Request) -> Response:
    from optikit import __version__

    context = {"version": __version__, **page_context(request.app.state.service)}
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/static/" + PLOTLY_JS)
def plotly(request: Request) -> Response:
    path = plotly_js()
    if path is None:
        raise ApiError(404, "plotly is not installed on the server: pip install "
                            "'optikit[serve]'", "name")
    headers = {"Cache-Control": PLOTLY_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):  # 4.8 MB -> 1.6 MB
        return Response(_plotly_gzip(path), media_type="text/javascript",
                        headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, media_type="text/javascript", headers=headers)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in FILES:  # a fixed list: no path ever reaches the file system
        raise ApiError(404, f"no file {name[:60]!r}", "name")
    return FileResponse(STATIC / name, media_type=FILES[name])
