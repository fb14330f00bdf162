"""The batching worker behind LocalGenerator: one thread owns the model.

It takes the oldest request plus any others with the same sampling settings that arrive
within the wait window, up to the batch size in rows, left-pads them into one batch and
runs ``generate``. A stopping-criteria hook sees every new token, streams each row's text
back to its request's event loop, applies per-row ``max_tokens`` and stop strings, and
ends rows whose caller went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from guard.errors import GenerationError, GuardError, ServiceUnavailableError
from guard.generators.base import Delta, FinishReason, SamplingParams, Usage
from guard.generators.local_model import LoadedModel
from guard.generators.stops import StopStringBuffer

log = logging.getLogger(__name__)

END = object()
_job_ids = itertools.count()


@dataclass
class _Row:
    """One sequence being generated: a request with ``n`` choices has ``n`` rows."""

    job: Job
    index: int
    max_tokens: int
    buffer: StopStringBuffer
    generated: list[int] = field(default_factory=list)
    done: bool = False


class Job:
    """A tokenized request waiting for, or inside, a batch; talks back to its event loop."""

    def __init__(self, params: SamplingParams, prompt_ids: list[int], max_tokens: int):
        self.params = params
        self.prompt_ids = prompt_ids
        self.loop = asyncio.get_running_loop()
        self.events: asyncio.Queue[Any] = asyncio.Queue()
        self.cancelled = threading.Event()
        self.rows = [
            _Row(self, i, max_tokens, StopStringBuffer(params.stop)) for i in range(params.n)
        ]
        seq = next(_job_ids)
        # Seeded requests run alone so that the same seed gives the same answer.
        self.batch_key: Hashable = (
            params.temperature,
            params.top_p,
            params.top_k,
            params.num_beams,
            params.repetition_penalty,
            params.min_tokens,
            seq if params.seed is not None else None,
        )

    def emit(self, event: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the caller's event loop already closed
            self.loop.call_soon_threadsafe(self.events.put_nowait, event)

    def finish_row(self, row: _Row, text: str, reason: FinishReason) -> None:
        if row.done:
            return
        row.done = True
        self.emit(Delta(row.index, row.buffer.flush(text), reason))

    def end(self) -> None:
        completion_tokens = sum(len(r.generated) for r in self.rows)
        self.emit(Usage(prompt_tokens=len(self.prompt_ids), completion_tokens=completion_tokens))
        self.emit(END)

    def fail(self, error: GuardError) -> None:
        self.emit(error)


class BatchingWorker:
    """The thread that owns the model: takes compatible jobs and generates them together."""

    def __init__(self, loaded: LoadedModel, *, max_batch_size: int, wait_s: float):
        self._loaded = loaded
        self._max_rows = max_batch_size
        self._wait_s = wait_s
        self._pending: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="guard-generator", daemon=True)
        self.batch_sizes: deque[int] = deque(maxlen=1000)
        self.stats = {"batches": 0, "rows": 0, "tokens": 0, "cancelled_rows": 0}

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._cond:
            if self._stopping:
                raise ServiceUnavailableError("the generator is shutting down")
            self._pending.append(job)
            self._cond.notify()

    def queue_depth(self) -> int:
        return len(self._pending)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
        for job in self._pending:
            job.fail(ServiceUnavailableError("the generator shut down"))
        self._pending.clear()

    def _take_batch(self) -> list[Job]:
        with self._cond:
            while not self._pending and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return []
            first = self._pending.popleft()
            batch, rows = [first], len(first.rows)
            deadline = time.monotonic() + self._wait_s
            while rows < self._max_rows:
                match = next(
                    (
                        j
                        for j in self._pending
                        if j.batch_key == first.batch_key and rows + len(j.rows) <= self._max_rows
                    ),
                    None,
                )
                if match is not None:
                    self._pending.remove(match)
                    batch.append(match)
                    rows += len(match.rows)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=remaining)
                if self._stopping:
                    break
        return [job for job in batch if not job.cancelled.is_set()]

    def _run(self) -> None:
        while True:
            jobs = self._take_batch()
            if self._stopping and not jobs:
                return
            if not jobs:
                continue
            self.batch_sizes.append(sum(len(j.rows) for j in jobs))
            try:
                self._generate(jobs)
                self._count(jobs)
            except Exception as exc:  # the model failed: every job in the batch hears why
                log.exception("generation failed for a batch of %d request(s)", len(jobs))
                for job in jobs:
                    job.fail(GenerationError(f"generation failed: {type(exc).__name__}: {exc}"))
                continue
            for job in jobs:
                job.end()

    def _count(self, jobs: list[Job]) -> None:
        rows = [row for job in jobs for row in job.rows]
        self.stats["batches"] += 1
        self.stats["rows"] += len(rows)
        self.stats["tokens"] += sum(len(r.generated) for r in rows)
        self.stats["cancelled_rows"] += sum(1 for r in rows if r.job.cancelled.is_set())

    def _generate(self, jobs: list[Job]) -> None:
        import torch
        from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList

        loaded = self._loaded
        tokenizer = loaded.tokenizer
        rows = [row for job in jobs for row in job.rows]
        prompts = [job.prompt_ids for job in jobs for _ in job.rows]
        width = max(len(p) for p in prompts)
        pad = tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
        attention = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        params = jobs[0].params
        beams = params.num_beams > 1
        config = _generation_config(
            GenerationConfig, params, max(r.max_tokens for r in rows), pad, loaded.eos_token_ids
        )
        eos = set(loaded.eos_token_ids)

        class StreamRows(StoppingCriteria):
            """Sees each new token: streams text, ends rows (stop, length, cancelled)."""

            def __call__(self, ids: Any, scores: Any, **kwargs: Any) -> Any:
                for row, token in zip(rows, ids[:, -1].tolist(), strict=True):
                    if not row.done:
                        _advance(row, token, eos, tokenizer)
                return torch.tensor([r.done for r in rows], device=ids.device)

        class CancelBeams(StoppingCriteria):
            """Beam search cannot stream; it only stops early when every caller left."""

            def __call__(self, ids: Any, scores: Any, **kwargs: Any) -> Any:
                gone = all(job.cancelled.is_set() for job in jobs)
                return torch.full((ids.shape[0],), gone, dtype=torch.bool, device=ids.device)

        hook = CancelBeams() if beams else StreamRows()
        if params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.inference_mode():
            output = loaded.model.generate(
                input_ids=input_ids.to(loaded.device),
                attention_mask=attention.to(loaded.device),
                generation_config=config,
                stopping_criteria=StoppingCriteriaList([hook]),
            )
        for row, sequence in zip(rows, output[:, width:].tolist(), strict=True):
            if beams:
                _finish_beam_row(row, sequence, eos, tokenizer)
            elif not row.done:
                row.job.finish_row(row, _decode(tokenizer, row.generated), "length")


def _generation_config(
    config_cls: Any, params: SamplingParams, max_new: int, pad: int, eos: tuple[int, ...]
) -> Any:
    kwargs: dict[str, Any] = {
        "max_new_tokens": max_new,
        "pad_token_id": pad,
        "eos_token_id": list(eos),
        "repetition_penalty": params.repetition_penalty,
    }
    if params.min_tokens:
        kwargs["min_new_tokens"] = params.min_tokens
    if params.num_beams > 1:
        kwargs.update(num_beams=params.num_beams, do_sample=False, early_stopping=True)
    elif params.temperature:
        kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        kwargs["top_k"] = params.top_k if params.top_k > 0 else None
    else:
        kwargs["do_sample"] = False
    return config_cls(**kwargs)


def _decode(tokenizer: Any, ids: list[int]) -> str:
    return str(tokenizer.decode(ids, skip_special_tokens=True))


def _advance(row: _Row, token: int, eos: set[int], tokenizer: Any) -> None:
    """Take one new token for ``row``: release text, or end it on eos, stop or length."""
    job = row.job
    if job.cancelled.is_set():
        row.done = True
        return
    if token in eos:
        job.finish_row(row, _decode(tokenizer, row.generated), "stop")
        return
    row.generated.append(token)
    text = _decode(tokenizer, row.generated)
    piece = row.buffer.feed(text)
    if row.buffer.stopped:
        job.emit(Delta(row.index, piece))
        job.finish_row(row, text, "stop")
    elif len(row.generated) >= row.max_tokens:
        job.emit(Delta(row.index, piece))
        job.finish_row(row, text, "length")
    elif piece:
        job.emit(Delta(row.index, piece))


def _finish_beam_row(row: _Row, sequence: list[int], eos: set[int], tokenizer: Any) -> None:
    reason: FinishReason = "length"
    tokens: list[int] = []
    for token in sequence[: row.max_tokens]:
        if token in eos:
            reason = "stop"
            break
        tokens.append(token)
    row.generated = tokens
    text = _decode(tokenizer, tokens)
    head = row.buffer.feed(text)
    if row.buffer.stopped:
        reason = "stop"
    row.job.emit(Delta(row.index, head))
    row.job.finish_row(row, text, reason)
