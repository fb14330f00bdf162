"""What serves every detector: the memo shares work between rules, the micro-batcher
between requests."""

from __future__ import annotations

import asyncio
import threading

import pytest

from guard.runtime.batcher import LoopBatcher, MicroBatcher
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


async def test_loop_batcher_runs_what_one_turn_submits_together_on_the_loop() -> None:
    batches: list[list[str]] = []
    threads: set[int] = set()

    def run(items: list[str]) -> list[str]:
        threads.add(threading.get_ident())
        batches.append(items)
        if "bad" in items:
            raise ValueError("model failed")
        return [i.upper() for i in items]

    batcher: LoopBatcher[str, str] = LoopBatcher(run, max_batch=3)
    results = await asyncio.gather(*(batcher.submit(list(x)) for x in ("ab", "c", "d", "e")))
    assert results == [["A", "B"], ["C"], ["D"], ["E"]]
    assert batches == [["a", "b", "c"], ["d", "e"]], "one turn's calls, max_batch at a time"
    assert threads == {threading.get_ident()}, "on the loop's own thread"
    bad = asyncio.ensure_future(batcher.submit(["bad"]))
    with_bad = asyncio.ensure_future(batcher.submit(["x"]))
    with pytest.raises(ValueError, match="model failed"):
        await bad
    with pytest.raises(ValueError, match="model failed"):
        await with_bad  # the failure fails exactly the callers of that batch
    assert await batcher.submit(["d"]) == ["D"]
    cancelled = asyncio.ensure_future(batcher.submit(["gone"]))
    await asyncio.sleep(0)  # it is waiting in this turn's batch
    cancelled.cancel()
    assert await batcher.submit(["f"]) == ["F"]
    assert ["gone"] not in batches
