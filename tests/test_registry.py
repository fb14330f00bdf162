"""Plug-ins register exactly as built-ins do: by entry point, chosen by name, and held to
the protocols (a generator picked by ``GUARD_GENERATOR``, a detector declaring whether its
findings are personal data). The plug-ins here are registered through a real distribution's
``entry_points.txt`` on ``sys.path``, as an installed package would be."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest

from guard.config import Settings
from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.errors import ConfigurationError, ContentBlockedError
from guard.generators import build_generator
from guard.generators.base import ChatMessage, GenerationRequest
from guard.generators.fake import FakeGenerator
from guard.policy.engine import PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.loader import PolicyLoadError
from guard.policy.store import PolicyStore


class PluginGenerator(FakeGenerator):
    """A third-party generator (a fake, named as one)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> PluginGenerator:
        return cls(model="plugin-model")


class BadgeConfig(DetectorConfig):
    pass


class BadgeDetector:
    """A third-party personal-data detector: employee badge numbers."""

    type_name: ClassVar[str] = "badge"
    sensitive: ClassVar[bool] = True
    Config: ClassVar[type[DetectorConfig]] = BadgeConfig

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> BadgeDetector:
        return cls()

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [
            [
                Finding("badge", "BADGE", m.start(), m.end(), 1.0, 0.5)
                for m in re.finditer(r"B-\d{6}", t)
            ]
            for t in texts
        ]


class BrokenPiiDetector(BadgeDetector):
    """A personal-data detector that fails on every text (as spaCy does past its limit)."""

    type_name: ClassVar[str] = "broken-pii"

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        raise ValueError("[E088] Text of length 1000001 exceeds maximum of 1000000")


class ContextProbe(BadgeDetector):
    """Keeps the context it was built with, to compare the CLI's with the server's."""

    type_name: ClassVar[str] = "probe"
    seen: ClassVar[list[DetectorContext]] = []

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> BadgeDetector:
        cls.seen.append(context)
        return cls()


class UndeclaredDetector:
    """A detector that never says whether its findings are personal data."""

    type_name: ClassVar[str] = "undeclared"
    Config: ClassVar[type[DetectorConfig]] = BadgeConfig
    create = BadgeDetector.create
    detect = BadgeDetector.detect


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "site" / "guard_test_plugins-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: guard-test-plugins\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text(
        "[guard.generators]\nplugin = tests.test_registry:PluginGenerator\n\n"
        "[guard.detectors]\nbadge = tests.test_registry:BadgeDetector\n"
        "undeclared = tests.test_registry:UndeclaredDetector\n"
        "broken-pii = tests.test_registry:BrokenPiiDetector\n"
        "probe = tests.test_registry:ContextProbe\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))


def test_every_built_in_detector_is_an_installed_entry_point() -> None:
    names = {ep.name for ep in entry_points(group="guard.detectors")}
    assert {
        "pii",
        "regex",
        "keywords",
        "secrets",
        "semantic",
        "classifier",
        "judge",
        "perplexity",
    } <= names


def test_a_generator_registered_by_entry_point_is_chosen_by_name(plugins: None) -> None:
    generator = build_generator(Settings(generator="plugin"))
    assert isinstance(generator, PluginGenerator)
    with pytest.raises(ConfigurationError, match=r"unknown generator 'nope'; known: .*plugin"):
        build_generator(Settings(generator="nope"))


async def test_a_plugin_detector_that_declares_personal_data_is_never_stored_in_clear(
    plugins: None, tmp_path: Path
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "p.yaml").write_text(
        "name: default\nrules:\n"
        "  - {id: badges, stages: [input], detector: {type: badge}, action: flag}\n"
    )
    store = PolicyStore(folder, DetectorContext(policy_dir=folder))
    store.load()
    guard = PolicyGuard(store, Evaluator())
    request = GenerationRequest("m", messages=(ChatMessage("user", "Badge B-123456 lost"),))
    verdict = await guard.check_input("anonymous", request)
    assert verdict.outcome.action == "flag"
    assert verdict.request.messages[0].content == "Badge B-123456 lost"  # type: ignore[index]
    assert verdict.outcome.redacted == ["Badge <BADGE> lost"]


def test_a_plugin_detector_that_does_not_declare_sensitivity_is_refused_at_load(
    plugins: None, tmp_path: Path
) -> None:
    (tmp_path / "p.yaml").write_text(
        "name: default\nrules:\n"
        "  - {id: x, stages: [input], detector: {type: undeclared}, action: flag}\n"
    )
    with pytest.raises(PolicyLoadError, match="does not declare `sensitive`"):
        PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path)).load()


@pytest.mark.parametrize("on_error", ["block", "allow"])
@pytest.mark.parametrize("stage", ["input", "output"])
async def test_text_a_failing_personal_data_detector_could_not_read_is_never_stored(
    plugins: None, tmp_path: Path, stage: str, on_error: str
) -> None:
    from guard.metrics import Metrics
    from guard.pipeline import Origin, Pipeline
    from tests.recording_audit import RecordingAuditSink

    (tmp_path / "p.yaml").write_text(
        f"name: default\non_error: {on_error}\nrules:\n"
        f"  - {{id: pii, stages: [{stage}], detector: {{type: broken-pii}}, action: redact}}\n"
    )
    store = PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path))
    store.load()
    audit = RecordingAuditSink()
    pipeline = Pipeline(
        generator=FakeGenerator(),
        guard=PolicyGuard(store, Evaluator()),
        audit=audit,
        metrics=Metrics(),
        replica="t",
    )
    secret = "Jane Doe, card 4111 1111 1111 1111"
    request = GenerationRequest("fake-model", messages=(ChatMessage("user", secret),))
    with contextlib.suppress(ContentBlockedError):  # an input block is the caller's 400
        await pipeline.complete(Origin("d", "r", "/v1/chat/completions"), request)
    [record] = audit.records
    stored = record.redacted_prompt if stage == "input" else record.redacted_answer
    assert "Jane" not in stored and "4111" not in stored and "withheld" in stored
    assert record.action == ("block" if on_error == "block" else "allow")


def test_the_command_line_builds_detectors_as_guard_serve_does(
    plugins: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from guard.app import build_policy_guard
    from guard.cli import app
    from guard.metrics import Metrics

    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "p.yaml").write_text(
        "name: default\nrules:\n"
        "  - {id: p, stages: [input], detector: {type: probe}, action: flag}\n"
    )
    env = {
        "GUARD_DETECTOR_DEVICE": "cpu",
        "GUARD_CACHE_DIR": str(tmp_path / "cache"),
        "GUARD_POLICY_DIR": str(folder),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ContextProbe.seen.clear()
    result = CliRunner().invoke(app, ["policy", "validate"])
    assert result.exit_code == 0, result.output
    build_policy_guard(Settings(), FakeGenerator(), Metrics())
    cli, serve = ContextProbe.seen
    assert (cli.device, cli.cache_dir, cli.policy_dir) == ("cpu", tmp_path / "cache", folder)
    assert (serve.device, serve.cache_dir, serve.policy_dir) == (cli.device, cli.cache_dir, folder)
