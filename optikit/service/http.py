"""ASGI middleware: the request-size cap, the body deadline and structured access logs.

Both limits act on the raw byte stream, before JSON or multipart parsing sees it, so a
huge or endless body costs the server no more than the cap.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("optikit.service.access")


class BodyTooLarge(Exception):
    """The request body passed the server's cap (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over the {limit:,}-byte limit")
        self.limit = limit


class BodyTooSlow(Exception):
    """The request body did not arrive within the deadline (408)."""


class BodyLimits:
    """Refuse bodies over ``max_bytes`` (by header at once, else while reading) and bodies
    that take longer than ``timeout_s`` to arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes or declared < 0:
                    await _refuse(send, 413, str(BodyTooLarge(self.max_bytes)))
                    return
        seen = 0
        deadline = time.monotonic() + self.timeout_s
        max_bytes = self.max_bytes

        body_done = False

        async def limited() -> Message:
            nonlocal seen, body_done
            if body_done:  # later reads only wait for a disconnect (streaming answers)
                return await receive()
            remaining = deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, remaining))
            except TimeoutError:
                raise BodyTooSlow() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(max_bytes)
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, limited, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One JSON line per request on the ``optikit.service.access`` logger."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status: dict[str, Any] = {"code": 500}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("", 0)
            access_log.info(json.dumps({
                "method": scope.get("method"), "path": scope.get("path"),
                "status": status["code"], "ms": round((time.monotonic() - started) * 1000, 2),
                "client": client[0], "tenant": scope.get("state", {}).get("tenant"),
            }))
