"""The Detector protocol and the Finding every detector returns.

A detector looks at texts and reports findings; it knows nothing of HTTP, policies or the
database. Each finding carries its own evidence (which detector, which pattern, model or
example, the score and the threshold it passed, the span), so explanations are built from
findings and never reconstructed later. Evidence never contains the matched text itself.

Detectors are batched: ``detect`` takes several texts and returns one list of findings per
text, so that model-backed detectors can run one forward pass for many messages.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from guard.paths import default_cache_dir


@dataclass(frozen=True)
class Finding:
    """Something a detector found in one text.

    ``start``/``end`` are offsets into the text the detector was given. ``category`` is the
    entity or category (``EMAIL_ADDRESS``, ``prompt_injection``); ``evidence`` names what
    matched (a pattern's name, a model, the nearest example phrase), never the matched text.
    """

    detector: str
    category: str
    start: int
    end: int
    score: float
    threshold: float
    evidence: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class DetectorConfig(BaseModel):
    """Base of every detector's settings in a policy's ``detector:`` mapping.

    Unknown keys are errors. ``type`` names the detector in the registry.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str


T = TypeVar("T")

# Heavy models (spaCy, embedding models) are loaded once per process and shared by every
# rule and every policy reload that uses them.
PROCESS_SHARED: dict[str, Any] = {}


@dataclass(frozen=True)
class DetectorContext:
    """What a detector may need from outside the policy file while it loads."""

    policy_dir: Path = Path(".")
    device: str = "auto"
    # A generator for detectors that ask a model (the judge); None where there is none.
    generator: Any = None
    # Shared heavy resources (models), keyed by the detector that built them.
    shared: dict[str, Any] = field(default_factory=lambda: PROCESS_SHARED)
    # Where derived model files are kept between runs (GUARD_CACHE_DIR, as the settings).
    cache_dir: Path = field(default_factory=lambda: default_cache_dir())
    # False to check policies without loading any model (``guard policy validate``): a
    # detector stops at its first shared resource, having checked its settings and files.
    load_models: bool = True


_shared_lock = threading.RLock()


async def run_sized(
    texts: Sequence[str], inline_chars: int, work: Callable[..., T], *args: Any
) -> T:
    """``work(*args)`` on the event loop when ``texts`` hold at most ``inline_chars``
    characters (a thread hop costs more than short work, and contends for the GIL under
    load), else in a worker thread so the loop keeps serving."""
    if sum(map(len, texts)) <= inline_chars:
        return work(*args)
    return await asyncio.to_thread(work, *args)


class ModelsNotLoadedError(Exception):
    """A detector reached a model while policies are checked without loading models."""


def shared_resource(context: DetectorContext, key: str, build: Callable[[], T]) -> T:
    """The process-wide resource under ``key``, built once (by the first rule that needs it)."""
    if not context.load_models:
        raise ModelsNotLoadedError(key)
    with _shared_lock:
        if key not in context.shared:
            context.shared[key] = build()
        resource: T = context.shared[key]
        return resource


@runtime_checkable
class Detector(Protocol):
    """Finds things in texts. Built from its ``Config`` by ``create``; ``detect`` is batched.

    ``sensitive`` says whether its findings are personal data or secrets: the audit log and
    every explanation shown to a non-privileged reader replace such a finding's text, whatever
    the rule's action (a ``flag`` or ``block`` rule's match is never stored in clear).

    A detector may also have ``across(texts) -> list[list[Finding]]``: what only the
    messages of one request together show (a card number split across two), called with
    all of a request's texts after ``detect``; its findings are never cached per text.

    And ``stream_lead(text) -> int``: the earliest offset from which the end of a streamed
    answer's ``text`` may still become one of its findings once more text arrives (a prefix
    of a pattern, a block that may still grow; ``len(text)`` when none). A stream releases
    what lies before it; a detector without one, or whose ``can_lead`` is False, holds the
    whole hold-back window.
    """

    type_name: ClassVar[str]
    Config: ClassVar[type[DetectorConfig]]
    sensitive: ClassVar[bool]

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> Detector:
        """Build (and load) a detector from validated settings."""

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        """One list of findings per text, offsets into that text."""
