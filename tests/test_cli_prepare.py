"""`guard prepare` (run by `make install`) builds what first start would, once per content."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from guard.cli import app as cli


def test_prepare_builds_the_model_and_table_once_and_finds_them_again(
    model_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(model_cache_dir))
    first = CliRunner().invoke(cli, ["prepare"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["prepare"])
    assert again.exit_code == 0, again.output
    model = Path(again.stdout.split("model: ")[1].split(" (")[0])
    assert (model / "model.safetensors").is_file() and (model / "config.json").is_file()
    assert "static embeddings: 30522 tokens" in again.stdout
    converted = [p for p in (model_cache_dir / "models").iterdir() if p.name.startswith("SmolLM2")]
    assert converted == [model], "one conversion of the bundled model is kept"
