"""Micro-batching across concurrent requests: one worker thread per model, or, for short
work, batches run on the event loop itself (``LoopBatcher``).

Callers from any request (and any event loop) submit their items and await the result;
the worker runs the model on everything waiting as one batch. While a batch runs, new
items queue up and go together next, so under load batches grow by themselves and at
concurrency 1 nothing waits (``max_wait_s`` adds a deliberate wait for company when set).
A failure in the model call fails exactly the callers of that batch.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


_LIVE: weakref.WeakSet[MicroBatcher[Any, Any]] = weakref.WeakSet()


def _restart_after_fork() -> None:
    for batcher in list(_LIVE):
        batcher._begin()


os.register_at_fork(after_in_child=_restart_after_fork)


class MicroBatcher(Generic[Item, Result]):
    def __init__(
        self,
        run: Callable[[list[Item]], list[Result]],
        *,
        name: str,
        max_batch: int = 128,
        max_wait_s: float = 0.0,
    ):
        self._run = run
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._name = name
        self.batches = 0
        self.items = 0
        self._begin()
        _LIVE.add(self)

    def _begin(self) -> None:
        """A fresh queue and worker thread (at start, and in a process forked from this
        one: ``guard serve --workers`` loads models, then forks, and threads do not fork)."""
        self._pending: list[tuple[list[Item], Future[list[Result]]]] = []
        self._wake = threading.Condition()
        self._thread = threading.Thread(
            target=self._work, name=f"batcher:{self._name}", daemon=True
        )
        self._thread.start()

    async def submit(self, items: Sequence[Item]) -> list[Result]:
        """Results for ``items``, in order, computed in a batch with other callers' items."""
        if not items:
            return []
        future: Future[list[Result]] = Future()
        with self._wake:
            self._pending.append((list(items), future))
            self._wake.notify()
        return await asyncio.wrap_future(future)

    def _take(self) -> list[tuple[list[Item], Future[list[Result]]]]:
        with self._wake:
            while not self._pending:
                self._wake.wait()
            if self._max_wait_s:
                deadline = time.monotonic() + self._max_wait_s
                while sum(len(i) for i, _ in self._pending) < self._max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._wake.wait(left)
            taken: list[tuple[list[Item], Future[list[Result]]]] = []
            size = 0
            while self._pending:
                if taken and size + len(self._pending[0][0]) > self._max_batch:
                    break
                request = self._pending.pop(0)
                taken.append(request)
                size += len(request[0])
            return taken

    def _work(self) -> None:
        while True:
            taken = self._take()
            live = [(i, future) for i, future in taken if future.set_running_or_notify_cancel()]
            if not live:
                continue
            ran = _deliver(self._run, live)  # on a failure the worker goes on
            if ran:
                self.batches += 1
                self.items += ran


def _deliver(
    run: Callable[[list[Item]], list[Result]], live: Sequence[tuple[list[Item], Any]]
) -> int:
    """Run ``run`` on the callers' items as one batch and give each caller's future its
    slice, or the failure to every one of them; the number of items run (0 on a failure)."""
    batch = [item for items, _ in live for item in items]
    try:
        results = run(batch)
    except BaseException as exc:  # exactly the callers of this batch get the failure
        for _, future in live:
            future.set_exception(exc)
        return 0
    offset = 0
    for items, future in live:
        future.set_result(results[offset : offset + len(items)])
        offset += len(items)
    return len(batch)


class LoopBatcher(Generic[Item, Result]):
    """Micro-batching on the event loop, for short work: the items every caller submits
    while the loop runs its ready callbacks are run as one batch right after, on the loop.

    A worker thread (``MicroBatcher``) costs more than it saves on short texts: each hand-off
    contends for the GIL with the loop, and under load that contention cost more than a
    quarter of the proxy's throughput. Long work belongs in ``MicroBatcher``, where the loop
    keeps serving while it runs.
    """

    def __init__(self, run: Callable[[list[Item]], list[Result]], *, max_batch: int = 32):
        self._run = run
        self._max_batch = max_batch
        self._pending: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, list[tuple[list[Item], asyncio.Future[list[Result]]]]
        ] = weakref.WeakKeyDictionary()
        self.batches = 0
        self.items = 0

    async def submit(self, items: Sequence[Item]) -> list[Result]:
        """Results for ``items``, in order, computed in one batch with the items other
        callers on this loop submit in the same turn of the loop."""
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Result]] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            loop.call_soon(self._flush, loop)
        pending.append((list(items), future))
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run what is waiting, at most ``max_batch`` items at once (a call never splits);
        the rest goes in the next turn, so the loop serves in between."""
        waiting = self._pending.pop(loop, [])
        live: list[tuple[list[Item], asyncio.Future[list[Result]]]] = []
        size = 0
        while waiting and (not live or size + len(waiting[0][0]) <= self._max_batch):
            items, future = waiting.pop(0)
            if not future.cancelled():
                live.append((items, future))
                size += len(items)
        if waiting:
            self._pending[loop] = waiting
            loop.call_soon(self._flush, loop)
        ran = _deliver(self._run, live) if live else 0
        if ran:
            self.batches += 1
            self.items += ran
