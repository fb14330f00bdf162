"""POST /v1/embeddings with the official `openai` client, guard in upstream mode in front
of a recording stub: the rules for embeddings decide what reaches the embedding model
(the shipped pack redacts card numbers and national ids, keeps names), vectors come back
in order as floats or base64, token ids are refused by name, and every request leaves one
record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI, Request

from guard.app import create_app
from guard.config import Settings
from tests.e2e.conftest import closing_client, key_header
from tests.live_server import live_server
from tests.settings import settings_for, stub_upstream


def _stub() -> tuple[FastAPI, list[dict[str, Any]]]:
    """An embedding server that records its inputs; each vector says which input it is."""
    app = stub_upstream()
    seen: list[dict[str, Any]] = []

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict[str, Any]:
        body = await request.json()
        seen.append(body)
        rows = [
            {"object": "embedding", "index": i, "embedding": [float(i), 0.5, -1.25]}
            for i in range(len(body["input"]))
        ]
        rows.reverse()  # out of order, as a server may send them
        tokens = sum(len(t.split()) for t in body["input"])
        return {
            "object": "list",
            "data": rows,
            "model": body["model"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }

    return app, seen


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list, Settings]]:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("embeddings")
    stub, seen = _stub()
    with live_server(stub) as upstream:
        settings = settings_for(tmp, generator="upstream", upstream_url=f"{upstream}/v1")
        with live_server(create_app(settings)) as base:
            yield base, seen, settings


_client = closing_client


def test_card_numbers_and_national_ids_never_reach_the_embedding_model(served: tuple) -> None:  # type: ignore[type-arg]
    base, seen, _ = served
    texts = [
        "Refund card 4111 1111 1111 1111 for Jane Doe",
        "Customer SSN 536-90-4399 on file",
        "Jane Doe asked about the refund policy",
    ]
    result = _client(base).embeddings.create(model="embed-model", input=texts)  # base64 by default
    assert [item.index for item in result.data] == [0, 1, 2]
    assert [item.embedding for item in result.data] == [
        [0.0, 0.5, -1.25],
        [1.0, 0.5, -1.25],
        [2.0, 0.5, -1.25],
    ]
    sent = seen[-1]["input"]
    assert sent[0] == "Refund card <CREDIT_CARD> for Jane Doe"
    assert sent[1] == "Customer SSN <US_SSN> on file"
    assert sent[2] == texts[2], "names stay: a search for the customer still finds them"
    assert "4111" not in json.dumps(seen) and "536-90" not in json.dumps(seen)
    guard = result.model_extra["guard"]  # type: ignore[index]
    assert guard["action"] == "redact" and guard["rules"] == ["pii-embeddings"]
    shown = httpx.get(
        f"{base}/v1/decisions/{guard['decision_id']}/explanation",
        headers=key_header(base, "reviewer"),
    ).json()
    assert shown["endpoint"] == "/v1/embeddings" and shown["action"] == "redact"
    stored = json.dumps(shown["stages"])
    assert "4111" not in stored and "<CREDIT_CARD>" in stored


def test_floats_when_asked_and_one_string_as_input(served: tuple) -> None:  # type: ignore[type-arg]
    base, seen, _ = served
    response = httpx.post(
        f"{base}/v1/embeddings",
        json={"model": "embed-model", "input": "hello world", "encoding_format": "float"},
    )
    assert response.status_code == 200
    assert response.json()["data"][0]["embedding"] == [0.0, 0.5, -1.25]
    assert response.json()["usage"] == {"prompt_tokens": 2, "total_tokens": 2}
    assert seen[-1]["input"] == ["hello world"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": [101, 2023]}, "input"),
        ({"input": []}, "input"),
        ({"input": ["ok", ""]}, "input"),
        ({"input": "x", "encoding_format": "int8"}, "encoding_format"),
    ],
)
def test_inputs_guard_cannot_read_are_refused_by_name(
    served: tuple, body: dict, param: str
) -> None:  # type: ignore[type-arg]
    base, seen, _ = served
    before = len(seen)
    response = httpx.post(f"{base}/v1/embeddings", json={"model": "embed-model", **body})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param or param in error["message"]
    assert len(seen) == before


def test_a_generator_that_does_not_embed_says_so(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with live_server(create_app(settings)) as base:
        vectors = _client(base).embeddings.create(model="fake-model", input=["a b", "a b"])
        assert vectors.data[0].embedding == vectors.data[1].embedding  # the fake is deterministic
        with pytest.raises(openai.NotFoundError):
            _client(base).embeddings.create(model="other", input="a")
