"""create_app: the one place that wires settings, generator, guard, audit and HTTP together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from guard import __version__
from guard.api import (
    admin_routes,
    audit_routes,
    embedding_routes,
    guard_routes,
    health,
    openai_routes,
    responses_routes,
    review_routes,
    web,
)
from guard.api.errors import install_error_handlers
from guard.api.middleware import GuardHTTPMiddleware
from guard.api.sessions import SessionStore
from guard.audit.checkpoints import CheckpointLog
from guard.audit.database import Database
from guard.audit.migrate import upgrade
from guard.audit.policy_history import record_active
from guard.audit.signing import load_signer
from guard.audit.sink import AuditSink
from guard.audit.subjects import hash_key
from guard.audit.writer import DatabaseAuditSink
from guard.config import Settings
from guard.detectors.base import DetectorContext
from guard.errors import ConfigurationError
from guard.generators import build_generator
from guard.generators.base import Generator
from guard.keys import KeyStore
from guard.limits import Limiter
from guard.metrics import Metrics
from guard.pipeline import Pipeline
from guard.policy.base import Guard
from guard.policy.engine import PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.loader import PolicyLoadError, PolicySet
from guard.policy.store import PolicyStore

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    generator: Generator | None = None,
    guard: Guard | None = None,
    audit: AuditSink | None = None,
) -> FastAPI:
    """Build the ASGI app. Parts left out are built from ``settings``; tests pass fakes."""
    settings = settings or Settings()
    generator = generator or build_generator(settings)
    database = Database(settings.database_url)
    checkpoints = checkpoint_log(settings, database)  # a missing signing key stops start-up now
    metrics = Metrics(queue_depth=generator.queue_depth)
    store: PolicyStore | None = None
    if guard is None:
        store, guard = build_policy_guard(settings, generator, metrics)
    if audit is None:
        audit = DatabaseAuditSink(
            database,
            spool_dir=settings.spool_dir,
            replica=settings.replica_id,
            queue_size=settings.audit_queue_size,
            raw_key=settings.raw_key,
            checkpoints=checkpoints,
            checkpoint_every=settings.checkpoint_interval,
        )
    pipeline = Pipeline(
        generator=generator,
        guard=guard,
        audit=audit,
        metrics=metrics,
        replica=settings.replica_id,
        store_raw=settings.store_raw,
        max_scan_chars=settings.max_scan_chars,
        subject_key=hash_key(settings.hash_key, settings.hash_key_file),
    )

    def note_policies(policies: PolicySet) -> None:
        """Keep the serving versions in the policy history (a database outage only logs)."""
        try:
            record_active(database, policies, replica=settings.replica_id)
        except SQLAlchemyError as exc:
            log.error("policy history not written: %s", type(exc).__name__)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("starting %s generator; database %s", settings.generator, database.describe())
        if settings.auto_upgrade:
            await asyncio.to_thread(upgrade, database.engine)
        database.remember_file()
        if store is not None:
            store.on_swap.append(note_policies)
            await asyncio.to_thread(note_policies, store.current)
        if not settings.anonymous_allowed:
            log.info("traffic without an app key is refused (GUARD_ANONYMOUS_APPS)")
        elif settings.loopback_only:
            log.warning("anonymous app traffic is allowed while guard listens on loopback only")
        else:
            log.warning(
                "anonymous app traffic is allowed on %s (GUARD_ANONYMOUS_APPS=allow)", settings.host
            )
        await pipeline.audit.start()
        await generator.start()
        app.state.generator_started = True
        tasks = [asyncio.create_task(retention_daily(settings, database), name="retention")]
        if store is not None and settings.policy_watch:
            tasks.append(asyncio.create_task(store.watch(), name="policy-watcher"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.generator_started = False
            await generator.aclose()
            await app.state.limiter.aclose()
            await pipeline.audit.aclose()
            database.dispose()

    app = FastAPI(
        title="guard",
        version=__version__,
        description="A compliance guardrail proxy for large language models.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.metrics = metrics
    app.state.database = database
    app.state.generator_started = False
    app.state.policy_store = store
    app.state.keys = KeyStore(database)
    app.state.limiter = Limiter(settings.redis_url)
    app.state.checkpoints = checkpoints
    app.state.sessions = SessionStore(database)
    install_error_handlers(app)
    app.include_router(openai_routes.router)
    app.include_router(embedding_routes.router)
    app.include_router(responses_routes.router)
    app.include_router(guard_routes.router)
    app.include_router(review_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(web.router)
    app.include_router(health.router)
    app.add_middleware(
        GuardHTTPMiddleware,
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        audit_rejected=pipeline.record_rejected,
    )
    return app


RETENTION_EVERY_S = 24 * 3600.0
RETENTION_FIRST_AFTER_S = 300.0


async def retention_daily(settings: Settings, database: Database) -> None:
    """``guard audit purge`` once a day inside ``guard serve`` (first a few minutes after
    start); a failure is logged and tried again an hour later."""
    from guard.audit.retention import purge

    wait = RETENTION_FIRST_AFTER_S
    while True:
        await asyncio.sleep(wait)
        try:
            report = await asyncio.to_thread(
                purge,
                database,
                checkpoint_log(settings, database),
                retention_days=settings.audit_retention_days,
                min_retention_days=settings.audit_min_retention_days,
                actor=f"guard serve ({settings.replica_id})",
            )
        except Exception as exc:  # a purge that fails must not stop the server
            log.error("audit retention purge failed: %s", exc)
            wait = 3600.0
            continue
        if report.deleted:
            log.info("audit retention purged %s (before %s)", report.deleted, report.before)
        wait = RETENTION_EVERY_S


def checkpoint_log(settings: Settings, database: Database) -> CheckpointLog:
    """Where checkpoints go, signed with GUARD_AUDIT_SIGNING_KEY when one is set."""
    signer = load_signer(settings.audit_signing_key) if settings.audit_signing_key else None
    return CheckpointLog(database, signer=signer, directory=settings.audit_checkpoint_dir)


def detector_context(
    settings: Settings, *, generator: Generator | None = None, policy_dir: Path | None = None
) -> DetectorContext:
    """What detectors load with, the same for ``guard serve`` and every command line tool."""
    return DetectorContext(
        policy_dir=policy_dir or settings.policy_dir,
        device=settings.detector_device,
        generator=generator,
        cache_dir=settings.cache_dir,
    )


def build_policy_guard(
    settings: Settings, generator: Generator, metrics: Metrics
) -> tuple[PolicyStore, PolicyGuard]:
    """Load the policy directory (refusing to start on any problem) and the guard over it."""
    if not settings.policy_dir.is_dir():
        raise ConfigurationError(f"GUARD_POLICY_DIR {settings.policy_dir} is not a directory")
    context = detector_context(settings, generator=generator)
    store = PolicyStore(
        settings.policy_dir,
        context,
        on_reload=lambda ok: metrics.policy_reloads.labels(result="ok" if ok else "error").inc(),
    )
    try:
        loaded = store.load()
    except PolicyLoadError as exc:
        raise ConfigurationError(f"invalid policies:\n{exc.message}") from exc
    if loaded.for_app("anonymous") is None:
        log.warning("no policy applies to anonymous traffic: such requests will be refused")
    evaluator = Evaluator(
        on_fail_open=lambda rule, det: metrics.fail_open.labels(rule=rule, detector=det).inc()
    )
    guard = PolicyGuard(
        store,
        evaluator,
        hash_key=settings.hash_key.encode() if settings.hash_key else None,
        holdback_chars=settings.stream_holdback_chars,
        scan_chars=settings.stream_scan_chars,
    )
    return store, guard
