"""Settings for a test server: a SQLite file and spool in the test's folder, the shipped
policies, no file watching; each test passes what it is about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from guard.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def settings_for(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "generator": "fake",
        "database_url": f"sqlite:///{tmp / 'guard.db'}",
        "spool_dir": tmp / "spool",
        "policy_dir": ROOT / "policies",
        "policy_watch": False,
    }
    return Settings(**{**values, **overrides})


def stub_upstream() -> FastAPI:
    """The start of an OpenAI-compatible stub: health (guard's readiness asks it)."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
