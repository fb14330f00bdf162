"""Several `guard serve` processes on loopback ports, one PostgreSQL and one Redis: traffic
to all of them, one stopped mid-run. No request is lost without an error, every answered
request has exactly one record, every replica's chain verifies, and a key's rate limit
holds across the replicas."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from guard.audit.database import Database
from guard.audit.models import DecisionRow
from guard.audit.verify import verify
from tests.live_server import free_port

PG = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
GUARD = str(Path(sys.executable).with_name("guard"))
pytestmark = pytest.mark.slow

POLICY = """\
name: default
rules:
  - id: banned
    stages: [input, output]
    detector: {type: keywords, words: [forbidden fruit]}
    action: block
"""


@pytest.fixture
def database_url() -> Iterator[str]:
    name = f"guard_replicas_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG}/test", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{PG}/{name}"
    with psycopg.connect(f"{PG}/test", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _env(tmp: Path, url: str, replica: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARD_")}
    env.update(
        GUARD_CONFIG=str(tmp / "none.yaml"),
        GUARD_DATABASE_URL=url,
        GUARD_REDIS_URL=REDIS,
        GUARD_DB_AUTO_UPGRADE="false",
        GUARD_GENERATOR="fake",
        GUARD_POLICY_DIR=str(tmp / "policies"),
        GUARD_HASH_KEY="replicas-share-one-hash-key",
        GUARD_ANONYMOUS_APPS="deny",
        GUARD_SPOOL_DIR=str(tmp / f"spool-{replica}"),
        GUARD_AUDIT_CHECKPOINT_DIR=str(tmp / "checkpoints"),
        GUARD_REPLICA_ID=replica or "cli",
    )
    return env


def _serve(tmp: Path, url: str, replica: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    with (tmp / f"{replica}.log").open("w") as log:  # a file: a full pipe would stall it
        process = subprocess.Popen(
            [GUARD, "serve", "--port", str(port)],
            env=_env(tmp, url, replica),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(process: subprocess.Popen[str], base: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "a replica did not come up"
        time.sleep(0.2)


def _key(tmp: Path, url: str, *limits: str) -> str:
    name = f"app-{uuid.uuid4().hex[:6]}"
    made = subprocess.run(
        [GUARD, "keys", "create", "--name", name, "--role", "app", *limits],
        env=_env(tmp, url),
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def test_replicas_lose_no_request_keep_one_record_each_and_share_limits(
    tmp_path: Path, database_url: str
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "default.yaml").write_text(POLICY)
    subprocess.run([GUARD, "db", "upgrade"], env=_env(tmp_path, database_url), check=True)
    busy = _key(tmp_path, database_url)
    limited = _key(tmp_path, database_url, "--rpm", "5")
    replicas = [_serve(tmp_path, database_url, f"r{i}") for i in range(3)]
    try:
        for index, (process, base) in enumerate(replicas):
            _wait_ready(process, base, tmp_path / f"r{index}.log")

        def ask(index: int) -> tuple[int, str | None]:
            base = replicas[index % 3][1]
            try:
                answer = httpx.post(
                    f"{base}/v1/chat/completions",
                    json={
                        "model": "fake-model",
                        "messages": [{"role": "user", "content": f"question {index}"}],
                    },
                    headers={"authorization": f"Bearer {busy}"},
                    timeout=30,
                )
            except httpx.TransportError:
                return -1, None  # the caller knows: no answer came
            return answer.status_code, answer.headers.get("x-guard-decision-id")

        with ThreadPoolExecutor(8) as pool:
            running = [pool.submit(ask, i) for i in range(300)]
            while sum(f.done() for f in running) < 60:
                time.sleep(0.01)
            stopped, _ = replicas[1]
            stopped.send_signal(signal.SIGTERM)  # mid-run: requests are in flight to it
            outcomes = [f.result(timeout=60) for f in running]
        assert stopped.wait(30) in (0, -signal.SIGTERM)
        answered = [d for status, d in outcomes if status == 200]
        failed = [status for status, _ in outcomes if status != 200]
        assert len(answered) >= 200 and failed, "the two left kept answering; the stopped one not"
        assert all(status in (200, 503, -1) for status, _ in outcomes), outcomes

        # a key's limit holds across the replicas that are left
        statuses = [
            httpx.post(
                f"{replicas[i % 2 * 2][1]}/v1/chat/completions",
                json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
                headers={"authorization": f"Bearer {limited}"},
                timeout=30,
            ).status_code
            for i in range(8)
        ]
        assert statuses.count(200) == 5 and statuses.count(429) == 3, statuses
    finally:
        for process, _ in replicas:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in replicas:
            process.wait(30)

    database = Database(database_url)
    with database.engine.connect() as conn:
        counts = dict(
            conn.execute(select(DecisionRow.id, func.count()).group_by(DecisionRow.id)).all()
        )
        replicas_seen = set(conn.execute(select(DecisionRow.replica).distinct()).scalars())
    assert all(counts.get(decision) == 1 for decision in answered), "one record per answer"
    assert replicas_seen >= {"r0", "r1", "r2"}
    report = verify(database, checkpoint_dir=tmp_path / "checkpoints")
    assert report.problems == [], report.summary()
    assert report.decision_chains >= 3, "each replica wrote its own chain"
    database.dispose()
