"""The local generator with the real bundled SmolLM2-135M-Instruct on CPU."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from guard.errors import ConfigurationError, ContextLengthError, ModelLoadError
from guard.generators.base import (
    ChatMessage,
    Delta,
    GenerationRequest,
    SamplingParams,
    Usage,
    collect,
)
from guard.generators.local import LocalGenerator
from guard.generators.local_model import bundled_gguf_path, convert_gguf, load_model

MODEL = "SmolLM2-135M-Instruct"
pytestmark = pytest.mark.slow


def _ask(text: str, **params: object) -> GenerationRequest:
    return GenerationRequest(
        model=MODEL,
        messages=(ChatMessage("user", text),),
        params=SamplingParams(**params),  # type: ignore[arg-type]
    )


async def test_greedy_answer_is_sensible(local_generator: LocalGenerator) -> None:
    completion = await local_generator.complete(
        _ask("What is the capital of France?", temperature=0, max_tokens=30)
    )
    [choice] = completion.choices
    assert "Paris" in choice.text
    assert choice.finish_reason == "stop"
    assert completion.usage.prompt_tokens > 10
    assert 0 < completion.usage.completion_tokens < 30


async def test_stream_yields_the_same_text_as_complete(local_generator: LocalGenerator) -> None:
    request = _ask("Name three colors.", temperature=0, max_tokens=24)
    whole = await local_generator.complete(request)
    events = [e async for e in await local_generator.stream(request)]
    deltas = [e for e in events if isinstance(e, Delta)]
    assert len(deltas) > 3, "tokens arrive one by one"
    assert "".join(d.text for d in deltas) == whole.choices[0].text
    assert isinstance(events[-1], Usage)


async def test_concurrent_requests_are_batched_with_the_same_answers(
    local_generator: LocalGenerator,
) -> None:
    questions = ["What is 2+2?", "Name a fruit.", "Say hello.", "What color is the sky?"]
    requests = [_ask(q, temperature=0, max_tokens=16) for q in questions]
    alone = [(await local_generator.complete(r)).choices[0].text for r in requests]
    batches_before = len(local_generator.batch_sizes)
    together = await asyncio.gather(*(local_generator.complete(r) for r in requests))
    assert [c.choices[0].text for c in together] == alone
    new_batches = list(local_generator.batch_sizes)[batches_before:]
    assert max(new_batches) > 1, f"expected a batch of several rows, got {new_batches}"


async def test_max_tokens_ends_with_length(local_generator: LocalGenerator) -> None:
    completion = await local_generator.complete(
        _ask("Write a long story.", temperature=0, max_tokens=5)
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 5


async def test_stop_string_cuts_the_answer(local_generator: LocalGenerator) -> None:
    completion = await local_generator.complete(
        _ask("What is the capital of France?", temperature=0, max_tokens=30, stop=("Paris",))
    )
    [choice] = completion.choices
    assert "Paris" not in choice.text and choice.text.startswith("The capital")
    assert choice.finish_reason == "stop"


async def test_sampling_with_a_seed_repeats_and_n_gives_n_choices(
    local_generator: LocalGenerator,
) -> None:
    request = _ask(
        "Invent a name for a cat.", temperature=1.0, top_k=50, max_tokens=12, seed=1234, n=2
    )
    first = await local_generator.complete(request)
    second = await local_generator.complete(request)
    assert len(first.choices) == 2
    assert [c.text for c in first.choices] == [c.text for c in second.choices]


async def test_min_tokens_keeps_generating_past_the_natural_end(
    local_generator: LocalGenerator,
) -> None:
    question = "What is the capital of France?"
    short = await local_generator.complete(_ask(question, temperature=0, max_tokens=40))
    assert short.usage.completion_tokens < 20
    forced = await local_generator.complete(
        _ask(question, temperature=0, max_tokens=40, min_tokens=20)
    )
    assert forced.usage.completion_tokens >= 20


async def test_beam_search_is_reachable(local_generator: LocalGenerator) -> None:
    completion = await local_generator.complete(
        _ask("What is the capital of France?", num_beams=3, max_tokens=20)
    )
    assert "Paris" in completion.choices[0].text
    streamed = await collect(
        await local_generator.stream(
            _ask("What is the capital of France?", num_beams=3, max_tokens=20)
        ),
        1,
    )
    assert streamed.choices[0].text == completion.choices[0].text


async def test_when_caller_leaves_then_generation_stops(local_generator: LocalGenerator) -> None:
    before = local_generator.stats
    events = await local_generator.stream(
        _ask(
            "Write a very long essay about the sea.", temperature=0, max_tokens=400, min_tokens=400
        )
    )
    await anext(events)
    await events.aclose()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while local_generator.stats["cancelled_rows"] == before["cancelled_rows"]:
        assert time.monotonic() < deadline, "the cancelled row never finished"
        await asyncio.sleep(0.05)
    produced = local_generator.stats["tokens"] - before["tokens"]
    assert produced < 400, f"generation ran on after the caller left ({produced} tokens)"


async def test_prompt_over_the_context_window_is_refused_up_front(
    local_generator: LocalGenerator,
) -> None:
    with pytest.raises(ContextLengthError, match="maximum context length is 8192"):
        await local_generator.stream(_ask("word " * 9000, max_tokens=10))


def test_converted_weights_are_cached_and_reused(model_cache_dir: Path) -> None:
    gguf = bundled_gguf_path()
    first = convert_gguf(gguf, model_cache_dir)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    started = time.monotonic()
    again = convert_gguf(gguf, model_cache_dir)
    assert again == first
    assert (again / "model.safetensors").stat().st_mtime_ns == stamp
    assert time.monotonic() - started < 1.0, "a cached model is not converted again"


async def test_int8_on_cpu_loads_and_answers(model_cache_dir: Path) -> None:
    generator = LocalGenerator(
        model=MODEL, served_name=MODEL, device="cpu", dtype="int8", cache_dir=model_cache_dir
    )
    await generator.start()
    try:
        assert generator.device_description() == "cpu int8"
        completion = await generator.complete(
            _ask("What is the capital of France?", temperature=0, max_tokens=12)
        )
        assert completion.choices[0].text.strip()
    finally:
        await generator.aclose()


def test_combinations_that_cannot_run_are_clear_errors(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ConfigurationError, match="no CUDA device"):
            load_model(MODEL, device="cuda", dtype="auto", cache_root=model_cache_dir)
    with pytest.raises(ModelLoadError, match="GUARD_MODEL"):
        load_model(
            str(tmp_path / "missing"), device="cpu", dtype="auto", cache_root=model_cache_dir
        )


def test_the_conversion_cache_is_keyed_on_content_not_on_the_files_time(tmp_path: Path) -> None:
    """A new virtual environment (a new copy of the same GGUF) finds the converted model."""
    import os
    import shutil

    from guard.generators.local_model import _gguf_cache_dir

    gguf = bundled_gguf_path()
    copy = tmp_path / gguf.name
    shutil.copyfile(gguf, copy)
    os.utime(copy, (1_000_000, 1_000_000))
    assert _gguf_cache_dir(copy, tmp_path) == _gguf_cache_dir(gguf, tmp_path)
    with copy.open("r+b") as handle:  # other content: another conversion
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 1]))
    assert _gguf_cache_dir(copy, tmp_path) != _gguf_cache_dir(gguf, tmp_path)
