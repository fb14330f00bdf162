"""Rate limits, in memory and in the real Redis at 127.0.0.1:6379: a request over a limit
is refused with when to retry and counts nowhere; tokens count when an answer's usage is
known; stream slots are taken and given back; two processes on one Redis share counts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from guard.limits import Limiter, Limits, RateLimitedError

REDIS = "redis://127.0.0.1:6379/0"


def _scope(kind: str = "key") -> str:
    return f"{kind}:{uuid.uuid4().hex[:12]}"  # a fresh scope per test, in any store


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    made = Limiter(REDIS if request.param == "redis" else None)
    yield made
    await made.aclose()


async def test_requests_over_the_limit_are_refused_with_when_to_retry(limiter: Limiter) -> None:
    scope = _scope()
    limits = Limits(rpm=2)
    first = await limiter.admit([(scope, limits)], stream=False)
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    await limiter.admit([(scope, limits)], stream=False)
    with pytest.raises(RateLimitedError) as refused:
        await limiter.admit([(scope, limits)], stream=False)
    error = refused.value
    assert error.status_code == 429 and error.code == "rate_limit_exceeded"
    assert error.error_type == "requests"
    assert 1 <= int(error.headers["retry-after"]) <= 60
    assert error.headers["x-ratelimit-remaining-requests"] == "0"


async def test_a_refusal_in_one_scope_counts_in_none(limiter: Limiter) -> None:
    key, app = _scope("key"), _scope("app")
    await limiter.admit([(app, Limits(rpm=1))], stream=False)  # the app's one request
    with pytest.raises(RateLimitedError):
        await limiter.admit([(key, Limits(rpm=5)), (app, Limits(rpm=1))], stream=False)
    ticket = await limiter.admit([(key, Limits(rpm=5))], stream=False)
    assert ticket.headers["x-ratelimit-remaining-requests"] == "4", "the refusal took none"


async def test_tokens_count_when_used_and_stop_the_next_request(limiter: Limiter) -> None:
    scope = _scope()
    limits = Limits(tpm=100, tpd=1000)
    ticket = await limiter.admit([(scope, limits)], stream=False)
    await limiter.used(ticket, 60)
    second = await limiter.admit([(scope, limits)], stream=False)
    assert second.headers["x-ratelimit-remaining-tokens"] == "40"
    await limiter.used(second, 60)  # crosses the limit: this one finished
    with pytest.raises(RateLimitedError) as refused:
        await limiter.admit([(scope, limits)], stream=False)
    assert refused.value.error_type == "tokens"


async def test_stream_slots_are_taken_and_given_back(limiter: Limiter) -> None:
    scope = _scope()
    limits = Limits(max_streams=1)
    ticket = await limiter.admit([(scope, limits)], stream=True)
    with pytest.raises(RateLimitedError) as refused:
        await limiter.admit([(scope, limits)], stream=True)
    assert refused.value.error_type == "streams"
    await limiter.admit([(scope, limits)], stream=False)  # plain requests take no slot
    await limiter.release(ticket)
    await limiter.release(ticket)  # once only
    again = await limiter.admit([(scope, limits)], stream=True)
    await limiter.release(again)


async def test_two_processes_on_one_redis_share_their_counts() -> None:
    scope = _scope()
    limits = Limits(rpm=3)
    one, two = Limiter(REDIS), Limiter(REDIS)
    await one.admit([(scope, limits)], stream=False)
    await two.admit([(scope, limits)], stream=False)
    await one.admit([(scope, limits)], stream=False)
    with pytest.raises(RateLimitedError):
        await two.admit([(scope, limits)], stream=False)
    assert one.shared and two.shared and await one.check()
    await one.aclose()
    await two.aclose()


async def test_an_unreachable_redis_lets_requests_through_uncounted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = Limiter("redis://127.0.0.1:1/0")  # nothing listens there
    ticket = await down.admit([(_scope(), Limits(rpm=1, max_streams=1))], stream=True)
    assert ticket.scopes == [] and ticket.headers == {}
    await down.used(ticket, 10)
    await down.release(ticket)
    assert "rate limit store unreachable" in caplog.text
    await down.aclose()
