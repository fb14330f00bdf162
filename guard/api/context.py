"""The HTTP facts of one request, and the values the routes hand the middleware.

``RequestContext`` is what the HTTP layer knows of a request: its ids, the route, the app
its key names and the peer. The pipeline gets only its ``origin``. When a route hands a request to
the pipeline it says so (``hand_over``): from then on the pipeline owns the request's one
audit record, and the middleware writes one only for requests refused before that. The
decision a route gets back is put beside the request (``report``) for the middleware's
``x-guard-decision`` header; nothing is mutated on the context itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from starlette.requests import Request

from guard.errors import InvalidRequestError
from guard.limits import Limits
from guard.pipeline import Decision, Origin


@dataclass(frozen=True)
class RequestContext(Origin):
    """Who is asking and under which ids, and from where; one per HTTP request.

    It is the pipeline's ``Origin`` (ids, route, app, key) plus what only HTTP knows.
    """

    client: str | None = None  # the peer address, for the log
    key_limits: Limits | None = None  # the rate limits on the caller's key

    @property
    def origin(self) -> Origin:
        return Origin(self.decision_id, self.request_id, self.endpoint, self.app, self.key_id)


def request_state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


# What a session id may be: an identifier (no e-mail address or name slips in as one).
_SESSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


def hand_over(request: Request, ctx: RequestContext, *, user: str | None = None) -> Origin:
    """The pipeline takes the request (and its audit record) from here.

    The end user is the body's ``user`` (or ``safety_identifier``), else the
    ``x-guard-user`` header; it is kept only as a keyed hash. The session is the
    ``x-guard-session`` header, an identifier the app chooses (a conversation id), kept as
    sent so reviewers can read a conversation's decisions together.
    """
    session = request.headers.get("x-guard-session")
    if session is not None and not _SESSION.fullmatch(session):
        raise InvalidRequestError(
            "x-guard-session must be an identifier: up to 128 letters, digits and _ . : -",
            param="x-guard-session",
        )
    user = user or request.headers.get("x-guard-user") or None
    request_state(request)["handed_over"] = True
    return replace(ctx.origin, user=user, session=session)


def report(request: Request, decision: Decision) -> None:
    """The decision the middleware reports in ``x-guard-decision``."""
    request_state(request)["decision"] = decision
