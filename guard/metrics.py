"""Prometheus metrics, one registry per app so that several apps can live in one process.

No label ever carries request text: routes are path templates, models are served names.
Under ``guard serve --workers N`` (``PROMETHEUS_MULTIPROC_DIR`` set) every worker writes
its values to that folder and ``/metrics`` in any worker answers for all of them
(``prometheus_client``'s multiprocess mode): counters and histograms are summed, gauges
summed over the live workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_TPS_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


class _CudaMemoryCollector(Collector):
    """GPU memory allocated, reserved and peak per CUDA device, read at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        import sys

        torch = sys.modules.get("torch")  # only report when a model already imported torch
        if torch is None or not torch.cuda.is_available():
            return
        families = {
            "allocated": GaugeMetricFamily(
                "guard_gpu_memory_allocated_bytes", "GPU memory held by tensors", labels=["device"]
            ),
            "reserved": GaugeMetricFamily(
                "guard_gpu_memory_reserved_bytes",
                "GPU memory reserved by the caching allocator",
                labels=["device"],
            ),
            "peak": GaugeMetricFamily(
                "guard_gpu_memory_peak_bytes", "Peak GPU memory held by tensors", labels=["device"]
            ),
        }
        for index in range(torch.cuda.device_count()):
            device = f"cuda:{index}"
            families["allocated"].add_metric([device], torch.cuda.memory_allocated(index))
            families["reserved"].add_metric([device], torch.cuda.memory_reserved(index))
            families["peak"].add_metric([device], torch.cuda.max_memory_allocated(index))
        yield from families.values()


class Metrics:
    """The counters, histograms and gauges guard exports at ``GET /metrics``."""

    def __init__(self, queue_depth: Callable[[], int] = lambda: 0) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "guard_http_requests_total",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "guard_http_request_duration_seconds",
            "HTTP request latency (to the end of the body) by route, method and status",
            ["route", "method", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "guard_rate_limited_total",
            "Requests refused with 429, by scope (key, app) and limit (requests, tokens, streams)",
            ["scope", "limit"],
            registry=self.registry,
        )
        self.generated_tokens = Counter(
            "guard_generated_tokens_total",
            "Completion tokens generated",
            ["model"],
            registry=self.registry,
        )
        self.tokens_per_second = Histogram(
            "guard_generation_tokens_per_second",
            "Completion tokens per second of generation time, per request",
            ["model"],
            buckets=_TPS_BUCKETS,
            registry=self.registry,
        )
        self.time_to_first_token = Histogram(
            "guard_time_to_first_token_seconds",
            "Time from request to the first streamed token",
            ["model"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        live: dict[str, Any] = {"multiprocess_mode": "livesum"} if self.multiprocess else {}
        self.in_flight = Gauge(
            "guard_requests_in_flight",
            "Generation requests being served",
            registry=self.registry,
            **live,
        )
        self.queue_depth = Gauge(
            "guard_generator_queue_depth",
            "Requests waiting for the generator's batching worker",
            registry=self.registry,
            **live,
        )
        self._queue_depth = queue_depth
        if not self.multiprocess:  # read at scrape time; across workers, set per request
            self.queue_depth.set_function(queue_depth)
        self.decisions = Counter(
            "guard_decisions_total",
            "Decisions by stage and action",
            ["stage", "action"],
            registry=self.registry,
        )
        self.policy_reloads = Counter(
            "guard_policy_reloads_total",
            "Policy reloads by result (ok, error); a rejected reload keeps the old policies",
            ["result"],
            registry=self.registry,
        )
        self.fail_open = Counter(
            "guard_detector_fail_open_total",
            "Detector failures that a rule let through (on_error: allow)",
            ["rule", "detector"],
            registry=self.registry,
        )
        self.review_band = Counter(
            "guard_review_band_total",
            "Requests allowed and flagged for review because a rule scored in its review band",
            ["rule"],
            registry=self.registry,
        )
        self.registry.register(_CudaMemoryCollector())

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        labels: dict[str, Any] = {"route": route, "method": method, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.latency.labels(**labels).observe(seconds)
        if self.multiprocess:
            self.queue_depth.set(self._queue_depth())

    def exposition(self) -> bytes:
        """The text ``/metrics`` answers: this process's, or every worker's together."""
        from prometheus_client import generate_latest

        if not self.multiprocess:
            return bytes(generate_latest(self.registry))
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_CudaMemoryCollector())
        return bytes(generate_latest(registry))

    def observe_generation(self, model: str, tokens: int, seconds: float) -> None:
        self.generated_tokens.labels(model=model).inc(tokens)
        if tokens and seconds > 0:
            self.tokens_per_second.labels(model=model).observe(tokens / seconds)
