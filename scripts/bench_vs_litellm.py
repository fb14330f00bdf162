"""guard beside the LiteLLM proxy, in front of the same fake upstream (``fake_upstream.py``),
with the same load client as ``guard bench proxy``; interleaved rounds, medians printed.

LiteLLM is not one of guard's dependencies: install it in a virtual environment of its own
(``python -m venv /tmp/litellm && /tmp/litellm/bin/pip install 'litellm[proxy]'``) and pass
its ``litellm`` command. It runs with no database and no guardrails, as a plain proxy; guard
runs the policies in ``--policies`` (the shipped pack by default) with the ``upstream``
generator and SQLite.

    .venv/bin/python scripts/bench_vs_litellm.py --litellm /tmp/litellm/bin/litellm --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guard.bench.proxy import PROMPT, _Connection, _load  # noqa: E402


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server behind {url} ended")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--litellm", required=True, help="the litellm command of its own venv")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=600, help="per level, path and round")
    parser.add_argument("--policies", default=str(ROOT / "policies"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="guard-vs-litellm-"))
    bin_dir = Path(sys.executable).parent
    upstream, litellm, guard = _port(), _port(), _port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "uvicorn"),
                    "fake_upstream:app",
                    "--app-dir",
                    str(ROOT / "scripts"),
                    "--port",
                    str(upstream),
                    "--log-level",
                    "warning",
                    "--workers",
                    str(args.workers),
                ]
            )
        )
        _wait(f"http://127.0.0.1:{upstream}/v1/models", processes[-1])
        (tmp / "litellm.yaml").write_text(
            "model_list:\n  - model_name: fake\n    litellm_params: {model: openai/fake, "
            f'api_base: "http://127.0.0.1:{upstream}/v1", api_key: x}}\n'
        )
        env = dict(os.environ, LITELLM_LOG="ERROR")
        env["LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY"] = "true"  # as guard: no key
        processes.append(
            subprocess.Popen(
                [
                    args.litellm,
                    "--config",
                    str(tmp / "litellm.yaml"),
                    "--port",
                    str(litellm),
                    "--num_workers",
                    str(args.workers),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(tmp / "litellm.log").open("w"),
            )
        )
        guard_env = {k: v for k, v in os.environ.items() if not k.startswith("GUARD_")}
        guard_env.update(
            GUARD_GENERATOR="upstream",
            GUARD_UPSTREAM_URL=f"http://127.0.0.1:{upstream}/v1",
            GUARD_SERVED_MODEL_NAME="fake",
            GUARD_LOG_LEVEL="warning",
            GUARD_CONFIG=str(tmp / "none.yaml"),
            GUARD_DATABASE_URL=f"sqlite:///{tmp / 'guard.db'}",
            GUARD_HASH_KEY_FILE=str(tmp / "hash.key"),
            GUARD_POLICY_DIR=args.policies,
        )
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "guard"),
                    "serve",
                    "--port",
                    str(guard),
                    "--workers",
                    str(args.workers),
                ],
                env=guard_env,
            )
        )
        _wait(f"http://127.0.0.1:{guard}/readyz", processes[-1])
        _wait(f"http://127.0.0.1:{litellm}/health/liveliness", processes[1])
        time.sleep(3)  # every worker up
        asyncio.run(_measure({"direct": upstream, "litellm": litellm, "guard": guard}, args))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def _measure(targets: dict[str, int], args: argparse.Namespace) -> None:
    serial = itertools.count()

    def body() -> dict[str, Any]:
        text = f"Request {next(serial)}: {PROMPT}"
        return {"model": "fake", "messages": [{"role": "user", "content": text}], "max_tokens": 16}

    async def level(port: int, concurrency: int, total: int) -> tuple[list[float], float]:
        connections: list[_Connection] = []

        async def connect() -> Callable[[], Awaitable[Any]]:
            connection = await _Connection.open(f"http://127.0.0.1:{port}")
            connections.append(connection)
            return lambda: connection.post("/v1/chat/completions", body())

        try:
            return await _load(connect, concurrency, total)
        finally:
            for connection in connections:
                connection.close()

    for port in targets.values():
        await level(port, 8, 200)  # warm-up
    await asyncio.sleep(2)
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for concurrency in (1, 16, 64):
            for name, port in targets.items():
                latencies, rps = await level(port, concurrency, args.requests)
                latencies.sort()
                results.setdefault((name, concurrency), []).append(
                    (latencies[len(latencies) // 2] * 1000, rps)
                )
    for concurrency in (1, 16, 64):
        for name in targets:
            rows = results[(name, concurrency)]
            p50 = sorted(r[0] for r in rows)[len(rows) // 2]
            rps = sorted(r[1] for r in rows)[len(rows) // 2]
            print(
                f"workers {args.workers}  concurrency {concurrency:<3} {name:8} "
                f"p50 {p50:8.2f} ms  {rps:8.1f} requests/s  rounds {[round(r[1]) for r in rows]}"
            )


if __name__ == "__main__":
    main()
