"""Rate limits a shared proxy needs: requests and tokens per key and per app, and streams.

Each scope (a key, ``key:<id>``; an app, ``app:<name>``) has its ``Limits``: requests per
minute (a moving window), tokens per minute and per day (fixed windows, counted when an
answer's usage is known, so the request that crosses a limit finishes and the next one
waits), and concurrent streams. The counters live in memory for one process, or in Redis
(``GUARD_REDIS_URL``) so that every worker and replica shares them; the ``limits``
library keeps the windows. A request over a limit is a 429 in OpenAI's error shape with
``Retry-After`` and the ``x-ratelimit-*`` headers OpenAI clients read; answered requests
carry the same headers.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guard.errors import GuardError

log = logging.getLogger(__name__)
STREAM_SLOT_TTL_S = 3600  # a stream slot a crashed process never gave back expires


class Limits(BaseModel):
    """The limits of one key or app; ``None`` is no limit. ``limits:`` in a policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpm: int | None = Field(default=None, ge=1, description="requests per minute")
    tpm: int | None = Field(default=None, ge=1, description="tokens per minute")
    tpd: int | None = Field(default=None, ge=1, description="tokens per day")
    max_streams: int | None = Field(default=None, ge=1, description="concurrent streams")

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.rpm, self.tpm, self.tpd, self.max_streams))


class RateLimitedError(GuardError):
    """A limit of the caller's key or app is reached: 429 with when to try again."""

    status_code = 429
    error_type = "requests"
    default_code = "rate_limit_exceeded"

    def __init__(
        self,
        message: str,
        *,
        scope: str,
        kind: str,
        retry_after_s: float,
        headers: dict[str, str],
    ):
        super().__init__(message)
        self.scope = scope  # ``key:<id>`` or ``app:<name>``
        self.error_type = kind
        self.retry_after_s = retry_after_s
        self.headers = {**headers, "retry-after": str(max(1, math.ceil(retry_after_s)))}


def _duration(seconds: float) -> str:
    """OpenAI's reset form: ``1s``, ``6m0s``."""
    seconds = max(0.0, seconds)
    minutes, rest = divmod(math.ceil(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


@dataclass
class Ticket:
    """One admitted request: its scopes, the headers to send, and its stream slots."""

    scopes: list[tuple[str, Limits]]
    headers: dict[str, str] = field(default_factory=dict)
    streams: list[str] = field(default_factory=list)
    released: bool = False


class Limiter:
    """Counts requests, tokens and streams per scope in memory or in Redis."""

    def __init__(self, redis_url: str | None = None, *, prefix: str = "guard-limits"):
        from limits import storage
        from limits.aio import strategies

        if redis_url:
            url = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            self.storage: Any = storage.storage_from_string(
                url, key_prefix=prefix, implementation="redispy"
            )
        else:
            self.storage = storage.storage_from_string("async+memory://")
        self.shared = bool(redis_url)
        self._requests = strategies.MovingWindowRateLimiter(self.storage)
        self._tokens = strategies.FixedWindowRateLimiter(self.storage)

    @staticmethod
    def _items(limits: Limits) -> dict[str, Any]:
        from limits import RateLimitItemPerDay, RateLimitItemPerMinute

        items: dict[str, Any] = {}
        if limits.rpm:
            items["requests"] = RateLimitItemPerMinute(limits.rpm)
        if limits.tpm:
            items["tokens"] = RateLimitItemPerMinute(limits.tpm)
        if limits.tpd:
            items["tokens_day"] = RateLimitItemPerDay(limits.tpd)
        return items

    async def admit(self, scopes: Sequence[tuple[str, Limits]], *, stream: bool) -> Ticket:
        """Count the request in every scope, or raise ``RateLimitedError`` (counting it in
        none) when one of them is at a limit. When Redis cannot be reached the request is
        let through uncounted (limits protect capacity; an outage of their store must not
        stop the proxy), logged as an error."""
        try:
            return await self._admit(scopes, stream=stream)
        except RateLimitedError:
            raise
        except Exception as exc:
            if not self.shared:
                raise
            log.error("rate limit store unreachable; request let through uncounted: %s", exc)
            return Ticket([])

    async def _admit(self, scopes: Sequence[tuple[str, Limits]], *, stream: bool) -> Ticket:
        scopes = [(s, lim) for s, lim in scopes if not lim.empty]
        ticket = Ticket(list(scopes))
        now = time.time()
        for scope, limits in scopes:  # test everything first: a refusal counts nowhere
            items = self._items(limits)
            if "requests" in items and not await self._requests.test(items["requests"], scope):
                stats = await self._requests.get_window_stats(items["requests"], scope)
                raise self._refusal(scope, "requests", limits.rpm, stats.reset_time - now)
            for name in ("tokens", "tokens_day"):
                if name in items:
                    stats = await self._tokens.get_window_stats(items[name], scope)
                    if stats.remaining <= 0:
                        amount = limits.tpm if name == "tokens" else limits.tpd
                        raise self._refusal(scope, "tokens", amount, stats.reset_time - now)
            if stream and limits.max_streams:
                open_now = int(await self.storage.get(f"streams/{scope}") or 0)
                if open_now >= limits.max_streams:
                    raise RateLimitedError(
                        f"{_who(scope)} has {open_now} streams open, its limit "
                        f"(max_streams {limits.max_streams}); try again when one ends",
                        scope=scope,
                        kind="streams",
                        retry_after_s=1,
                        headers={},
                    )
        for scope, limits in scopes:
            items = self._items(limits)
            if "requests" in items:
                await self._requests.hit(items["requests"], scope)
                stats = await self._requests.get_window_stats(items["requests"], scope)
                ticket.headers.update(
                    {
                        "x-ratelimit-limit-requests": str(limits.rpm),
                        "x-ratelimit-remaining-requests": str(stats.remaining),
                        "x-ratelimit-reset-requests": _duration(stats.reset_time - now),
                    }
                )
            if "tokens" in items:
                stats = await self._tokens.get_window_stats(items["tokens"], scope)
                ticket.headers.update(
                    {
                        "x-ratelimit-limit-tokens": str(limits.tpm),
                        "x-ratelimit-remaining-tokens": str(stats.remaining),
                        "x-ratelimit-reset-tokens": _duration(stats.reset_time - now),
                    }
                )
            if stream and limits.max_streams:
                key = f"streams/{scope}"
                if await self.storage.incr(key, STREAM_SLOT_TTL_S, 1) > limits.max_streams:
                    await self.storage.incr(key, STREAM_SLOT_TTL_S, -1)  # lost a race
                    await self.release(ticket)
                    raise RateLimitedError(
                        f"{_who(scope)} is at its limit of {limits.max_streams} open streams",
                        scope=scope,
                        kind="streams",
                        retry_after_s=1,
                        headers={},
                    )
                ticket.streams.append(key)
        return ticket

    async def used(self, ticket: Ticket, tokens: int) -> None:
        """Count an answered request's tokens in each of its scopes."""
        if tokens <= 0:
            return
        try:
            for scope, limits in ticket.scopes:
                items = self._items(limits)
                for name in ("tokens", "tokens_day"):
                    if name in items:
                        await self._tokens.hit(items[name], scope, cost=tokens)
        except Exception as exc:
            if not self.shared:
                raise
            log.error("rate limit store unreachable; %d tokens not counted: %s", tokens, exc)

    async def release(self, ticket: Ticket) -> None:
        """Give back a stream's slots (once)."""
        if ticket.released:
            return
        ticket.released = True
        try:
            for key in ticket.streams:
                await self.storage.incr(key, STREAM_SLOT_TTL_S, -1)
        except Exception as exc:  # the slot expires with its key (STREAM_SLOT_TTL_S)
            if not self.shared:
                raise
            log.error("rate limit store unreachable; a stream slot expires on its own: %s", exc)

    def _refusal(
        self, scope: str, kind: str, amount: int | None, wait_s: float
    ) -> RateLimitedError:
        per = "requests per minute" if kind == "requests" else "tokens"
        return RateLimitedError(
            f"{_who(scope)} reached its limit of {amount} {per}; try again in {_duration(wait_s)}",
            scope=scope,
            kind=kind,
            retry_after_s=wait_s,
            headers={
                f"x-ratelimit-limit-{kind}": str(amount),
                f"x-ratelimit-remaining-{kind}": "0",
                f"x-ratelimit-reset-{kind}": _duration(wait_s),
            },
        )

    async def check(self) -> bool:
        return bool(await self.storage.check())

    async def aclose(self) -> None:
        """Close the Redis connections (there is nothing to close in memory)."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


def _who(scope: str) -> str:
    kind, _, name = scope.partition(":")
    return f"the {'key' if kind == 'key' else 'app'} {name!r}"
