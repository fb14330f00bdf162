"""What serves every detector: the memo shares work between rules, the micro-batcher
between requests."""

from __future__ import annotations

import asyncio
import threading

import pytest

from guard.runtime.batcher import MicroBatcher
from guard.runtime.memo import Memo


async def test_rules_sharing_a_model_embed_a_window_once_even_when_concurrent() -> None:
    calls: list[list[str]] = []

    async def compute(keys: list[str]) -> list[int]:
        calls.append(keys)
        await asyncio.sleep(0.01)
        return [len(k) for k in keys]

    memo: Memo[int] = Memo(16)
    first, second = await asyncio.gather(
        memo.many_async(["aa", "bbb"], compute),  # type: ignore[arg-type]
        memo.many_async(["bbb", "c"], compute),  # type: ignore[arg-type]
    )
    assert first == [2, 3] and second == [3, 1]
    assert sorted(k for keys in calls for k in keys) == ["aa", "bbb", "c"], "bbb computed once"


async def test_concurrent_callers_share_a_batch_and_a_failure_fails_only_its_batch() -> None:
    gate = threading.Event()
    batches: list[list[str]] = []

    def run(items: list[str]) -> list[str]:
        gate.wait(5)
        batches.append(items)
        if "bad" in items:
            raise ValueError("model failed")
        return [i.upper() for i in items]

    batcher: MicroBatcher[str, str] = MicroBatcher(run, name="test")
    first = asyncio.ensure_future(batcher.submit(["a"]))
    await asyncio.sleep(0.05)  # the worker holds "a" and waits at the gate
    rest = [asyncio.ensure_future(batcher.submit([x])) for x in ("b", "c")]
    await asyncio.sleep(0.05)
    gate.set()
    assert await first == ["A"]
    assert [await r for r in rest] == [["B"], ["C"]]
    assert batches == [["a"], ["b", "c"]], "what queued while a batch ran went together"
    with pytest.raises(ValueError, match="model failed"):
        await batcher.submit(["bad"])
    assert await batcher.submit(["d"]) == ["D"]
