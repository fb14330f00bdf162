"""Bad bytes get a clear 400 and still leave their one audit record, streamed or not."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from guard.app import create_app
from guard.config import Settings
from guard.generators.fake import FakeGenerator
from tests.e2e.conftest import Served
from tests.live_server import live_server
from tests.recording_audit import RecordingAuditSink

LONE = "x\\ud800y"  # JSON for a lone surrogate, as a broken client sends it

CASES = {
    "message": (
        "/v1/chat/completions",
        '{"model":"fake-model","messages":[{"role":"user","content":"%s"}]%s}',
        "messages.0.content",
    ),
    "part": (
        "/v1/chat/completions",
        '{"model":"fake-model","messages":[{"role":"user","content":[{"type":"text","text":"%s"}]}]%s}',
        "messages.0.content.0.text",
    ),
    "prompt": ("/v1/completions", '{"model":"fake-model","prompt":"%s"%s}', "prompt"),
    "stop": (
        "/v1/chat/completions",
        '{"model":"fake-model","messages":[{"role":"user","content":"hi"}],"stop":"%s"%s}',
        "stop",
    ),
    "model": (
        "/v1/chat/completions",
        '{"model":"%s","messages":[{"role":"user","content":"hi"}]%s}',
        "model",
    ),
    "scan": ("/v1/guard/scan", '{"stage":"input","text":"%s"%s}', "text"),
}


@pytest.mark.parametrize(
    ("field", "stream"),
    [(f, s) for f in CASES for s in (False, True) if not (f == "scan" and s)],  # scans don't stream
)
def test_a_lone_surrogate_in_any_text_field_is_a_400_with_one_record(
    fake_server: Served, field: str, stream: bool
) -> None:
    path, template, param = CASES[field]
    body = template % (LONE, ',"stream":true' if stream else "")
    response = httpx.post(
        f"{fake_server.base}{path}", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"].startswith(param.split(".")[0]) and "surrogate" in error["message"]
    decision_id = response.headers["x-guard-decision-id"]
    [record] = fake_server.audit.by_id(decision_id)
    assert record.outcome == "error" and record.error_code == "http_400"
    json.dumps(record.redacted_prompt, ensure_ascii=False).encode("utf-8")  # storable


@pytest.fixture(scope="module")
def small_scan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("db") / "guard.db"
    settings = Settings(generator="fake", database_url=f"sqlite:///{db}", max_scan_chars=2000)
    generator, audit = FakeGenerator(), RecordingAuditSink()
    with live_server(create_app(settings, generator=generator, audit=audit)) as base:
        yield Served(base, generator, audit)


@pytest.mark.parametrize("stream", [False, True])
def test_text_over_the_scan_limit_is_refused_early_with_413_and_one_record(
    small_scan_server: Served, stream: bool
) -> None:
    served = small_scan_server
    messages = [
        {"role": "system", "content": "s" * 1500},
        {"role": "user", "content": "u " * 300},  # together over 2,000 characters
    ]
    response = httpx.post(
        f"{served.base}/v1/chat/completions",
        json={"model": "fake-model", "messages": messages, "stream": stream},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "text_too_long" and "GUARD_MAX_SCAN_CHARS" in error["message"]
    [record] = served.audit.by_id(response.headers["x-guard-decision-id"])
    assert record.outcome == "error" and record.error_code == "text_too_long"
    assert record.redacted_prompt == ""  # nothing was read, so nothing is stored
