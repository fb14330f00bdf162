"""The HTTP surface end to end: a real server on loopback, the official openai client."""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest

from tests.e2e.conftest import Served

MODEL = "fake-model"
HELLO = [{"role": "user", "content": "hello there"}]


def test_chat_completion_carries_the_decision_id(fake_server: Served) -> None:
    raw = fake_server.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=HELLO
    )
    completion = raw.parse()
    decision_id = raw.headers["x-guard-decision-id"]
    assert completion.choices[0].message.content == "This is a fake answer to: hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == 8
    assert completion.id == f"chatcmpl-{decision_id}"
    assert raw.headers["x-request-id"]
    assert raw.headers["x-guard-decision"] == "allow"
    assert completion.guard == {"decision_id": decision_id, "action": "allow", "rules": []}  # type: ignore[attr-defined]
    assert [r.decision_id for r in fake_server.audit.by_id(decision_id)] == [decision_id]


def test_streamed_chat_ends_with_usage_and_done(fake_server: Served) -> None:
    with httpx.stream(
        "POST",
        f"{fake_server.base}/v1/chat/completions",
        json={
            "model": MODEL,
            "messages": HELLO,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        decision_id = response.headers["x-guard-decision-id"]
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "This is a fake answer to: hello there"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] == 10
    assert len(fake_server.audit.by_id(decision_id)) == 1

    streamed = fake_server.client().chat.completions.create(
        model=MODEL, messages=HELLO, stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == text


def test_text_completions_stream_and_not(fake_server: Served) -> None:
    client = fake_server.client()
    whole = client.completions.create(model=MODEL, prompt="once upon", max_tokens=3)
    assert whole.choices[0].text == "This is a"
    assert whole.choices[0].finish_reason == "length"
    pieces = client.completions.create(model=MODEL, prompt="once upon", max_tokens=3, stream=True)
    assert "".join(p.choices[0].text for p in pieces if p.choices) == "This is a"


def test_n_choices_are_returned_and_streamed(fake_server: Served) -> None:
    client = fake_server.client()
    completion = client.chat.completions.create(model=MODEL, messages=HELLO, n=3, max_tokens=2)
    assert [c.index for c in completion.choices] == [0, 1, 2]
    stream = client.chat.completions.create(
        model=MODEL, messages=HELLO, n=2, max_tokens=2, stream=True
    )
    texts: dict[int, str] = {}
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
    assert texts == {0: "This is", 1: "This is"}


def test_model_list(fake_server: Served) -> None:
    assert [m.id for m in fake_server.client().models.list()] == [MODEL]


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert response.headers["x-guard-decision-id"]
    return dict(body["error"])


def test_malformed_json_is_400(fake_server: Served) -> None:
    response = httpx.post(
        f"{fake_server.base}/v1/chat/completions",
        content=b'{"model": "fake-model", "messages": [',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["type"] == "invalid_request_error"
    assert "not valid JSON" in str(error["message"])


def test_wrong_types_are_400_naming_the_parameter(fake_server: Served) -> None:
    client = fake_server.client()
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=HELLO, max_tokens="ten")  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert caught.value.param == "max_tokens"
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": 42}])  # type: ignore[list-item]
    assert caught.value.param == "messages.0.content"


def test_unknown_model_is_404(fake_server: Served) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        fake_server.client().chat.completions.create(model="gpt-4o", messages=HELLO)
    assert caught.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        fake_server.client().chat.completions.create(model="gpt-4o", messages=HELLO, stream=True)


def test_body_over_the_limit_is_413_declared_or_chunked(fake_server: Served) -> None:
    big = [{"role": "user", "content": "x" * 100_000}]
    with pytest.raises(openai.APIStatusError) as caught:
        fake_server.client().chat.completions.create(model=MODEL, messages=big)
    assert caught.value.status_code == 413
    assert caught.value.code == "request_too_large"

    def chunks():  # no content-length: the limit is enforced while reading
        yield b'{"model": "fake-model", "messages": [{"role": "user", "content": "'
        for _ in range(100):
            yield b"y" * 1024
        yield b'"}]}'

    response = httpx.post(f"{fake_server.base}/v1/chat/completions", content=chunks())
    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"


def test_unknown_route_has_the_openai_error_shape(fake_server: Served) -> None:
    response = httpx.get(f"{fake_server.base}/v1/nothing-here")
    assert response.status_code == 404
    assert _error(response)["type"] == "invalid_request_error"


def _wait_for(predicate, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_client_that_disconnects_mid_stream_cancels_generation(fake_server: Served) -> None:
    before = fake_server.generator.cancelled_streams
    long_answer = [{"role": "user", "content": "word " * 2000}]
    with httpx.stream(
        "POST",
        f"{fake_server.base}/v1/chat/completions",
        json={"model": MODEL, "messages": long_answer, "stream": True},
    ) as response:
        decision_id = response.headers["x-guard-decision-id"]
        lines = response.iter_lines()
        next(lines), next(lines), next(lines)
    _wait_for(lambda: fake_server.generator.cancelled_streams > before)
    _wait_for(lambda: len(fake_server.audit.by_id(decision_id)) == 1)
    assert fake_server.audit.by_id(decision_id)[0].outcome == "cancelled"


def test_client_that_gives_up_on_a_whole_answer_cancels_generation(fake_server: Served) -> None:
    before = fake_server.generator.cancelled_streams
    long_answer = [{"role": "user", "content": "word " * 2000}]
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{fake_server.base}/v1/chat/completions",
            json={"model": MODEL, "messages": long_answer},
            timeout=httpx.Timeout(5, read=0.3),
        )
    _wait_for(lambda: fake_server.generator.cancelled_streams > before)


def test_metrics_count_requests_by_route_and_status_and_tokens(fake_server: Served) -> None:
    client = fake_server.client()
    client.chat.completions.create(model=MODEL, messages=HELLO)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=HELLO)
    text = httpx.get(f"{fake_server.base}/metrics").text
    assert (
        'guard_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}' in text
    )
    assert (
        'guard_http_requests_total{method="POST",route="/v1/chat/completions",status="404"}' in text
    )
    assert 'guard_generated_tokens_total{model="fake-model"}' in text
    assert "guard_generation_tokens_per_second_bucket" in text
    assert "guard_generator_queue_depth" in text
    assert "hello there" not in text


def test_health_and_readiness(fake_server: Served) -> None:
    assert httpx.get(f"{fake_server.base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{fake_server.base}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"generator": "ok", "database": "ok"}
