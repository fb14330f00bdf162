"""`guard serve --workers 2` on PostgreSQL and Redis: both workers answer on one port, each
with its own audit chain, /metrics in either answers for both, and a stop drains every
writer (one record per answered request, every chain verifies)."""

from __future__ import annotations

import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from guard.audit.database import Database
from guard.audit.models import DecisionRow
from guard.audit.verify import verify
from tests.e2e.test_replicas import GUARD, POLICY, _env, _wait_ready, database_url  # noqa: F401
from tests.live_server import free_port

pytestmark = pytest.mark.slow


def test_workers_share_a_port_keep_their_own_chains_and_drain_on_stop(
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "default.yaml").write_text(POLICY)
    env = _env(tmp_path, database_url, "w")
    env["GUARD_ANONYMOUS_APPS"] = "allow"
    subprocess.run([GUARD, "db", "upgrade"], env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [GUARD, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(server, base, tmp_path / "serve.log")  # type: ignore[arg-type]
        time.sleep(1.0)  # the second worker may come up a moment after the first

        def ask(index: int) -> str:
            answer = httpx.post(
                f"{base}/v1/chat/completions",
                json={
                    "model": "fake-model",
                    "messages": [{"role": "user", "content": f"q{index}"}],
                },
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            return answer.headers["x-guard-decision-id"]

        with ThreadPoolExecutor(16) as pool:
            decisions = list(pool.map(ask, range(200)))
        scraped = [httpx.get(f"{base}/metrics").text for _ in range(4)]
        needle = (
            'guard_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}'
        )
        totals = {
            float(line.split()[-1])
            for text in scraped
            for line in text.splitlines()
            if line.startswith(needle)
        }
        assert totals == {200.0}, "every scrape counts both workers' requests"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    log_text = (tmp_path / "serve.log").read_text()
    assert log_text.count("Application shutdown complete") == 2, log_text[-2000:]
    database = Database(database_url)
    with database.engine.connect() as conn:
        count = conn.execute(select(func.count()).where(DecisionRow.id.in_(decisions))).scalar_one()
        chains = set(conn.execute(select(DecisionRow.chain_id).distinct()).scalars())
    assert count == len(decisions) == 200, "a stop drained every worker's writer"
    assert len(chains) == 2, chains
    report = verify(database, checkpoint_dir=tmp_path / "checkpoints")
    assert report.problems == [], report.summary()
    database.dispose()
