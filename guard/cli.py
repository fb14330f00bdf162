"""The ``guard`` command line."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from guard.cli_audit import audit_app, db_app, keys_app
from guard.cli_eval import eval_command
from guard.errors import ConfigurationError

app = typer.Typer(help="guard: a compliance guardrail proxy for LLMs.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """guard: a compliance guardrail proxy for LLMs."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (GUARD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (GUARD_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: the number of cores; 1 with SQLite)."),
    ] = None,
) -> None:
    """Serve the OpenAI-compatible proxy."""
    import uvicorn
    from pydantic import ValidationError

    from guard.config import Settings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from local paths only
    # numpy's OpenBLAS threads spin on the other cores after each small product of the
    # detectors (spaCy's NER, the static encoder) and slow the request path they share
    # with the server; one per process, set before numpy loads (``guard bench`` does too).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"guard: invalid settings: {settings_problems(exc)}", err=True)
        raise typer.Exit(2) from exc
    except ConfigurationError as exc:
        typer.echo(f"guard: invalid settings: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    sqlite = settings.database_url.startswith("sqlite")
    count = workers if workers is not None else (1 if sqlite else os.cpu_count() or 1)
    if count > 1:  # the workers' metrics folder, named before prometheus_client is imported
        import tempfile

        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="guard-metrics-")
    from guard.app import create_app

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        application = create_app(settings)  # the models load here, once
    except ConfigurationError as exc:
        if count > 1:
            import shutil

            shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
        typer.echo(f"guard: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    # What is loaded now lives as long as the process: out of the collector's reach, its
    # full collections stop walking the models' objects (a pause of 0.1-0.3 s each), and
    # forked workers keep sharing those pages instead of copying them as it marks them.
    gc.collect()
    gc.freeze()
    if count > 1:
        _serve_workers(application, settings, count, sqlite=sqlite)
        return
    uvicorn.run(application, host=settings.host, port=settings.port, log_level=settings.log_level)


def _serve_workers(application: Any, settings: Any, count: int, *, sqlite: bool) -> None:
    """``count`` worker processes on one socket, forked from this one after it loaded the
    policies' models, so that the workers share those pages (copy on write). Each starts
    its own audit writer and hash chain, policy watcher and generator; metrics go to a
    folder all of them write. A worker that dies is replaced; SIGTERM or SIGINT stops every
    worker, each draining its writer."""
    import shutil
    import signal
    import socket

    import uvicorn

    log = logging.getLogger("guard.serve")
    if sqlite:
        log.warning("%d workers share one SQLite file; PostgreSQL suits several writers", count)
    if not settings.redis_url:
        log.warning(
            "without GUARD_REDIS_URL each of the %d workers counts rate limits alone", count
        )
    metrics = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if settings.auto_upgrade:  # once, here, not in every worker at once
        from guard.audit.migrate import upgrade

        upgrade(application.state.database.engine)
        application.state.database.engine.dispose()
        settings.db_auto_upgrade = False
    family, kind, proto, _, address = socket.getaddrinfo(
        settings.host, settings.port, type=socket.SOCK_STREAM
    )[0]
    # One listening socket per worker on the same port (SO_REUSEPORT): the kernel spreads
    # new connections over them evenly. On one shared socket, the worker that wakes first
    # accepts a whole burst of keep-alive connections and serves them all, while the others
    # idle (at 64 connections, two workers served no more than one).
    reuse_port = hasattr(socket, "SO_REUSEPORT")
    listeners: list[socket.socket] = []
    for _ in range(count if reuse_port else 1):
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(address)
        address = listener.getsockname()  # port 0: every socket on the port the first got
        listener.listen(2048)
        listener.set_inheritable(True)
        listeners.append(listener)
    import time

    workers: dict[int, tuple[int, float]] = {}  # pid -> its socket, when it started
    stopping = False
    early_deaths = 0

    def start_worker(slot: int) -> None:
        pid = os.fork()
        if pid:
            workers[pid] = (slot, time.monotonic())
            return
        code = 1
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # uvicorn installs its own
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            application.state.database.engine.dispose(close=False)  # no connection shared
            config = uvicorn.Config(application, log_level=settings.log_level)
            server = uvicorn.Server(config)
            server.run(sockets=[listeners[slot % len(listeners)]])
            code = 0 if server.started else 3  # 3: it could not start (lifespan failed)
        finally:
            os._exit(code)  # never back into the supervisor's loop

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("serving on %s:%s with %d workers", settings.host, settings.port, count)
    try:
        for slot in range(count):
            start_worker(slot)
        while workers:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            slot, started = workers.pop(pid, (0, time.monotonic()))
            if stopping:
                continue
            early_deaths = early_deaths + 1 if time.monotonic() - started < 10 else 0
            if early_deaths >= 3:  # a worker that cannot start will not start the next time
                log.error("workers keep ending at start (status %d); stopping", status)
                stop(signal.SIGTERM, None)
                raise typer.Exit(1)
            log.error("worker %d ended (status %d); starting another", pid, status)
            start_worker(slot)  # on the socket of the one that ended: its queue waits for it
    finally:
        for listener in listeners:
            listener.close()
        shutil.rmtree(metrics, ignore_errors=True)


def settings_problems(exc: Any) -> str:
    """A pydantic ValidationError of the settings as one line: ``GUARD_NAME: reason; …``."""
    problems = []
    for error in exc.errors():
        where = "_".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append(f"GUARD_{where.upper()}: {message}" if where else message)
    return "; ".join(problems)


@app.command()
def health(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the answer.")] = 3.0,
) -> None:
    """Exit 0 when the local `guard serve` answers /healthz on its configured port, else 1
    (the Docker images' health check; it reads GUARD_PORT and guard.yaml like serve)."""
    import httpx

    from guard.config import Settings

    settings = Settings()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    try:
        ok = httpx.get(f"http://{host}:{settings.port}/healthz", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        ok = False
    raise typer.Exit(0 if ok else 1)


@app.command()
def prepare() -> None:
    """Build what first start would build, now: the bundled model converted for
    transformers and the static token table of the bundled embedding model, each cached
    under GUARD_CACHE_DIR by its content (a new virtual environment finds them; older
    versions are removed). `make install` runs it."""
    import time

    from guard.config import BUNDLED_MODEL, Settings
    from guard.detectors.semantic.detector import bundled_embedding_model
    from guard.detectors.semantic.static import distilled_table
    from guard.generators.local_model import resolve_model_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings()
    started = time.perf_counter()
    if settings.model == BUNDLED_MODEL:
        model = resolve_model_dir(settings.model, settings.cache_dir)
        typer.echo(f"model: {model} ({time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    table = distilled_table(bundled_embedding_model(), settings.cache_dir)
    typer.echo(
        f"static embeddings: {table.shape[0]} tokens ({time.perf_counter() - started:.1f} s)"
    )


JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PathsArgument = Annotated[
    list[Path] | None, typer.Argument(help="Policy files or folders (default: GUARD_POLICY_DIR).")
]

policy_app = typer.Typer(help="Validate, test and explain policies.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.command("eval")(eval_command)


def _policy_paths(paths: list[Path] | None) -> list[Path]:
    from guard.config import Settings

    return list(paths) if paths else [Settings().policy_dir]


def _load_or_exit(paths: list[Path], *, load_models: bool = True):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from guard.app import detector_context
    from guard.config import Settings
    from guard.policy.loader import PolicyLoadError, load_policies

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    context = replace(detector_context(Settings(), policy_dir=paths[0]), load_models=load_models)
    try:
        return load_policies(paths, context)
    except PolicyLoadError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from exc


@policy_app.command("validate")
def policy_validate(paths: PathsArgument = None) -> None:
    """Check policy files; print file:line: reason for each problem and exit 1 if any.

    It reads the files, their detectors' settings and the files they name; it loads no
    model (``guard policy test`` runs the detectors), so it takes about a second.
    """
    found = _load_or_exit(_policy_paths(paths), load_models=False)
    for policy in found.policies.values():
        typer.echo(
            f"ok: policy {policy.name} version {policy.version} "
            f"({len(policy.rules)} rules, {len(policy.tests)} tests, {len(policy.files)} files)"
        )


@policy_app.command("test")
def policy_test(paths: PathsArgument = None) -> None:
    """Run the tests embedded in policy files with the real detectors; exit 1 on a failure."""
    import asyncio

    from rich.console import Console
    from rich.table import Table

    from guard.policy.testing import run_policy_tests

    found = _load_or_exit(_policy_paths(paths))
    results = asyncio.run(run_policy_tests(found))
    table = Table(title="policy tests")
    for column in ("", "file", "stage", "text", "expected", "got", "problem"):
        table.add_column(column)
    for r in results:
        table.add_row(
            "[green]pass[/]" if r.passed else "[red]FAIL[/]",
            f"{Path(r.file).name}#{r.index + 1}",
            r.test.stage,
            r.label,
            r.test.expect.action,
            f"{r.action} {','.join(r.rules)}".strip(),
            r.problem or "",
        )
    console = Console(width=160)
    console.print(table)
    failed = [r for r in results if not r.passed]
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def _show_resolved(policy) -> None:  # type: ignore[no-untyped-def]
    """The policy as it serves: what it extends, its constraints, every rule and whence."""
    typer.echo(f"policy {policy.name} version {policy.version}")
    typer.echo(f"resolved from: {' <- '.join(policy.chain)}")
    typer.echo(f"apps: {', '.join(policy.apps)}")
    if policy.constraints is not None:
        typer.echo(f"constraints: {policy.constraints.model_dump(exclude_none=True)}")
    for rule in policy.rules:
        whence = "own" if rule.origin == policy.name else f"inherited from {rule.origin}"
        if rule.overridden:
            whence += ", overridden"
        r = rule.rule
        band = f", review from {r.review}" if r.review is not None else ""
        typer.echo(
            f"- {r.id}: {r.action} on {', '.join(r.stages)} ({r.mode}{band}); "
            f"detector {r.detector['type']}; {whence}"
        )
    typer.echo(f"{len(policy.tests)} tests")


@policy_app.command("explain")
def policy_explain(
    text: Annotated[
        str | None,
        typer.Argument(help="The text to decide on; without it, the resolved policy."),
    ] = None,
    stage: Annotated[str, typer.Option(help="input or output.")] = "input",
    app_name: Annotated[str, typer.Option("--app", help="Whose policy to apply.")] = "anonymous",
    paths: Annotated[
        list[Path] | None, typer.Option("--policy", help="Policy files or folders.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the decision on TEXT and its explanation; without TEXT, the app's policy as it
    serves (what it extends, every rule and where it came from)."""
    import asyncio
    import json

    from guard.policy.evaluate import Evaluator
    from guard.policy.explain import explain

    if stage not in ("input", "output"):
        raise typer.BadParameter("stage must be input or output")
    found = _load_or_exit(_policy_paths(paths))
    policy = found.for_app(app_name)
    if policy is None:
        typer.echo(f"no policy applies to app {app_name!r}", err=True)
        raise typer.Exit(1)
    if text is None:
        _show_resolved(policy)
        return
    evaluation = asyncio.run(Evaluator().evaluate(policy, stage, [text]))  # type: ignore[arg-type]
    outcome = evaluation.outcome
    explanation = explain([outcome])
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "action": outcome.action,
                    "rules": list(outcome.rules),
                    "explanation": explanation,
                },
                indent=2,
            )
        )
        return
    typer.echo(f"decision: {outcome.action} (policy {policy.name} version {policy.version})")
    if outcome.rules:
        typer.echo(f"rules: {', '.join(outcome.rules)}")
    for item in explanation:
        for line in item["sentences"]:
            typer.echo(f"- {line}")


bench_app = typer.Typer(help="Measure speed: medians and p95 over repeated runs.")
app.add_typer(bench_app, name="bench")


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@bench_app.callback(invoke_without_command=True)
def bench_all(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Run every benchmark with its defaults (the generation one on CPU)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as `guard serve` runs (see there)
    if ctx.invoked_subcommand is None:
        results = {
            "guard": _run_guard_bench([200, 1000, 8000], 30, 200, "anonymous", None, as_json),
            "proxy": _run_proxy_bench([1, 16, 64], 1000, as_json),
            "generation": _run_generation_bench("auto", "float32,int8", 64, 5, 8, as_json),
        }
        if as_json:
            _print_json(results)


@bench_app.command("proxy")
def bench_proxy_command(
    concurrency: Annotated[
        str, typer.Option(help="Comma-separated concurrency levels.")
    ] = "1,16,64",
    requests: Annotated[int, typer.Option(help="Requests per level and path.")] = 1000,
    soak: Annotated[
        int, typer.Option(help="Then this many more requests, watching the server's memory.")
    ] = 0,
    workers: Annotated[
        str, typer.Option(help="Comma-separated worker counts (default: 1 and the cores).")
    ] = "",
    policies: Annotated[
        str, typer.Option(help="Comma-separated: shipped (the pack), empty (no rules).")
    ] = "shipped,empty",
    paced_ms: Annotated[
        float,
        typer.Option(help="Then time first tokens with the fake pausing this long per token."),
    ] = 20.0,
    as_json: JsonOption = False,
) -> None:
    """Proxy overhead: the fake generator directly vs through guard serve on loopback, for
    each policy and worker count, one after the other in one run; then, for each policy,
    streaming time to first token with the fake paced as a served model (0: skip)."""
    counts = [int(w) for w in _csv(workers)] or sorted({1, os.cpu_count() or 1})
    results = [
        _run_proxy_bench(
            [int(c) for c in _csv(concurrency)], requests, as_json, soak, count, policy
        )
        for policy in _csv(policies)
        for count in counts
    ]
    if paced_ms > 0:
        results += [_run_paced_bench(paced_ms, policy, as_json) for policy in _csv(policies)]
    if as_json:
        _print_json(results)


@bench_app.command("guard")
def bench_guard_command(
    sizes: Annotated[str, typer.Option(help="Comma-separated prompt sizes in characters.")] = (
        "200,1000,8000"
    ),
    runs: Annotated[int, typer.Option(help="Repeated runs per figure.")] = 30,
    pii_texts: Annotated[int, typer.Option(help="Texts in the PII throughput figure.")] = 200,
    app_name: Annotated[str, typer.Option("--app", help="Whose policy to measure.")] = (
        "anonymous"
    ),
    paths: Annotated[
        list[Path] | None, typer.Option("--policy", help="Policy files or folders.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Guard cost per stage and per rule's detector, and PII throughput vs plain Presidio."""
    result = _run_guard_bench(
        [int(s) for s in _csv(sizes)], runs, pii_texts, app_name, paths, as_json
    )
    if as_json:
        _print_json(result)


def _run_guard_bench(
    sizes: list[int],
    runs: int,
    pii_texts: int,
    app_name: str,
    paths: list[Path] | None,
    quiet: bool,
) -> dict[str, object]:
    from rich.console import Console
    from rich.table import Table

    from guard.bench.guard_cost import bench_guard

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    policy = _load_or_exit(_policy_paths(paths)).for_app(app_name)
    if policy is None:
        typer.echo(f"no policy applies to app {app_name!r}", err=True)
        raise typer.Exit(1)
    result = bench_guard(
        policy, sizes=sizes, runs=runs, pii_texts=pii_texts, progress=_progress(quiet)
    )
    if not quiet:
        table = Table(title="Guard cost, ms (median / p95), new text every run")
        table.add_column("stage or rule (detector)")
        for row in result["sizes"]:
            table.add_column(f"~{row['chars']} chars", justify="right")
        names = list(result["sizes"][0]["stages"]) + list(result["sizes"][0]["rules"])
        for name in names:
            cells = []
            for row in result["sizes"]:
                figure = row["stages"].get(name) or row["rules"].get(name)
                cells.append(f"{figure['median']:.1f} / {figure['p95']:.1f}" if figure else "")
            label = name
            if name in result["sizes"][0]["rules"]:
                label = f"  {name} ({result['sizes'][0]['rules'][name]['detector']})"
            table.add_row(label, *cells)
        console = Console()
        console.print(table)
        pii = result["pii_throughput"]
        if pii:
            console.print(
                f"PII on {pii['texts']} texts of ~{pii['chars']} chars: guard "
                f"{pii['guard_texts_per_s']} texts/s, plain Presidio "
                f"{pii['presidio_texts_per_s']} texts/s ({pii['ratio']}x)"
            )
        streamed = result["stream"]
        if streamed:
            console.print(
                f"a streamed answer of ~{streamed['chars']} chars, word by word: output guard "
                f"{streamed['leads_ms']['median']:.1f} ms of CPU with the rules' leads, "
                f"{streamed['window_ms']['median']:.1f} ms with the fixed window alone "
                f"({streamed['ratio']}x)"
            )
        console.print(
            f"resident memory: {result['rss_mb_after_load']} MiB after load, "
            f"{result['rss_mb_after']} MiB after"
        )
    return result


@bench_app.command("generate")
def bench_generate_command(
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:N.")] = "auto",
    dtypes: Annotated[str, typer.Option(help="Comma-separated dtypes.")] = "float32,int8",
    tokens: Annotated[int, typer.Option(help="Tokens generated per request.")] = 64,
    runs: Annotated[int, typer.Option(help="Repeated runs per figure.")] = 5,
    batch: Annotated[int, typer.Option(help="Concurrent requests in the batched figure.")] = 8,
    as_json: JsonOption = False,
) -> None:
    """Local generator tokens/s per dtype (single and batched), memory and answer agreement."""
    result = _run_generation_bench(device, dtypes, tokens, runs, batch, as_json)
    if as_json:
        _print_json(result)


ALL_DTYPES = "float32,float16,bfloat16,int8"


@bench_app.command("gpu")
def bench_gpu_command(
    device: Annotated[str, typer.Option(help="cuda, cuda:N (cpu: the CPU half only).")] = "cuda",
    dtypes: Annotated[
        str, typer.Option(help="Generator dtypes.")
    ] = "float32,float16,bfloat16,int8",
    batches: Annotated[str, typer.Option(help="Embedding batch sizes.")] = "1,16,64,256",
    runs: Annotated[int, typer.Option(help="Repeated runs per figure.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """The GPU check: generator tokens/s per dtype, embedding batches on the device beside
    the CPU, and GPU memory (allocated vs reserved) before, during and after release.
    Takes a few minutes on one GPU."""
    from guard.bench.device import bench_detector_batches

    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            typer.echo("no CUDA device here; run this on a GPU machine (or --device cpu)", err=True)
            raise typer.Exit(2)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = {
        "detectors": bench_detector_batches(
            device=device,
            batches=[int(b) for b in _csv(batches)],
            runs=runs,
            progress=_progress(as_json),
        ),
        "generation": _run_generation_bench(device, dtypes, 64, runs, 8, as_json),
    }
    if as_json:
        _print_json(result)
    else:
        _print_json(result["detectors"])


def _print_json(result: object) -> None:
    import json

    typer.echo(json.dumps(result, indent=2))


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(stderr=True)
    return lambda message: None if quiet else console.log(message)


def _run_proxy_bench(
    concurrencies: list[int],
    requests: int,
    quiet: bool,
    soak: int = 0,
    workers: int = 1,
    policy: str = "shipped",
) -> dict[str, object]:
    from rich.console import Console
    from rich.table import Table

    from guard.bench.proxy import bench_proxy

    result = bench_proxy(
        concurrencies=concurrencies,
        requests=requests,
        soak=soak,
        workers=workers,
        policy=policy,
        progress=_progress(quiet),
    )
    if not quiet:
        table = Table(
            title=f"Proxy vs direct (fake generator), {policy} policy, {workers} workers, ms"
        )
        for column in (
            "concurrency",
            "direct p50/p95",
            "proxy p50/p95",
            "overhead p50",
            "direct rps",
            "proxy rps",
        ):
            table.add_column(column, justify="right")
        for row in result["load"]:
            d, p = row["direct_ms"], row["proxy_ms"]
            table.add_row(
                str(row["concurrency"]),
                f"{d['median']:.2f} / {d['p95']:.2f}",
                f"{p['median']:.2f} / {p['p95']:.2f}",
                f"{row['overhead_p50_ms']:.2f}",
                f"{row['direct_rps']:.0f}",
                f"{row['proxy_rps']:.0f}",
            )
        console = Console()
        console.print(table)
        td, tp = result["ttft_direct_ms"], result["ttft_proxy_ms"]
        console.print(
            f"time to first token: direct {td['median']:.2f} ms (p95 {td['p95']:.2f}), "
            f"proxy {tp['median']:.2f} ms (p95 {tp['p95']:.2f})"
        )
        console.print(
            f"server resident memory after warm-up (all workers): "
            f"{result['rss_mb_after_warmup']} MiB"
        )
        if result["soak"]:
            soaked = result["soak"]
            console.print(
                f"after {soaked['requests']} more requests: {soaked['rss_mb_quarters']} MiB "
                f"at each quarter (growth {soaked['growth_mb']} MiB)"
            )
    return result


def _run_paced_bench(token_ms: float, policy: str, quiet: bool) -> dict[str, object]:
    from guard.bench.proxy import bench_paced_stream

    result = bench_paced_stream(token_ms=token_ms, policy=policy, progress=_progress(quiet))
    if not quiet:
        td, tp = result["ttft_direct_ms"], result["ttft_proxy_ms"]
        typer.echo(
            f"paced stream ({token_ms:g} ms per token), {policy} policy, 1 worker: time to "
            f"first token direct {td['median']:.1f} ms, proxy {tp['median']:.1f} ms "
            f"(p95 {tp['p95']:.1f}), added {result['ttft_added_p50_ms']:.1f} ms; the first "
            f"piece released carries {result['first_piece_words']} words"
        )
    return result


def _run_generation_bench(
    device: str, dtypes: str, tokens: int, runs: int, batch: int, quiet: bool
) -> list[dict[str, object]]:
    from rich.console import Console
    from rich.table import Table

    from guard.bench.generation import bench_generation
    from guard.config import Settings
    from guard.generators.local_model import pick_device

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings()
    resolved = str(pick_device(device))
    rows = bench_generation(
        model=settings.model,
        device=resolved,
        dtypes=_csv(dtypes),
        cache_dir=settings.cache_dir,
        tokens=tokens,
        runs=runs,
        batch=batch,
        progress=_progress(quiet),
    )
    if not quiet:
        table = Table(title=f"Local generator ({settings.model}), {tokens} tokens per request")
        for column in (
            "device",
            "dtype",
            "load s",
            "tok/s p50/p95",
            f"batch {batch} tok/s p50",
            "RSS MiB",
            "same answers",
        ):
            table.add_column(column, justify="right")
        for row in rows:
            single = row["tokens_per_s"]
            batched = row[f"batch{batch}_tokens_per_s"]
            table.add_row(
                str(row["device"]),
                str(row["dtype"]),
                str(row["load_s"]),
                f"{single['median']:.1f} / {single['p95']:.1f}",  # type: ignore[index]
                f"{batched['median']:.1f}",  # type: ignore[index]
                str(row["rss_mb"]),
                str(row["same_greedy_answers_as_first_dtype"]),
            )
        Console().print(table)
    return rows


if __name__ == "__main__":
    app()
