"""``guard bench guard``: stage and rule costs on new texts, PII throughput beside Presidio."""

from __future__ import annotations

from pathlib import Path

from guard.bench.guard_cost import STREAM_LEAD, TextMaker, bench_guard
from guard.detectors.base import DetectorContext
from guard.policy.loader import load_policies

POLICY = """
name: default
applies_to: {apps: ["*"]}
rules:
  - id: contact
    stages: [input, output]
    detector: {type: pii, entities: [PERSON, PHONE_NUMBER]}
    action: redact
  - id: codes
    stages: [input]
    detector: {type: regex, patterns: ['\\bX-\\d{4}\\b']}
    action: block
"""


def test_text_maker_makes_new_texts_of_the_asked_size() -> None:
    maker = TextMaker(seed=0)
    texts = [maker.text(1000) for _ in range(20)]
    assert len(set(texts)) == 20, "every text is new, so no cache answers"
    assert all(950 <= len(t) < 1200 for t in texts)


def test_bench_guard_reports_each_stage_and_rule_and_the_pii_comparison(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(POLICY)
    policy = load_policies([tmp_path], DetectorContext(policy_dir=tmp_path)).for_app("x")
    assert policy is not None
    messages: list[str] = []
    result = bench_guard(policy, sizes=[200], runs=3, pii_texts=6, progress=messages.append)
    [row] = result["sizes"]
    assert set(row["stages"]) == {"input", "output", STREAM_LEAD}
    assert set(row["rules"]) == {"input:contact", "input:codes", "output:contact"}
    assert row["rules"]["input:codes"]["detector"] == "regex"
    for figure in [*row["stages"].values(), *row["rules"].values()]:
        assert 0 < figure["median"] <= figure["p95"] and figure["runs"] == 3
    pii = result["pii_throughput"]
    assert pii["rules"] == ["contact"] and pii["texts"] == 6
    assert pii["guard_texts_per_s"] > 0 and pii["presidio_texts_per_s"] > 0
    assert result["stream"] == {}, "its output rule reads names, so it cannot lead a stream"
    assert result["rss_mb_after"] > 100
    assert any("Presidio" in m for m in messages), "long runs show progress"


def test_the_gpu_check_measures_embedding_batches_and_refuses_without_a_gpu() -> None:
    from typer.testing import CliRunner

    from guard.bench.device import bench_detector_batches
    from guard.cli import app

    result = bench_detector_batches(device="cpu", batches=[1, 4], runs=2)
    rows = result["cpu"]["batches"]
    assert [r["batch"] for r in rows] == [1, 4]
    assert all(r["windows_per_s"] > 0 and r["ms"]["runs"] == 2 for r in rows)
    assert result["cpu"]["memory"]["after_load"] is None, "no GPU memory to read on the CPU"
    import torch

    if not torch.cuda.is_available():
        refused = CliRunner().invoke(app, ["bench", "gpu", "--device", "cuda"])
        assert refused.exit_code == 2
        assert "no CUDA device" in refused.output


def test_the_paced_stream_bench_times_first_tokens_of_a_real_server() -> None:
    """``guard bench proxy``'s paced figure: a ``guard serve`` process whose fake generator
    pauses before each token (``GUARD_FAKE_TOKEN_DELAY_MS``), timed beside the fake direct."""
    from guard.bench.proxy import bench_paced_stream

    result = bench_paced_stream(token_ms=25, streams=3, policy="empty")
    assert result["ttft_direct_ms"]["runs"] == result["ttft_proxy_ms"]["runs"] == 3
    assert result["ttft_direct_ms"]["median"] >= 25  # the pause before the first token
    assert result["ttft_proxy_ms"]["median"] >= 25  # the server's fake is paced too
    assert result["first_piece_words"] >= 1


def test_the_stream_cost_compares_leads_with_the_fixed_window(tmp_path: Path) -> None:
    import asyncio

    from guard.bench.guard_cost import stream_cost

    (tmp_path / "p.yaml").write_text(
        "name: default\nrules:\n  - id: phones\n    stages: [output]\n"
        "    detector: {type: pii, entities: [PHONE_NUMBER]}\n    action: redact\n"
    )
    policy = load_policies([tmp_path], DetectorContext(policy_dir=tmp_path)).for_app("x")
    assert policy is not None
    streamed = asyncio.run(stream_cost(policy, runs=2, chars=300))
    assert streamed["leads_ms"]["runs"] == streamed["window_ms"]["runs"] == 2
    assert streamed["leads_ms"]["median"] > 0 and streamed["window_ms"]["median"] > 0
