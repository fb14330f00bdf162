"""Rate limits with the official `openai` client: a key's requests, tokens and streams and
an app's policy limits are enforced with 429, Retry-After and the x-ratelimit-* headers,
recorded and counted; two servers on one Redis (two replicas) share the counts."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import httpx
import openai
import pytest

from guard.app import create_app
from guard.generators.fake import FakeGenerator
from guard.limits import Limits
from tests.e2e.conftest import closing_client
from tests.live_server import SERVED, live_server
from tests.recording_audit import RecordingAuditSink
from tests.settings import ROOT, settings_for

REDIS = "redis://127.0.0.1:6379/0"
ASK = [{"role": "user", "content": "What is the capital of France?"}]


_client = closing_client


def _key(base: str, **limits: int) -> str:
    name = f"app-{uuid.uuid4().hex[:8]}"
    _, secret = SERVED[base].state.keys.create(name, "app", Limits(**limits))
    return secret


def test_a_keys_requests_per_minute_are_enforced_recorded_and_counted(tmp_path: Path) -> None:
    audit = RecordingAuditSink()
    with live_server(create_app(settings_for(tmp_path), audit=audit)) as base:
        client = _client(base, _key(base, rpm=2))
        first = client.chat.completions.with_raw_response.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        assert first.headers["x-ratelimit-limit-requests"] == "2"
        assert first.headers["x-ratelimit-remaining-requests"] == "1"
        client.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        response = refused.value.response
        assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
        assert response.headers["x-ratelimit-remaining-requests"] == "0"
        assert refused.value.code == "rate_limit_exceeded"
        assert "requests per minute" in refused.value.message
        decision = response.headers["x-guard-decision-id"]
        metrics = httpx.get(f"{base}/metrics").text
    [record] = audit.by_id(decision)
    assert record.outcome == "error" and record.error_code == "http_429"
    assert 'guard_rate_limited_total{limit="requests",scope="key"} 1.0' in metrics


def test_tokens_per_minute_stop_the_request_after_the_one_that_used_them(tmp_path: Path) -> None:
    with live_server(create_app(settings_for(tmp_path))) as base:
        client = _client(base, _key(base, tpm=10))
        client.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        with pytest.raises(openai.RateLimitError) as refused:
            client.embeddings.create(model="fake-model", input="hello")
        assert refused.value.body["type"] == "tokens"  # type: ignore[index]


def test_an_apps_policy_limits_every_key_of_the_app(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "tiny.yaml").write_text("name: tiny\napplies_to: {apps: ['*']}\nlimits: {rpm: 2}\n")
    with live_server(create_app(settings_for(tmp_path, policy_dir=policies))) as base:
        _, one = SERVED[base].state.keys.create("tiny-app", "app")
        client = _client(base, one)
        client.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        client.responses.create(model="fake-model", input="hi")
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
        assert "the app 'tiny-app'" in refused.value.message


def test_concurrent_streams_are_limited_and_given_back(tmp_path: Path) -> None:
    slow = FakeGenerator(lambda _: "word " * 60, token_delay_s=0.01)
    with live_server(create_app(settings_for(tmp_path), generator=slow)) as base:
        client = _client(base, _key(base, max_streams=1))
        opened = threading.Event()

        def stream() -> None:
            with client.chat.completions.create(
                model="fake-model",
                messages=ASK,  # type: ignore[arg-type]
                stream=True,
            ) as events:
                for _ in events:
                    opened.set()

        first = threading.Thread(target=stream)
        first.start()
        assert opened.wait(10)
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="fake-model", messages=ASK, stream=True)  # type: ignore[arg-type]
        assert refused.value.body["type"] == "streams"  # type: ignore[index]
        client.chat.completions.create(model="fake-model", messages=ASK)  # plain: no slot
        first.join(20)
        again = client.chat.completions.create(model="fake-model", messages=ASK, stream=True)  # type: ignore[arg-type]
        assert any(chunk.choices for chunk in again)


def test_two_replicas_on_one_redis_hold_the_limit_between_them(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, redis_url=REDIS, policy_dir=ROOT / "policies")
    with live_server(create_app(settings)) as one, live_server(create_app(settings)) as two:
        secret = _key(one, rpm=3)  # one database: the key works on both
        answered = 0
        refused = 0
        for base in (one, two, one, two, one):
            try:
                _client(base, secret).chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
                answered += 1
            except openai.RateLimitError:
                refused += 1
        assert (answered, refused) == (3, 2)
