"""An application names its end user and session: the body's ``user`` or
``safety_identifier``, or the ``x-guard-user`` and ``x-guard-session`` headers, on every
endpoint. The user is recorded only as a keyed hash; the session as sent, so reviewers list
a conversation's decisions together; a session that is not an identifier is refused."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import openai
import pytest

from guard.app import create_app
from guard.audit.subjects import subject_hash
from tests.e2e.conftest import key_header
from tests.live_server import live_server
from tests.settings import settings_for

KEY = "session-test-hash-key"


def _listed(base: str, headers: dict[str, str], session: str, count: int) -> list[dict]:  # type: ignore[type-arg]
    """The decisions of ``session`` once ``count`` of them are written."""
    for _ in range(100):
        rows = httpx.get(f"{base}/v1/decisions", params={"session": session}, headers=headers)
        data = rows.json()["data"]
        if len(data) >= count:
            return data  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"{session}: {len(data)} of {count} decisions written")


def test_users_and_sessions_are_recorded_on_every_endpoint(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = settings_for(tmp_path, hash_key=KEY)
    with live_server(create_app(settings)) as base:
        client = openai.OpenAI(
            base_url=f"{base}/v1",
            api_key="unused",
            max_retries=0,
            default_headers={"x-guard-session": "conv-42:turns"},
        )
        request.addfinalizer(client.close)
        question = [{"role": "user", "content": "What is the capital of France?"}]
        client.chat.completions.create(
            model="fake-model",
            messages=question,  # type: ignore[arg-type]
            extra_headers={"x-guard-user": "carol-11"},
        )
        client.chat.completions.create(
            model="fake-model",
            messages=question,  # type: ignore[arg-type]
            safety_identifier="dave-22",
        )
        client.responses.create(model="fake-model", input="hello", user="erin-33")
        client.embeddings.create(model="fake-model", input="hello", user="frank-44")
        client.completions.create(model="fake-model", prompt="hello")
        other = httpx.post(
            f"{base}/v1/guard/scan",
            json={"stage": "input", "text": "hello"},
            headers={"x-guard-session": "another-session"},
        )
        assert other.status_code == 200
        reviewer = key_header(base, "reviewer")
        rows = _listed(base, reviewer, "conv-42:turns", 5)
        assert len(rows) == 5 and {r["session_id"] for r in rows} == {"conv-42:turns"}
        assert {r["endpoint"] for r in rows} == {
            "/v1/chat/completions",
            "/v1/responses",
            "/v1/embeddings",
            "/v1/completions",
        }
        hashes = {r["user_hash"] for r in rows}
        assert hashes == {None} | {
            subject_hash(KEY.encode(), user)
            for user in ("carol-11", "dave-22", "erin-33", "frank-44")
        }
        assert "carol-11" not in httpx.get(f"{base}/v1/decisions", headers=reviewer).text
        assert len(_listed(base, reviewer, "another-session", 1)) == 1


@pytest.mark.parametrize("session", ["jane@example.com", "has space", "x" * 129])
def test_a_session_that_is_not_an_identifier_is_refused(tmp_path: Path, session: str) -> None:
    settings = settings_for(tmp_path)
    with live_server(create_app(settings)) as base:
        response = httpx.post(
            f"{base}/v1/chat/completions",
            json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
            headers={"x-guard-session": session},
        )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "x-guard-session"
