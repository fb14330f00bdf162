"""The live policy set: loaded at start, reloaded when files change, swapped atomically.

A reload that fails leaves the previous policies serving; the failure is logged, counted
in ``guard_policy_reloads_total{result="error"}`` and shown at ``GET /v1/policies``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guard.detectors.base import DetectorContext
from guard.policy.loader import PolicyLoadError, PolicySet, load_policies

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    at: float
    problems: tuple[str, ...]


class PolicyStore:
    """Holds the current ``PolicySet``; readers take ``store.current`` once per request."""

    def __init__(self, directory: Path, context: DetectorContext, *, on_reload=None):  # type: ignore[no-untyped-def]
        self.directory = directory
        self.context = context
        self.current: PolicySet = PolicySet(policies={}, directory=str(directory))
        self.loaded_at: float | None = None
        self.last_error: LoadFailure | None = None
        self._on_reload = on_reload or (lambda ok: None)
        # called (in a thread) with each policy set that starts serving after a reload
        self.on_swap: list[Callable[[PolicySet], None]] = []
        self._lock = asyncio.Lock()

    def load(self) -> PolicySet:
        """Load synchronously (at start); raises ``PolicyLoadError`` so start-up can refuse."""
        if not self.directory.is_dir():
            raise PolicyLoadError([])  # pragma: no cover - settings check this first
        self.current = load_policies([self.directory], self.context)
        self.loaded_at = time.time()
        return self.current

    async def reload(self) -> bool:
        """Load again; swap in on success, keep the old set on failure."""
        async with self._lock:
            try:
                fresh = await asyncio.to_thread(load_policies, [self.directory], self.context)
            except PolicyLoadError as exc:
                self.last_error = LoadFailure(time.time(), tuple(str(p) for p in exc.problems))
                log.error(
                    "policy reload rejected; the previous policies keep serving:\n%s", exc.message
                )
                self._on_reload(False)
                return False
            self.current = fresh
            self.loaded_at = time.time()
            versions = ", ".join(f"{p.name}@{p.version}" for p in fresh.policies.values())
            log.info("policies reloaded: %s", versions or "none")
            self._on_reload(True)
        for listener in self.on_swap:
            try:
                await asyncio.to_thread(listener, fresh)
            except Exception as exc:  # a listener's failure never undoes the reload
                log.error("after the policy reload: %s", exc)
        return True

    async def watch(self, debounce_ms: int = 300) -> None:
        """Reload whenever a file in the directory changes (until cancelled)."""
        from watchfiles import awatch

        async for _changes in awatch(self.directory, debounce=debounce_ms, recursive=False):
            await self.reload()
