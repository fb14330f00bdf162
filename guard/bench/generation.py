"""Local generator speed by device and dtype, with answer agreement next to it.

Each dtype is loaded in turn; a fixed number of tokens is generated (``min_tokens`` pins
the length) for repeated single requests and for one concurrent batch. Quality: greedy
answers to fixed questions are compared with the float32 answers on the same device.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guard.bench.stats import resident_memory_mb, summary
from guard.generators.base import ChatMessage, GenerationRequest, SamplingParams
from guard.generators.local import LocalGenerator

QUESTIONS = (
    "What is the capital of France?",
    "Name three primary colors.",
    "What is 12 times 12?",
    "Write one sentence about the sea.",
    "Who wrote Romeo and Juliet?",
    "What is the boiling point of water in Celsius?",
)


def _request(model: str, text: str, tokens: int, *, fixed: bool) -> GenerationRequest:
    return GenerationRequest(
        model=model,
        messages=(ChatMessage("user", text),),
        params=SamplingParams(temperature=0, max_tokens=tokens, min_tokens=tokens if fixed else 0),
    )


def _gpu_memory(device: str) -> dict[str, int] | None:
    import torch

    if not device.startswith("cuda") or not torch.cuda.is_available():
        return None
    return {
        "allocated": torch.cuda.memory_allocated(),
        "reserved": torch.cuda.memory_reserved(),
        "peak": torch.cuda.max_memory_allocated(),
    }


async def _bench_dtype(
    model: str, device: str, dtype: str, cache_dir: Path, tokens: int, runs: int, batch: int
) -> tuple[dict[str, Any], list[str]]:
    started = time.perf_counter()
    generator = LocalGenerator(
        model=model,
        served_name="bench",
        device=device,
        dtype=dtype,
        cache_dir=cache_dir,
        max_batch_size=batch,
        batch_wait_ms=20,
    )
    await generator.start()
    load_s = time.perf_counter() - started
    try:
        await generator.complete(_request("bench", QUESTIONS[0], 8, fixed=True))  # warm-up
        single = []
        for i in range(runs):
            t0 = time.perf_counter()
            done = await generator.complete(
                _request("bench", QUESTIONS[i % len(QUESTIONS)], tokens, fixed=True)
            )
            single.append(done.usage.completion_tokens / (time.perf_counter() - t0))
        batched = []
        for _ in range(max(1, runs // 2)):
            t0 = time.perf_counter()
            results = await asyncio.gather(
                *(
                    generator.complete(_request("bench", q, tokens, fixed=True))
                    for q in (QUESTIONS * batch)[:batch]
                )
            )
            batched.append(
                sum(r.usage.completion_tokens for r in results) / (time.perf_counter() - t0)
            )
        answers = [
            (await generator.complete(_request("bench", q, 32, fixed=False))).choices[0].text
            for q in QUESTIONS
        ]
        row: dict[str, Any] = {
            "device": device,
            "dtype": generator.device_description().split()[-1],
            "load_s": round(load_s, 2),
            "tokens_per_s": summary(single, 1),
            f"batch{batch}_tokens_per_s": summary(batched, 1),
            "rss_mb": resident_memory_mb(),
            "gpu_memory": _gpu_memory(device),
        }
    finally:
        await generator.aclose()
        del generator
        gc.collect()
    row["gpu_memory_after_close"] = _gpu_memory(device)
    return row, answers


def bench_generation(
    *,
    model: str,
    device: str,
    dtypes: list[str],
    cache_dir: Path,
    tokens: int = 64,
    runs: int = 5,
    batch: int = 8,
    progress: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Tokens/s (single and batched), load time and memory for each dtype on ``device``."""
    rows: list[dict[str, Any]] = []
    reference: list[str] | None = None
    for dtype in dtypes:
        progress(f"generation {device} {dtype}")
        row, answers = asyncio.run(
            _bench_dtype(model, device, dtype, cache_dir, tokens, runs, batch)
        )
        if reference is None:
            reference = answers
        row["same_greedy_answers_as_first_dtype"] = (
            f"{sum(a == b for a, b in zip(answers, reference, strict=True))}/{len(answers)}"
        )
        rows.append(row)
    return rows
