"""Live servers for end-to-end tests, driven by the official openai client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from guard.app import create_app
from guard.config import Settings
from guard.generators.fake import FakeGenerator
from tests.live_server import live_server
from tests.recording_audit import RecordingAuditSink


@dataclass
class Served:
    base: str
    generator: FakeGenerator
    audit: RecordingAuditSink
    _client: openai.OpenAI | None = None

    def client(self) -> openai.OpenAI:
        """One official openai client per server, closed with it."""
        if self._client is None:
            self._client = openai_client(self.base)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def openai_client(base: str, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """guard on a loopback port with the fake generator (slow enough to cancel mid-way)."""
    db = tmp_path_factory.mktemp("db") / "guard.db"
    settings = Settings(generator="fake", database_url=f"sqlite:///{db}", max_body_bytes=64 * 1024)
    generator = FakeGenerator(token_delay_s=0.002)
    audit = RecordingAuditSink()
    with live_server(create_app(settings, generator=generator, audit=audit)) as base:
        served = Served(base, generator, audit)
        yield served
        served.close()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def key_header(base: str, role: str) -> dict[str, str]:
    """A bearer header with a new key of ``role`` in the database of the server at ``base``."""
    from guard.keys import KeyStore
    from tests.live_server import SERVED

    store: KeyStore = SERVED[base].state.keys
    _, secret = store.create(f"{role}-{len(store.list())}", role)  # type: ignore[arg-type]
    return {"authorization": f"Bearer {secret}"}


OPEN_CLIENTS: list[openai.OpenAI] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    """Clients a test opened with ``closing_client`` are closed when it ends."""
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def closing_client(base: str, api_key: str = "unused") -> openai.OpenAI:
    """An official openai client of the server at ``base``, closed when the test ends."""
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=api_key, max_retries=0)
    OPEN_CLIENTS.append(client)
    return client
