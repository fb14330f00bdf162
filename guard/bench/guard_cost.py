"""Guard cost in process: each stage and each rule's detector on prompts of ~200, ~1,000 and
~8,000 characters, and PII detection throughput against plain Presidio on the same texts.

Every measured text is new (random words, names and numbers from a seeded generator), so
no memo or findings cache answers for a detector: the figures are cold costs. A stage's
figure is the whole input (or output) stage with its rules running together, as live
traffic sees it; a rule's figure is that rule's detector alone on another new text.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from guard.bench.stats import resident_memory_mb, summary
from guard.generators.base import Delta, StreamEvent
from guard.policy.actions import Pseudonyms
from guard.policy.base import StageOutcome
from guard.policy.evaluate import Evaluator
from guard.policy.loader import Policy
from guard.policy.stream_guard import StreamGuard

_WORDS = tuple(
    [
        "report",
        "quarter",
        "sales",
        "region",
        "customer",
        "invoice",
        "order",
        "team",
        "project",
        "budget",
        "meeting",
        "summary",
        "plan",
        "market",
        "product",
        "release",
        "issue",
        "support",
        "account",
        "travel",
        "policy",
        "review",
        "contract",
        "schedule",
        "update",
        "design",
        "service",
        "revenue",
        "growth",
        "risk",
        "data",
        "model",
        "results",
        "analysis",
    ]
)
_NAMES = tuple(
    [
        "Anna",
        "Jonas",
        "Maria",
        "Pedro",
        "Chen",
        "Aisha",
        "Lukas",
        "Sofia",
        "Omar",
        "Elena",
        "Ravi",
        "Ingrid",
    ]
)
_SURNAMES = tuple(
    [
        "Berg",
        "Silva",
        "Novak",
        "Okafor",
        "Tanaka",
        "Müller",
        "Rossi",
        "Haddad",
        "Larsen",
        "Costa",
        "Kim",
    ]
)


class TextMaker:
    """New English-like prompts of a target length, some with personal data in them."""

    def __init__(self, seed: int = 0):
        self._random = random.Random(seed)

    def sentence(self) -> str:
        r = self._random
        words = " ".join(r.choice(_WORDS) for _ in range(r.randint(6, 14)))
        kind = r.random()
        if kind < 0.15:
            name = f"{r.choice(_NAMES)} {r.choice(_SURNAMES)}"
            return f"Please ask {name} about the {words}."
        if kind < 0.22:
            phone = f"{r.randint(200, 989)}-{r.randint(200, 989)}-{r.randint(1000, 9999)}"
            return f"Call me on {phone} about the {words}."
        if kind < 0.27:
            return f"Ship the {words} to {r.randint(1, 999)} Main Street, Springfield."
        return f"The {words} {r.randint(2, 99)}."

    def text(self, chars: int) -> str:
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars - 40:
            parts.append(self.sentence())
        return " ".join(parts)


STREAM_LEAD = "output stream lead, per scan"
_STREAM_WINDOW = 160  # GUARD_STREAM_HOLDBACK_CHARS, 16 before it and a scan's 48 new


async def _time(work: Awaitable[Any]) -> float:
    """Milliseconds to await ``work`` (built, with its new text, before the clock starts)."""
    started = time.perf_counter()
    await work
    return (time.perf_counter() - started) * 1000


async def stage_costs(
    policy: Policy,
    *,
    sizes: list[int],
    runs: int,
    progress: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Per size: each stage's time and each rule's detector's time, median and p95 in ms."""
    maker = TextMaker(seed=1)
    evaluator = Evaluator()
    for stage in ("input", "output"):  # warm-up: first calls load and trace the models
        await evaluator.evaluate(policy, stage, [maker.text(300)])  # type: ignore[arg-type]
    rows = []
    for size in sizes:
        progress(f"guard cost on ~{size}-character texts, {runs} runs")
        row: dict[str, Any] = {"chars": size, "stages": {}, "rules": {}}
        for stage in ("input", "output"):
            rules = policy.rules_for(stage)  # type: ignore[arg-type]
            if not rules:
                continue
            timings = [
                await _time(evaluator.evaluate(policy, stage, [maker.text(size)]))  # type: ignore[arg-type]
                for _ in range(runs)
            ]
            row["stages"][stage] = summary(timings)
            for rule in rules:
                per_rule = [
                    await _time(rule.detector.detect([maker.text(size)])) for _ in range(runs)
                ]
                row["rules"][f"{stage}:{rule.id}"] = {
                    "detector": str(rule.rule.detector["type"]),
                    **summary(per_rule),
                }
        if policy.rules_for("output"):
            # What a streamed answer's scan asks on top (where to hold): over the window a
            # stream reads, the hold-back and a scan's new text, whatever the answer's size.
            window = min(size, _STREAM_WINDOW)
            leads = []
            for _ in range(runs):
                text = maker.text(window)
                started = time.perf_counter()
                evaluator.stream_lead(policy, text)
                leads.append((time.perf_counter() - started) * 1000)
            row["stages"][STREAM_LEAD] = summary(leads)
        rows.append(row)
    return rows


async def pii_throughput(
    policy: Policy, *, texts: int, chars: int, progress: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Texts/s of the policy's input pii rules (together, as a stage runs them) against plain
    Presidio defaults (every recognizer, one ``analyze`` per text) on the same texts."""
    from guard.detectors.pii import plain_presidio_analyzer

    rules = [r for r in policy.rules_for("input") if r.rule.detector["type"] == "pii"]
    if not rules:
        return {}
    maker = TextMaker(seed=2)
    batch = [maker.text(chars) for _ in range(texts)]
    analyzer = plain_presidio_analyzer()
    analyzer.analyze(text=maker.text(chars), language="en")  # warm-up
    progress(f"plain Presidio on {texts} texts of ~{chars} characters")
    started = time.perf_counter()
    for text in batch:
        analyzer.analyze(text=text, language="en")
    presidio_s = time.perf_counter() - started
    progress(f"guard's pii rules on the same {texts} texts")
    started = time.perf_counter()
    await asyncio.gather(*(rule.detector.detect(batch) for rule in rules))
    guard_s = time.perf_counter() - started
    return {
        "texts": texts,
        "chars": chars,
        "rules": [r.id for r in rules],
        "guard_texts_per_s": round(texts / guard_s, 1),
        "presidio_texts_per_s": round(texts / presidio_s, 1),
        "ratio": round(presidio_s / guard_s, 2),
    }


async def stream_cost(
    policy: Policy,
    *,
    runs: int,
    chars: int = 1000,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """CPU milliseconds the output guard takes for a whole streamed answer of ~``chars``
    characters arriving word by word, with the rules' leads (what a stream holds) and with
    the fixed window alone (as where a rule cannot lead), in turns, a new answer each."""
    evaluator = Evaluator()
    if not policy.rules_for("output") or not evaluator.can_lead(policy):
        return {}
    progress(f"a streamed ~{chars}-character answer, word by word, {runs} runs each way")
    maker = TextMaker(seed=3)

    async def one(leading: bool) -> float:
        words = maker.text(chars).split(" ")

        async def pieces() -> AsyncIterator[StreamEvent]:
            for index, word in enumerate(words):
                last = index == len(words) - 1
                yield Delta(0, word if index == 0 else f" {word}", "stop" if last else None)

        guard = StreamGuard(
            evaluate=lambda texts: evaluator.evaluate(policy, "output", texts),
            pseudonyms=Pseudonyms(),
            hash_key=b"bench",
            outcome=StageOutcome("output"),
            lead=(lambda text: evaluator.stream_lead(policy, text)) if leading else None,
        )
        started = time.process_time()
        async for _ in guard.run(pieces()):
            pass
        return (time.process_time() - started) * 1000

    await one(True)  # warm-up
    leads, window = [], []
    for _ in range(runs):
        leads.append(await one(True))
        window.append(await one(False))
    with_leads, fixed = summary(leads), summary(window)
    return {
        "chars": chars,
        "leads_ms": with_leads,
        "window_ms": fixed,
        "ratio": round(with_leads["median"] / fixed["median"], 2),
    }


def bench_guard(
    policy: Policy,
    *,
    sizes: list[int],
    runs: int,
    pii_texts: int,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        loaded = resident_memory_mb()
        costs = await stage_costs(policy, sizes=sizes, runs=runs, progress=progress)
        throughput = await pii_throughput(policy, texts=pii_texts, chars=1000, progress=progress)
        streamed = await stream_cost(policy, runs=runs, progress=progress)
        return {
            "policy": policy.name,
            "version": policy.version,
            "rss_mb_after_load": loaded,
            "sizes": costs,
            "pii_throughput": throughput,
            "stream": streamed,
            "rss_mb_after": resident_memory_mb(),
        }

    return asyncio.run(run())
