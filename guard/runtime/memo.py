"""A small thread-safe LRU that lets rules sharing a model reuse its work on the same text
(several pii rules run spaCy once per text; several semantic rules embed a sentence once)."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Maps keys to computed values, keeping the ``size`` most recently used."""

    def __init__(self, size: int = 2048):
        self._size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, Future[V]] = {}

    def many(
        self, keys: Sequence[Hashable], compute: Callable[[list[Hashable]], list[V]]
    ) -> list[V]:
        """Values for ``keys``, computing only the missing ones (in one call, in order)."""
        found, missing = self._lookup(keys)
        if missing:
            found.update(self._store(missing, compute(missing)))
        return [found[k] for k in keys]

    async def many_async(
        self, keys: Sequence[Hashable], compute: Callable[[list[Hashable]], Awaitable[list[V]]]
    ) -> list[V]:
        """``many`` with an awaitable ``compute`` (a micro-batcher's submit). A key another
        caller is computing right now is awaited, not computed twice: rules sharing a model
        run concurrently on the same text."""
        found, missing = self._lookup(keys)
        mine: list[Hashable] = []
        theirs: dict[Hashable, Future[V]] = {}
        with self._lock:
            for key in missing:
                if key in self._items:
                    found[key] = self._items[key]
                elif key in self._inflight:
                    theirs[key] = self._inflight[key]
                else:
                    self._inflight[key] = Future()
                    mine.append(key)
        if mine:
            try:
                fresh = self._store(mine, await compute(mine))
            except BaseException as exc:
                with self._lock:
                    for key in mine:
                        self._inflight.pop(key).set_exception(exc)
                raise
            with self._lock:
                for key in mine:
                    self._inflight.pop(key).set_result(fresh[key])
            found.update(fresh)
        for key, pending in theirs.items():
            found[key] = await asyncio.wrap_future(pending)
        return [found[k] for k in keys]

    def _lookup(self, keys: Sequence[Hashable]) -> tuple[dict[Hashable, V], list[Hashable]]:
        with self._lock:
            found = {k: self._items[k] for k in keys if k in self._items}
            for key in found:
                self._items.move_to_end(key)
        return found, list(dict.fromkeys(k for k in keys if k not in found))

    def _store(self, keys: list[Hashable], values: list[V]) -> dict[Hashable, V]:
        fresh = dict(zip(keys, values, strict=True))
        with self._lock:
            for key, value in fresh.items():
                self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return fresh
