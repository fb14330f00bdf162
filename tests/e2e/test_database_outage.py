"""A PostgreSQL outage loses nothing: known keys keep working from memory, unknown ones are
refused with 503, reviewer routes say 503, and every record is spooled and replayed.

The outage is real: guard reaches the real server at 127.0.0.1:5432 through a TCP
forwarder that the test cuts and restores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from guard.app import create_app
from guard.config import Settings
from tests.live_server import SERVED, live_server
from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "guard_outage_test"


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[str, TcpProxy]]:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    proxy = TcpProxy(("127.0.0.1", 5432))
    proxy.restore()
    settings = Settings(
        generator="fake",
        database_url=f"postgresql://postgres@127.0.0.1:{proxy.port}/{DATABASE}",
        db_auto_upgrade=True,
        spool_dir=tmp_path / "spool",
        policy_dir=ROOT / "policies",
        policy_watch=False,
        anonymous_apps="deny",
    )
    try:
        with live_server(create_app(settings)) as base:
            yield base, proxy
    finally:
        proxy.cut()


def _chat(base: str, key: str) -> httpx.Response:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "Hello there"}]}
    return httpx.post(
        f"{base}/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {key}"},
        timeout=30,
    )


def _stored(decision_id: str) -> bool:
    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT 1 FROM decisions WHERE id = %s", (decision_id,)).fetchone()
    return found is not None


def test_known_keys_keep_working_and_records_are_replayed_after_the_outage(
    outage: tuple[str, TcpProxy],
) -> None:
    base, proxy = outage
    keys = SERVED[base].state.keys
    _, app_key = keys.create("billing", "app")
    _, reviewer = keys.create("rita", "reviewer")
    _, never_used = keys.create("dormant", "app")
    assert _chat(base, app_key).status_code == 200
    reviewer_header = {"authorization": f"Bearer {reviewer}"}
    assert httpx.get(f"{base}/v1/decisions", headers=reviewer_header).status_code == 200

    proxy.cut()
    started = time.monotonic()
    during = _chat(base, app_key)
    assert during.status_code == 200, during.text
    assert time.monotonic() - started < 5
    decision_id = during.headers["x-guard-decision-id"]

    unknown = _chat(base, never_used)  # valid, but not seen by this process before
    assert unknown.status_code == 503
    assert unknown.json()["error"]["code"] == "key_store_unavailable"
    listing = httpx.get(f"{base}/v1/decisions", headers=reviewer_header, timeout=30)
    assert listing.status_code == 503
    assert listing.json()["error"]["code"] == "database_unavailable"

    proxy.restore()
    deadline = time.monotonic() + 20
    while not _stored(decision_id):
        assert time.monotonic() < deadline, "the spooled record was not replayed"
        time.sleep(0.2)
    assert _stored(unknown.headers["x-guard-decision-id"]), "a refused request has its record"


def test_a_revoked_key_is_refused_at_once_by_a_running_server(
    outage: tuple[str, TcpProxy],
) -> None:
    base, _ = outage
    keys = SERVED[base].state.keys
    _, app_key = keys.create("crm", "app")
    assert _chat(base, app_key).status_code == 200
    from guard.audit.database import Database
    from guard.keys import KeyStore

    # Another process (the CLI) revokes it in the database.
    other = Database(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}")
    assert KeyStore(other).revoke("crm")
    other.dispose()
    assert _chat(base, app_key).status_code == 401
