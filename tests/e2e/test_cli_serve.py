"""`guard serve` as a user runs it: the console script, a loopback port, env settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.live_server import free_port

GUARD = str(Path(sys.executable).with_name("guard"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARD_")}
    env.update(
        GUARD_CONFIG=str(tmp_path / "none.yaml"),
        GUARD_DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}",
        GUARD_SPOOL_DIR=str(tmp_path / "spool"),
        GUARD_AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
        GUARD_HASH_KEY_FILE=str(tmp_path / "guard-hash.key"),
    )
    env.update(extra)
    return env


def test_guard_serve_starts_answers_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [GUARD, "serve", "--port", str(port)],
        env=_env(tmp_path, GUARD_GENERATOR="fake"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "guard serve did not come up"
                time.sleep(0.1)
        assert ready.status_code == 200
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert answer.json()["choices"][0]["message"]["content"] == "This is a fake answer to: hi"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # uvicorn re-raises SIGTERM after its graceful shutdown, as a well-behaved daemon does
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert (tmp_path / "g.db").exists()


def test_guard_serve_refuses_bad_settings_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [GUARD, "serve"],
        env=_env(tmp_path, GUARD_GENERATOR="upstream"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "GUARD_UPSTREAM_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_guard_serve_on_a_device_this_machine_lacks_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [GUARD, "serve", "--port", str(free_port())],
        env=_env(tmp_path, GUARD_DEVICE="cuda:7", GUARD_MAX_N="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "guard: invalid settings: GUARD_MAX_N: Input should be greater than or equal to 1"
    )
    result = subprocess.run(
        [GUARD, "serve", "--port", str(free_port())],
        env=_env(tmp_path, GUARD_DEVICE="cuda:7"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "GUARD_DEVICE=cuda:7" in line and "CUDA" in line


def test_guard_serve_names_a_missing_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [GUARD, "serve", "--port", str(free_port())],
        env=_env(tmp_path, GUARD_MODEL=str(tmp_path / "no-such-model"), GUARD_DEVICE="cpu"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "no-such-model" in result.stderr and "GUARD_MODEL" in result.stderr


def test_guard_health_checks_the_configured_port(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from guard.app import create_app
    from guard.cli import app
    from guard.config import Settings
    from tests.live_server import live_server

    settings = Settings(generator="fake", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    runner = CliRunner()
    with live_server(create_app(settings)) as base:
        port = base.rsplit(":", 1)[1]
        assert runner.invoke(app, ["health"], env={"GUARD_PORT": port}).exit_code == 0
    assert runner.invoke(app, ["health"], env={"GUARD_PORT": str(free_port())}).exit_code == 1


def test_guard_serve_with_a_missing_signing_key_or_short_retention_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "keys" / "audit-signing.key"
    result = subprocess.run(
        [GUARD, "serve", "--port", str(free_port())],
        env=_env(tmp_path, GUARD_GENERATOR="fake", GUARD_AUDIT_SIGNING_KEY=str(missing)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"guard: audit signing key {missing}: No such file or directory" in result.stderr
    short = subprocess.run(
        [GUARD, "serve", "--port", str(free_port())],
        env=_env(tmp_path, GUARD_AUDIT_RETENTION_DAYS="30"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert short.returncode == 2
    assert "GUARD_AUDIT_RETENTION_DAYS=30 is below the floor" in short.stderr
