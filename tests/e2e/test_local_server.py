"""The default setup end to end: the bundled SmolLM2 served by guard, the openai client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from guard.app import create_app
from guard.config import Settings
from tests.e2e.conftest import openai_client
from tests.live_server import live_server

MODEL = "SmolLM2-135M-Instruct"
QUESTION = [{"role": "user", "content": "What color is the sky on a clear sunny day?"}]
ANSWER = "blue"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_base(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[str]:
    db = tmp_path_factory.mktemp("local") / "guard.db"
    settings = Settings(
        generator="local", device="cpu", cache_dir=model_cache_dir, database_url=f"sqlite:///{db}"
    )
    with live_server(create_app(settings)) as base:
        yield base


@pytest.fixture(scope="module")
def client(local_base: str) -> Iterator[openai.OpenAI]:
    with openai_client(local_base) as client:
        yield client


def test_bundled_model_answers_sensibly(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL]
    completion = client.chat.completions.create(
        model=MODEL, messages=QUESTION, temperature=0, max_tokens=30
    )
    assert ANSWER in (completion.choices[0].message.content or "")
    assert completion.usage is not None and completion.usage.prompt_tokens > 0


def test_bundled_model_streams_through_the_hold_back_window(client: openai.OpenAI) -> None:
    essay = [{"role": "user", "content": "Write a paragraph about the sea."}]
    whole = client.chat.completions.create(
        model=MODEL, messages=essay, temperature=0, max_tokens=120
    )
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=essay,
            temperature=0,
            max_tokens=120,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    contents = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(contents) > 2, "released in pieces as the guard clears them, not all at the end"
    assert "".join(contents) == whole.choices[0].message.content
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens  # type: ignore[union-attr]


def test_the_readme_quick_start_example_answers_paris(client: openai.OpenAI) -> None:
    """The README's example, as written there, through the shipped pack."""
    completion = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        temperature=0,
    )
    assert completion.headers["x-guard-decision"] == "allow", (
        "the question reaches the model as asked"
    )
    assert "Paris" in (completion.parse().choices[0].message.content or "")


def test_default_sampling_and_completions_endpoint(client: openai.OpenAI) -> None:
    sampled = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=20)
    assert sampled.choices[0].message.content
    text = client.completions.create(
        model=MODEL, prompt="The capital of France is", max_tokens=5, temperature=0
    )
    assert text.choices[0].text.strip()


def test_prompt_too_long_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "word " * 9000}]
        )
    assert caught.value.code == "context_length_exceeded"


def test_metrics_report_generated_tokens(local_base: str, client: openai.OpenAI) -> None:
    client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=10)
    text = httpx.get(f"{local_base}/metrics").text
    line = next(
        x
        for x in text.splitlines()
        if x.startswith(f'guard_generated_tokens_total{{model="{MODEL}"}}')
    )
    assert float(line.split()[-1]) > 0


def test_upstream_mode_in_front_of_the_local_model_server(local_base: str, tmp_path: Path) -> None:
    """guard (upstream) → guard (local SmolLM2): a real model behind a real upstream hop."""
    settings = Settings(
        generator="upstream",
        upstream_url=f"{local_base}/v1",
        database_url=f"sqlite:///{tmp_path / 'proxy.db'}",
    )
    with live_server(create_app(settings)) as base, openai_client(base) as proxy:
        assert [m.id for m in proxy.models.list()] == [MODEL]
        whole = proxy.chat.completions.create(
            model=MODEL, messages=QUESTION, temperature=0, max_tokens=30
        )
        assert ANSWER in (whole.choices[0].message.content or "")
        streamed = proxy.chat.completions.create(
            model=MODEL, messages=QUESTION, temperature=0, max_tokens=30, stream=True
        )
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
        assert text == whole.choices[0].message.content


def test_the_local_generator_embeds_with_the_bundled_minilm(client: openai.OpenAI) -> None:
    result = client.embeddings.create(
        model="all-MiniLM-L6-v2",
        input=["How do I reset my password?", "I forgot my login password", "Paris weather"],
    )
    vectors = [item.embedding for item in result.data]
    assert [len(v) for v in vectors] == [384, 384, 384]

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))  # normalized vectors

    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2
    assert result.usage.prompt_tokens > 0
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model=MODEL, input="hi")


def test_the_bundled_models_template_has_no_tools_so_they_are_refused(
    client: openai.OpenAI,
) -> None:
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model=MODEL,
            messages=QUESTION,  # type: ignore[arg-type]
            tools=[weather],  # type: ignore[list-item]
        )
    assert refused.value.param == "tools"
    assert "chat template has no tools" in refused.value.message
