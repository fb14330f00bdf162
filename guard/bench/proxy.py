"""Proxy cost: the fake generator called directly vs through ``guard serve`` on loopback.

The server runs in its own process (as in production) with the fake generator and the
policies in ``GUARD_POLICY_DIR`` (the shipped pack by default); every prompt is new text, so
the guard really runs on each request (the fake answers echo it). The client
is a minimal keep-alive HTTP/1.1 client in this process, one connection per concurrent
caller (``_Connection``). Latency per request and requests/s at each
concurrency, and streaming time to first token, are measured for both paths in one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from guard.bench.stats import summary
from guard.generators.base import ChatMessage, Delta, GenerationRequest, SamplingParams
from guard.generators.fake import FAKE_MODEL, FakeGenerator

PROMPT = "Summarise the quarterly report for the board in three sentences, please."
_serial = itertools.count()


def _body(**extra: object) -> dict[str, object]:
    """A request whose text is new every time, so no detector result comes from a cache:
    the number leads, so that the fake generator's echo (its first 16 words) is new too
    and the output stage reads a new answer."""
    text = f"Request {next(_serial)}: {PROMPT}"
    return {
        "model": FAKE_MODEL,
        "messages": [{"role": "user", "content": text}],
        "max_tokens": 16,
        **extra,
    }


EMPTY_POLICY = "name: default\nrules: []\n"


@contextlib.contextmanager
def serve_fake(
    workers: int = 1, policy: str = "shipped", token_ms: float = 0.0
) -> Iterator[tuple[str, int]]:
    """Run ``guard serve --workers N`` with the fake generator in a subprocess, with the
    shipped pack (``GUARD_POLICY_DIR``, else ``policies/``) or an ``empty`` policy, the
    fake pausing ``token_ms`` before each token; yield its base URL and process id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GUARD_")}
        env.update(
            GUARD_GENERATOR="fake",
            GUARD_LOG_LEVEL="warning",
            GUARD_CONFIG=str(Path(tmp) / "none.yaml"),
            GUARD_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
            GUARD_FAKE_TOKEN_DELAY_MS=str(token_ms),
        )
        if "GUARD_POLICY_DIR" in os.environ:
            env["GUARD_POLICY_DIR"] = os.environ["GUARD_POLICY_DIR"]
        if policy == "empty":
            (Path(tmp) / "policies").mkdir()
            (Path(tmp) / "policies" / "default.yaml").write_text(EMPTY_POLICY)
            env["GUARD_POLICY_DIR"] = str(Path(tmp) / "policies")
        guard = str(Path(sys.executable).with_name("guard"))
        command = [guard, "serve", "--port", str(port), "--workers", str(workers)]
        process = subprocess.Popen(command, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200 and (
                        len(_tree(process.pid)) > workers or workers == 1
                    ):
                        time.sleep(2 if workers > 1 else 0)  # every worker ready, not just one
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("guard serve did not start for the benchmark")
                time.sleep(0.1)
            yield base, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


async def _load(
    connect: Callable[[], Awaitable[Callable[[], Awaitable[Any]]]], concurrency: int, total: int
) -> tuple[list[float], float]:
    """``total`` calls from ``concurrency`` callers, each with its own ``connect()``ed call
    (for the proxy, its own keep-alive connection); latencies and calls per second."""
    latencies: list[float] = []
    remaining = total
    calls = [await connect() for _ in range(concurrency)]

    async def worker(call: Callable[[], Awaitable[Any]]) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            t0 = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(worker(call) for call in calls))
    return latencies, total / (time.perf_counter() - started)


class _Connection:
    """One keep-alive HTTP/1.1 connection that posts JSON and reads a response with a
    ``Content-Length``: the load client, in the way of ``wrk``. An ``httpx`` client took
    1 to 3 ms of CPU per request at concurrency 64, on the same two cores as the server;
    this takes a tenth of that, so the figures are the server's."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, base: str) -> _Connection:
        url = httpx.URL(base)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        return cls(reader, writer, f"{url.host}:{url.port}")

    async def post(self, path: str, body: dict[str, object]) -> bytes:
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self._writer.write(head.encode() + payload)
        status_line, *headers = (await self._reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        length = next(
            int(h.split(b":", 1)[1]) for h in headers if h.lower().startswith(b"content-length:")
        )
        answer = await self._reader.readexactly(length)
        if status_line.split()[1] != b"200":
            raise RuntimeError(f"guard answered {status_line.decode()}: {answer[:200]!r}")
        return answer

    def close(self) -> None:
        self._writer.close()


def _fake_request(prompt: str = PROMPT, max_tokens: int = 16) -> GenerationRequest:
    return GenerationRequest(
        model=FAKE_MODEL,
        messages=(ChatMessage("user", prompt),),
        params=SamplingParams(max_tokens=max_tokens),
    )


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux): a supervisor and its workers."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += _tree(int(child))
    return found


def process_rss_mb(pid: int) -> float:
    """Memory of process ``pid`` and its workers together, in MiB (Linux): the sum of their
    proportional set sizes, so pages the workers share after a fork count once."""
    kib = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    kib += int(line.split()[1])
    return round(kib / 1024, 1)


async def _bench(
    base: str,
    pid: int,
    concurrencies: list[int],
    requests: int,
    soak: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    direct = FakeGenerator()
    request = _fake_request()
    rows = []
    connections: list[_Connection] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:  # streams only

        async def connect_through() -> Callable[[], Awaitable[Any]]:
            connection = await _Connection.open(base)
            connections.append(connection)
            return lambda: connection.post("/v1/chat/completions", _body())

        async def connect_straight() -> Callable[[], Awaitable[Any]]:
            return lambda: direct.complete(request)

        async def load_through(concurrency: int, total: int) -> tuple[list[float], float]:
            try:
                return await _load(connect_through, concurrency, total)
            finally:
                for connection in connections:
                    connection.close()
                connections.clear()

        await load_through(8, 200)  # warm-up: every worker, connections, first calls
        await asyncio.sleep(2)  # the audit writers store the warm-up's records
        rss_loaded = process_rss_mb(pid)
        # Time to first token on a quiet server, before the load (after it, the audit
        # writers may still be catching up).
        ttft_direct, ttft_proxy = [], []
        for _ in range(30):
            t0 = time.perf_counter()
            async for event in await direct.stream(request):
                if isinstance(event, Delta) and event.text:
                    ttft_direct.append(time.perf_counter() - t0)
                    break
            t0 = time.perf_counter()
            async with client.stream(
                "POST", "/v1/chat/completions", json=_body(stream=True)
            ) as response:
                async for line in response.aiter_lines():
                    if '"content":"' in line and '"content":""' not in line:
                        ttft_proxy.append(time.perf_counter() - t0)
                        break
        for concurrency in concurrencies:
            d_lat, d_rps = await _load(connect_straight, concurrency, requests)
            p_lat, p_rps = await load_through(concurrency, requests)
            rows.append(
                {
                    "concurrency": concurrency,
                    "direct_ms": summary([x * 1000 for x in d_lat]),
                    "proxy_ms": summary([x * 1000 for x in p_lat]),
                    "overhead_p50_ms": round(
                        (sorted(p_lat)[len(p_lat) // 2] - sorted(d_lat)[len(d_lat) // 2]) * 1000, 3
                    ),
                    "direct_rps": round(d_rps, 1),
                    "proxy_rps": round(p_rps, 1),
                }
            )
        soaked: dict[str, Any] = {}
        if soak:
            progress(f"memory soak: {soak} more requests at concurrency 16")
            before = process_rss_mb(pid)
            checkpoints = []
            for part in range(4):
                await load_through(16, soak // 4)
                checkpoints.append(process_rss_mb(pid))
                progress(f"  {(part + 1) * soak // 4} requests: {checkpoints[-1]} MiB")
            soaked = {
                "requests": soak,
                "rss_mb_before": before,
                "rss_mb_quarters": checkpoints,
                "growth_mb": round(checkpoints[-1] - before, 1),
            }
    return {
        "rss_mb_after_warmup": rss_loaded,
        "soak": soaked,
        "load": rows,
        "ttft_direct_ms": summary([x * 1000 for x in ttft_direct]),
        "ttft_proxy_ms": summary([x * 1000 for x in ttft_proxy]),
    }


def bench_proxy(
    *,
    concurrencies: list[int],
    requests: int,
    soak: int = 0,
    workers: int = 1,
    policy: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Latency, throughput and time to first token, direct vs through the proxy; with
    ``soak``, the server's resident memory across that many more requests."""
    progress(f"starting guard serve (fake generator, {policy} policy, {workers} workers)")
    with serve_fake(workers, policy) as (base, pid):
        progress(f"proxy load at concurrency {concurrencies}")
        result = asyncio.run(_bench(base, pid, concurrencies, requests, soak, progress))
    return {"workers": workers, "policy": policy, **result}


# A paced answer's prose (the fake echoes it after "This is a fake answer to: Request N:").
PACED_PROMPT = (
    "The museum opens at nine and closes at six, and most visitors spend about two hours "
    "in the main galleries before they stop for coffee in the courtyard. The guided tour "
    "starts every hour, lasts forty minutes and covers the painting collection on the "
    "first floor, which is the part people remember best."
)


async def _first_pieces(
    base: str, token_ms: float, streams: int
) -> tuple[list[float], list[float], list[int]]:
    """Time to the first text of ``streams`` answers, from the paced fake generator direct
    and through the proxy in turn, and the words in the proxy's first piece."""
    direct = FakeGenerator(token_delay_s=token_ms / 1000)
    direct_s, proxy_s, words = [], [], []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(streams + 1):  # the first pair warms up
            prompt = f"Request {next(_serial)}: {PACED_PROMPT}"
            request = _fake_request(prompt, 64)
            t0 = time.perf_counter()
            async for event in await direct.stream(request):
                if isinstance(event, Delta) and event.text:
                    direct_s.append(time.perf_counter() - t0)
                    break
            body = _body(stream=True, max_tokens=64)
            body["messages"] = [{"role": "user", "content": prompt}]
            t0 = time.perf_counter()
            async with client.stream("POST", "/v1/chat/completions", json=body) as response:
                async for line in response.aiter_lines():
                    if not line.startswith("data: {"):
                        continue
                    choices = json.loads(line[6:])["choices"]
                    text = choices[0]["delta"].get("content") if choices else None
                    if text:
                        proxy_s.append(time.perf_counter() - t0)
                        words.append(len(text.split()))
                        break
    return direct_s[1:], proxy_s[1:], words[1:]


def bench_paced_stream(
    *,
    token_ms: float,
    streams: int = 20,
    policy: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Streaming time to first token with a generator that takes ``token_ms`` per token, as
    a served model does, direct vs through the proxy (one worker): what the output
    hold-back adds to an answer with nothing to hold back, waiting for the words that show
    its first ones begin no finding."""
    progress(f"starting guard serve (fake generator at {token_ms} ms per token, {policy})")
    with serve_fake(1, policy, token_ms) as (base, _):
        direct_s, proxy_s, words = asyncio.run(_first_pieces(base, token_ms, streams))
    direct = summary([x * 1000 for x in direct_s])
    proxy = summary([x * 1000 for x in proxy_s])
    return {
        "policy": policy,
        "token_ms": token_ms,
        "ttft_direct_ms": direct,
        "ttft_proxy_ms": proxy,
        "ttft_added_p50_ms": round(proxy["median"] - direct["median"], 3),
        "first_piece_words": sorted(words)[len(words) // 2] if words else 0,
    }
