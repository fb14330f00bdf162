"""ASGI middleware: request ids, the body-size limit, guard headers and HTTP metrics.

Pure ASGI (not ``BaseHTTPMiddleware``) so that streamed responses pass through untouched
and a client that goes away is still seen by the route.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uuid6 import uuid7

from guard.errors import PayloadTooLargeError
from guard.metrics import Metrics
from guard.pipeline import Origin

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
AUDITED_PATHS = {
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/responses",
    "/v1/embeddings",
    "/v1/guard/scan",
}


def new_decision_id() -> str:
    """A time-ordered id (UUIDv7) for a decision."""
    return str(uuid7())


class GuardHTTPMiddleware:
    """Gives each request its ids, enforces the body limit, and measures every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        audit_rejected: Callable[[Origin, int], Awaitable[None]] | None = None,
    ):
        self.app = app
        self.metrics = metrics
        self.max_body = max_body_bytes
        self.audit_rejected = audit_rejected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        supplied = headers.get("x-request-id", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        decision_id = new_decision_id()
        state = scope.setdefault("state", {})
        state["request_id"], state["decision_id"] = request_id, decision_id
        on_v1 = scope["path"].startswith("/v1/")
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(b"x-request-id", request_id.encode())]
                if on_v1:
                    extra.append((b"x-guard-decision-id", state["decision_id"].encode()))
                    decision = state.get("decision")
                    if decision is not None:
                        extra.append((b"x-guard-decision", decision.action.encode()))
                    for name, value in state.get("ratelimit_headers", {}).items():
                        extra.append((name.encode(), value.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            if scope["method"] in _BODY_METHODS:
                body = await self._read_body(headers, receive)
                if body is None:
                    await self._reject_too_large(send_with_headers)
                    status = 413
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_with_headers)
        finally:
            # Whatever happened (an error, the caller gone), a refused request's record.
            await self._audit_if_missed(scope, state, status)
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_http(
                template, scope["method"], status, time.perf_counter() - start
            )

    async def _audit_if_missed(self, scope: Scope, state: dict[str, Any], status: int) -> None:
        """A proxy request refused before the pipeline still leaves its one record."""
        if self.audit_rejected is None or scope["path"] not in AUDITED_PATHS:
            return
        if state.get("handed_over"):
            return  # the pipeline owns this request's record
        context = state.get("context")
        origin = (
            context.origin
            if context is not None
            else Origin(state["decision_id"], state["request_id"], scope["path"], app="unknown")
        )
        await self.audit_rejected(origin, status)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | None:
        """The whole body, or ``None`` when it is over the limit (declared or actual)."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _reject_too_large(self, send: Send) -> None:
        error = PayloadTooLargeError(
            f"the request body is over the limit of {self.max_body} bytes (GUARD_MAX_BODY_BYTES)"
        )
        payload = json.dumps(error.to_body()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": error.status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
