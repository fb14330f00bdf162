"""Readiness reflects the real database: SQLite by default, the real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import httpx

from guard.app import create_app
from guard.audit.database import Database, engine_url
from guard.config import Settings
from tests.live_server import free_port, live_server

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def test_plain_postgres_url_maps_to_psycopg() -> None:
    assert engine_url(POSTGRES).drivername == "postgresql+psycopg"


async def test_sqlite_file_is_created_in_wal_mode(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'guard.db'}")
    assert await database.reachable()
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.dispose()


async def test_real_postgres_is_reachable() -> None:
    database = Database(POSTGRES)
    assert await database.reachable()
    database.dispose()


def test_readyz_is_503_naming_the_database_when_it_is_unreachable() -> None:
    settings = Settings(
        generator="fake", database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    )
    with live_server(create_app(settings)) as base:
        response = httpx.get(f"{base}/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"generator": "ok", "database": "unreachable"}


def test_readyz_with_postgres(tmp_path: Path) -> None:
    with live_server(create_app(Settings(generator="fake", database_url=POSTGRES))) as base:
        assert httpx.get(f"{base}/readyz").status_code == 200
