"""Detector batches on an accelerator beside the CPU, with GPU memory at each step.

The transformer embedding model (the semantic detector's ``encoder: transformer``) embeds
batches of ~300-character windows on the CPU and on the device, side by side; the
device's memory is read before the model loads, after it loads, after the batches (peak)
and after the model is released (allocated must return to where it started; reserved is
what the caching allocator keeps until ``empty_cache``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from guard.bench.guard_cost import TextMaker
from guard.bench.stats import summary


def _memory(device: str) -> dict[str, int] | None:
    import torch

    if not device.startswith("cuda") or not torch.cuda.is_available():
        return None
    torch.cuda.synchronize(device)
    return {
        "allocated": torch.cuda.memory_allocated(device),
        "reserved": torch.cuda.memory_reserved(device),
        "peak_allocated": torch.cuda.max_memory_allocated(device),
    }


def _embedding_batches(
    device: str, batches: list[int], runs: int, progress: Callable[[str], None]
) -> dict[str, Any]:
    import torch
    from sentence_transformers import SentenceTransformer

    from guard.detectors.semantic import bundled_embedding_model, embed

    memory: dict[str, Any] = {"before_load": _memory(device)}
    model = SentenceTransformer(
        str(bundled_embedding_model()), device=device, local_files_only=True
    )
    memory["after_load"] = _memory(device)
    maker = TextMaker(seed=4)
    embed(model, [maker.text(300) for _ in range(8)])  # warm-up (kernels, allocator)
    rows = []
    for batch in batches:
        progress(f"embedding batches of {batch} on {device}")
        timings = []
        for _ in range(runs):
            pieces = [maker.text(300) for _ in range(batch)]
            started = time.perf_counter()
            vectors = embed(model, pieces)
            if device.startswith("cuda"):
                torch.cuda.synchronize(device)
            timings.append((time.perf_counter() - started) * 1000)
            del vectors
        figures = summary(timings)
        rows.append(
            {
                "batch": batch,
                "ms": figures,
                "windows_per_s": round(batch / (figures["median"] / 1000), 1),
            }
        )
    memory["after_batches"] = _memory(device)
    del model
    gc.collect()
    memory["after_release"] = _memory(device)
    if device.startswith("cuda") and torch.cuda.is_available():
        torch.cuda.empty_cache()
        memory["after_empty_cache"] = _memory(device)
    return {"device": device, "batches": rows, "memory": memory}


def bench_detector_batches(
    *,
    device: str,
    batches: list[int],
    runs: int = 5,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Windows/s of the embedding model on the CPU and on ``device`` for each batch size,
    and the speed-up; GPU memory per step."""
    cpu = _embedding_batches("cpu", batches, runs, progress)
    result: dict[str, Any] = {"cpu": cpu}
    if device != "cpu":
        on_device = _embedding_batches(device, batches, runs, progress)
        result[device] = on_device
        result["speedup"] = {
            str(a["batch"]): round(b["windows_per_s"] / a["windows_per_s"], 2)
            for a, b in zip(cpu["batches"], on_device["batches"], strict=True)
        }
    return result
