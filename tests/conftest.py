"""Shared fixtures: settings isolated per test, fake and real generators, live servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from guard.config import Settings


@pytest.fixture(autouse=True)
def _no_ambient_guard_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's GUARD_* variables or ./guard.yaml."""
    for name in list(os.environ):
        if name.startswith("GUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GUARD_CONFIG", str(tmp_path / "absent-guard.yaml"))
    monkeypatch.setenv("GUARD_AUDIT_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("GUARD_HASH_KEY_FILE", str(tmp_path / "guard-hash.key"))


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    return Settings(generator="fake", database_url=f"sqlite:///{tmp_path / 'guard.db'}")


@pytest.fixture(scope="session")
def model_cache_dir() -> Path:
    """Converted bundled weights are cached where `guard serve` caches them, across runs."""
    return Path(os.environ.get("TEST_MODEL_CACHE_DIR", Path.home() / ".cache" / "guard"))


@pytest.fixture(scope="session")
def local_generator(model_cache_dir: Path) -> Iterator[object]:
    """The real bundled SmolLM2 on CPU, loaded once for the whole session."""
    import asyncio

    from guard.generators.local import LocalGenerator

    generator = LocalGenerator(
        model="SmolLM2-135M-Instruct",
        served_name="SmolLM2-135M-Instruct",
        device="cpu",
        dtype="float32",
        cache_dir=model_cache_dir,
        max_batch_size=8,
        batch_wait_ms=20,
    )
    asyncio.run(generator.start())
    yield generator
    asyncio.run(generator.aclose())
