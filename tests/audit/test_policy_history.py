"""Policy history: every version that served is kept with its files; the API and the
decision page show the exact text a decision was made under."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from guard.app import create_app
from guard.audit.policy_history import diff
from guard.config import Settings
from tests.e2e.conftest import key_header
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
POLICY = """name: default
applies_to: {apps: ['*']}
rules:
  - id: no-secret-word
    stages: [input]
    action: block
    detector: {type: keywords, words: [WORD]}
"""


def _ask(base: str, text: str) -> httpx.Response:
    return httpx.post(
        f"{base}/v1/chat/completions",
        json={"model": "fake-model", "messages": [{"role": "user", "content": text}]},
    )


def _sign_in(client: httpx.Client, key: str) -> None:
    form = client.get("/review/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post("/review/login", data={"key": key, "csrf": csrf}).status_code in (200, 303)


def test_each_served_version_is_kept_and_shown_with_its_decision(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "default.yaml").write_text(POLICY.replace("WORD", "pineapple"))
    settings = Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp_path / 'guard.db'}",
        spool_dir=tmp_path / "spool",
        policy_dir=policies,
        policy_watch=True,
    )
    with live_server(create_app(settings)) as base:
        first = _ask(base, "I like pineapple")
        assert first.status_code == 400
        (policies / "default.yaml").write_text(POLICY.replace("WORD", "mango"))
        reviewer = key_header(base, "reviewer")
        for _ in range(200):
            shown = httpx.get(f"{base}/v1/policies/history", headers=reviewer)
            assert shown.status_code == 200
            versions = shown.json()["data"]
            if len(versions) == 2:
                break
            time.sleep(0.05)
        assert _ask(base, "I like pineapple").status_code == 200
        assert [("pineapple" in v["files"]["default.yaml"]) for v in versions] == [True, False]
        assert versions[0]["active_until"] is not None and versions[1]["active_until"] is None
        assert httpx.get(f"{base}/v1/policies/history").status_code == 401
        with httpx.Client(base_url=base) as page:
            _sign_in(page, reviewer["authorization"].split()[1])
            html = page.get(f"/review/decisions/{first.headers['x-guard-decision-id']}").text
        assert f"Policy default {versions[0]['version']} as it was" in html
        assert "words: [pineapple]" in html and "mango" not in html
    patch = diff(versions[0]["files"], versions[1]["files"])
    assert "-    detector: {type: keywords, words: [pineapple]}" in patch
    assert "+    detector: {type: keywords, words: [mango]}" in patch
