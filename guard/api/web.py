"""The review page at ``/review`` for compliance officers.

Sign-in takes a reviewer or admin key once and opens a session of its own (see
``guard.api.sessions``); the cookie is HttpOnly, SameSite=Strict, and Secure over TLS.
State changes only by POST with the session's CSRF token; the sign-in form itself carries a
token of its own (double submit with a SameSite=Strict cookie).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from guard.api import web_pages
from guard.api.review_routes import export_stream
from guard.api.sessions import ABSOLUTE, COOKIE, ReviewSession, SessionStore
from guard.audit import queries
from guard.audit.database import Database
from guard.audit.policy_history import history
from guard.errors import ForbiddenError
from guard.keys import KEY_PREFIX, KeyStore

router = APIRouter(prefix="/review", include_in_schema=False)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
LOGIN_CSRF_COOKIE = "guard_login_csrf"
FILTERS = ("action", "app", "rule", "review_status", "q", "since", "until")


def _sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _session(request: Request) -> ReviewSession | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await asyncio.to_thread(_sessions(request).get, token)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/review/login", status_code=303)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "content-security-policy": CSP,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "cache-control": "no-store",
        },
    )


def _login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    """The sign-in form with a fresh CSRF token, also set in a cookie (double submit): a
    form posted from another site carries neither, so it cannot sign anyone in."""
    token = secrets.token_urlsafe(32)
    response = _html(web_pages.login(token, error), status=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/review/login",
    )
    return response


@router.get("/login")
async def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_model=None)
async def login(request: Request, key: str = Form(...), csrf: str = Form("")) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_page(
            request, "The sign-in form expired or came from another site; sign in again.", 403
        )
    keys: KeyStore = request.app.state.keys
    found = (
        await asyncio.to_thread(keys.check, key.strip())
        if key.strip().startswith(KEY_PREFIX)
        else None
    )
    if found is None or found.role not in ("reviewer", "admin"):
        return _login_page(request, "That key is not an active reviewer or admin key.", 401)
    token = await asyncio.to_thread(_sessions(request).create, found)
    response = RedirectResponse("/review", status_code=303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/review/login")
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(ABSOLUTE.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/review",
    )
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request, csrf: str = Form("")) -> Response:
    session = await _session(request)
    token = request.cookies.get(COOKIE)
    if session is not None and token and session.csrf_ok(csrf):
        await asyncio.to_thread(_sessions(request).end, token)
    response = _to_login()
    response.delete_cookie(COOKIE, path="/review")
    return response


def _filters(request: Request) -> tuple[dict[str, str], queries.Filters]:
    raw = {name: request.query_params.get(name, "").strip() for name in FILTERS}

    def moment(value: str) -> datetime | None:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    try:
        since, until = moment(raw["since"]), moment(raw["until"])
    except ValueError:
        since = until = None
    return raw, queries.Filters(
        since=since,
        until=until,
        app=raw["app"] or None,
        action=raw["action"] or None,
        rule=raw["rule"] or None,
        review_status=raw["review_status"] or None,
        text=raw["q"] or None,
    )


@router.get("", response_model=None)
async def decisions(request: Request) -> Response:
    session = await _session(request)
    if session is None:
        return _to_login()
    raw, filters = _filters(request)
    database = _database(request)
    cursor = request.query_params.get("cursor") or None
    rows, next_cursor = await asyncio.to_thread(
        queries.list_decisions, database, filters=filters, limit=50, cursor=cursor
    )
    counts = await asyncio.to_thread(queries.stats, database, filters=filters, bucket="hour")
    await asyncio.to_thread(
        queries.record_access,
        database,
        actor=session.key_name,
        action="page-list",
        target=filters.describe(),
    )
    body = web_pages.decision_list(rows, raw, next_cursor, counts["over_time"])
    return _html(web_pages.page("Decisions", body, who=session.key_name, csrf=session.csrf))


@router.get("/decisions/{decision_id}", response_model=None)
async def decision(decision_id: str, request: Request) -> Response:
    session = await _session(request)
    if session is None:
        return _to_login()
    database = _database(request)
    row = await asyncio.to_thread(queries.get_decision, database, decision_id)
    if row is None:
        return _html(web_pages.page("Not found", "<h1>No such decision</h1>"), status=404)
    await asyncio.to_thread(
        queries.record_access,
        database,
        actor=session.key_name,
        action="page-read",
        target={"decision_id": decision_id},
    )
    shown: dict[str, Any] = queries.public(row)
    versions = []
    if row.get("policy") and row.get("policy_version"):
        versions = await asyncio.to_thread(
            history, database, name=row["policy"], version=row["policy_version"]
        )
    body = web_pages.decision(shown, session.csrf, versions[0]["files"] if versions else None)
    return _html(
        web_pages.page(f"Decision {decision_id}", body, who=session.key_name, csrf=session.csrf)
    )


@router.post("/decisions/{decision_id}/reviews", response_model=None)
async def review(
    decision_id: str,
    request: Request,
    verdict: str = Form(...),
    note: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    session = await _session(request)
    if session is None:
        return _to_login()
    if not session.csrf_ok(csrf):
        raise ForbiddenError("the form's CSRF token is missing or wrong; reload the page")
    if verdict not in queries.VERDICTS:
        return _html(web_pages.page("Invalid", "<h1>Unknown verdict</h1>"), status=400)
    added = await asyncio.to_thread(
        queries.add_review,
        _database(request),
        decision_id=decision_id,
        reviewer=session.key_name,
        verdict=verdict,
        note=note[:4000],
    )
    if added is None:
        return _html(
            web_pages.page(
                "Not found",
                "<h1>No such decision</h1><p>The verdict was not recorded.</p>",
                who=session.key_name,
                csrf=session.csrf,
            ),
            status=404,
        )
    return RedirectResponse(f"/review/decisions/{decision_id}", status_code=303)


@router.get("/export", response_model=None)
async def export(request: Request, format: str = "csv") -> Response:
    session = await _session(request)
    if session is None:
        return _to_login()
    _, filters = _filters(request)
    fmt = "jsonl" if format == "jsonl" else "csv"
    await asyncio.to_thread(
        queries.record_access,
        _database(request),
        actor=session.key_name,
        action=f"page-export-{fmt}",
        target=filters.describe(),
    )
    stream: StreamingResponse = export_stream(_database(request), filters, fmt)
    return stream
