"""create_app: the one place that wires settings, generator, guard, audit and HTTP together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from guard import __version__
from guard.api import health, openai_routes
from guard.api.errors import install_error_handlers
from guard.api.middleware import GuardHTTPMiddleware
from guard.audit.database import Database
from guard.audit.sink import AuditSink, LogAuditSink
from guard.config import Settings
from guard.generators import build_generator
from guard.generators.base import Generator
from guard.metrics import Metrics
from guard.pipeline import Pipeline
from guard.policy.base import Guard
from guard.policy.passthrough import PassThroughGuard

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
    queue_depth = getattr(generator, "queue_depth", None)
    metrics = Metrics(queue_depth=queue_depth if callable(queue_depth) else (lambda: 0))
    pipeline = Pipeline(
        generator=generator,
        guard=guard or PassThroughGuard(),
        audit=audit or LogAuditSink(),
        metrics=metrics,
        replica=settings.replica_id,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("starting %s generator; database %s", settings.generator, database.describe())
        await generator.start()
        app.state.generator_started = True
        try:
            yield
        finally:
            app.state.generator_started = False
            await generator.aclose()
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
    install_error_handlers(app)
    app.include_router(openai_routes.router)
    app.include_router(health.router)
    app.add_middleware(GuardHTTPMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    return app
