"""Settings: environment variables ``GUARD_*`` over an optional ``guard.yaml``, over defaults.

The defaults are the embedded setup: the bundled SmolLM2 model on the best local device,
SQLite at ``./guard.db`` and the policies in ``./policies``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from guard.errors import ConfigurationError
from guard.paths import default_cache_dir

BUNDLED_MODEL = "SmolLM2-135M-Instruct"

Dtype = Literal["auto", "float32", "float16", "bfloat16", "int8"]


class _YamlFileSource(PydanticBaseSettingsSource):
    """Reads settings from the YAML file named by ``GUARD_CONFIG`` (default ``./guard.yaml``)."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        path = Path(os.environ.get("GUARD_CONFIG", "guard.yaml"))
        self._data: dict[str, Any] = {}
        if path.is_file():
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(loaded, dict):
                raise ConfigurationError(f"{path}: expected a mapping of settings at the top level")
            self._data = {str(k).lower(): v for k, v in loaded.items()}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


def _checkpoint_interval(value: str) -> tuple[int | None, float | None]:
    """``"1000"``, ``"60s"`` or ``"1000,60s"``: records and seconds between checkpoints."""
    records: int | None = None
    seconds: float | None = None
    for part in (p.strip().lower() for p in value.split(",")):
        try:
            if part.endswith("s"):
                seconds = float(part[:-1])
                if seconds <= 0:
                    raise ValueError
            elif part:
                records = int(part)
                if records < 1:
                    raise ValueError
        except ValueError:
            raise ValueError(
                f"GUARD_AUDIT_CHECKPOINT_EVERY={value!r}: use a number of records, seconds "
                '("60s"), or both ("1000,60s")'
            ) from None
    if records is None and seconds is None:
        raise ValueError("GUARD_AUDIT_CHECKPOINT_EVERY is empty")
    return records, seconds


class Settings(BaseSettings):
    """Everything guard can be configured with; each field is ``GUARD_<NAME>`` in the env."""

    model_config = SettingsConfigDict(env_prefix="GUARD_", extra="ignore")

    # server
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    # the most characters of text (all messages together) the guard scans in one request
    max_scan_chars: int = Field(default=262_144, ge=1)
    replica_id: str = Field(default_factory=lambda: os.uname().nodename)

    # generator
    # a name registered in the guard.generators entry-point group (built in: local, upstream,
    # fake); checked against the registry when the generator is built
    generator: str = Field(default="local", min_length=1)
    model: str = BUNDLED_MODEL
    served_model_name: str | None = None
    device: str = "auto"
    dtype: Dtype = "auto"
    max_batch_size: int = Field(default=8, ge=1, le=256)
    batch_wait_ms: float = Field(default=5.0, ge=0, le=1000)
    default_max_tokens: int = Field(default=512, ge=1)
    max_tokens_limit: int = Field(default=4096, ge=1)
    max_n: int = Field(default=8, ge=1, le=64)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    # the fake generator's pause before each token, as a model streams (benchmarks, demos)
    fake_token_delay_ms: float = Field(default=0.0, ge=0, le=10_000)

    # upstream generator
    upstream_url: str | None = None
    upstream_api_key: str | None = None
    upstream_connect_timeout_s: float = Field(default=5.0, gt=0)
    upstream_timeout_s: float = Field(default=120.0, gt=0)
    upstream_max_connections: int = Field(default=100, ge=1)

    # storage and policies
    database_url: str = "sqlite:///./guard.db"
    # rate limit counters shared by every worker and replica (else kept in this process)
    redis_url: str | None = None
    policy_dir: Path = Path("policies")
    policy_watch: bool = True
    detector_device: str = "auto"
    hash_key: str | None = None
    # where the subject hash key is made and kept when GUARD_HASH_KEY is not set
    hash_key_file: Path = Path("guard-hash.key")
    stream_holdback_chars: int = Field(default=96, ge=0, le=10_000)
    stream_scan_chars: int = Field(default=48, ge=1, le=10_000)
    anonymous_apps: Literal["auto", "allow", "deny"] = "auto"

    # audit log
    spool_dir: Path = Path("guard-spool")
    db_auto_upgrade: bool | None = None
    store_raw: bool = False
    raw_key: str | None = None
    audit_queue_size: int = Field(default=10_000, ge=1)
    # Ed25519 private key (`guard audit keygen DIR`) that signs checkpoints and evidence packs
    audit_signing_key: Path | None = None
    # a signed checkpoint every N records, every N seconds ("60s"), or both ("1000,60s")
    audit_checkpoint_every: str = "1000,60s"
    # where the append-only copy of the checkpoints is kept (best on other storage)
    audit_checkpoint_dir: Path = Path("guard-checkpoints")
    audit_retention_days: int = Field(default=365, ge=1)
    audit_min_retention_days: int = Field(default=180, ge=0)

    log_level: str = "info"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlFileSource(settings_cls), file_secret_settings)

    @field_validator("audit_checkpoint_every")
    @classmethod
    def _checkpoint_every_parses(cls, value: str) -> str:
        _checkpoint_interval(value)
        return value

    @field_validator("device")
    @classmethod
    def _device_is_known(cls, value: str) -> str:
        value = value.strip().lower()
        if value in {"auto", "cpu", "cuda", "mps"} or value.startswith("cuda:"):
            return value
        raise ValueError("device must be auto, cpu, cuda, cuda:N or mps")

    @field_validator("upstream_url")
    @classmethod
    def _upstream_url_is_v1_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.rstrip("/")
        if not value.startswith(("http://", "https://")) or not value.endswith("/v1"):
            raise ValueError("upstream_url must be an http(s) OpenAI base URL ending in /v1")
        return value

    @model_validator(mode="after")
    def _upstream_needs_url(self) -> Settings:
        if self.generator == "upstream" and not self.upstream_url:
            raise ValueError("GUARD_GENERATOR=upstream needs GUARD_UPSTREAM_URL (…/v1)")
        if self.default_max_tokens > self.max_tokens_limit:
            raise ValueError("default_max_tokens cannot exceed max_tokens_limit")
        if self.audit_retention_days < self.audit_min_retention_days:
            raise ValueError(
                f"GUARD_AUDIT_RETENTION_DAYS={self.audit_retention_days} is below the floor "
                f"GUARD_AUDIT_MIN_RETENTION_DAYS={self.audit_min_retention_days}; lower the "
                "floor explicitly if your rules allow a shorter retention"
            )
        if self.store_raw and not self.raw_key:
            raise ValueError(
                "GUARD_STORE_RAW needs GUARD_RAW_KEY, a Fernet key "
                "(`guard keys raw-key` prints a new one)"
            )
        return self

    @property
    def checkpoint_interval(self) -> tuple[int | None, float | None]:
        """(records, seconds) between signed checkpoints; either may be None (not used)."""
        return _checkpoint_interval(self.audit_checkpoint_every)

    @property
    def loopback_only(self) -> bool:
        return self.host in {"127.0.0.1", "localhost", "::1"} or self.host.startswith("127.")

    @property
    def anonymous_allowed(self) -> bool:
        """Traffic without a key: allowed when configured, or by default on loopback only."""
        if self.anonymous_apps == "auto":
            return self.loopback_only
        return self.anonymous_apps == "allow"

    @property
    def auto_upgrade(self) -> bool:
        """Run migrations at start: by default for SQLite (the embedded setup) only."""
        if self.db_auto_upgrade is not None:
            return self.db_auto_upgrade
        return self.database_url.startswith("sqlite")
