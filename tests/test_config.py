from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from guard.config import BUNDLED_MODEL, Settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = Settings()
    assert settings.generator == "local"
    assert settings.model == BUNDLED_MODEL
    assert settings.database_url == "sqlite:///./guard.db"
    assert settings.policy_dir == Path("policies")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_env_vars_override_guard_yaml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "guard.yaml"
    config.write_text("generator: fake\nport: 9001\nmax_batch_size: 4\n")
    monkeypatch.setenv("GUARD_CONFIG", str(config))
    monkeypatch.setenv("GUARD_PORT", "9002")
    settings = Settings()
    assert settings.generator == "fake"
    assert settings.max_batch_size == 4
    assert settings.port == 9002


def test_upstream_generator_requires_a_v1_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_GENERATOR", "upstream")
    with pytest.raises(ValidationError, match="GUARD_UPSTREAM_URL"):
        Settings()
    monkeypatch.setenv("GUARD_UPSTREAM_URL", "http://vllm:8000")
    with pytest.raises(ValidationError, match="ending in /v1"):
        Settings()
    monkeypatch.setenv("GUARD_UPSTREAM_URL", "http://vllm:8000/v1/")
    assert Settings().upstream_url == "http://vllm:8000/v1"


@pytest.mark.parametrize("device", ["gpu", "cuda0", "tpu"])
def test_unknown_device_is_refused(monkeypatch: pytest.MonkeyPatch, device: str) -> None:
    monkeypatch.setenv("GUARD_DEVICE", device)
    with pytest.raises(ValidationError, match="device must be"):
        Settings()


def test_unknown_dtype_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_DTYPE", "int4")
    with pytest.raises(ValidationError):
        Settings()
