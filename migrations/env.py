"""Alembic environment: the URL comes from guard's settings (or the caller's connection)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from guard.audit.database import engine_url
from guard.audit.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from guard.config import Settings

    return Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=str(engine_url(_url())), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(engine_url(_url()))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
