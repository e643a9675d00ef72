"""The web page: one HTML file with a little JavaScript, served from the package (no
build step, no CDN: plants often run offline)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from optikit.service.errors import ApiError

STATIC = Path(__file__).resolve().parent / "static"
FILES = {"app.js": "text/javascript", "chart.js": "text/javascript", "style.css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in FILES:  # a fixed list: no path ever reaches the file system
        raise ApiError(404, f"no file {name[:60]!r}", "name")
    return FileResponse(STATIC / name, media_type=FILES[name])
