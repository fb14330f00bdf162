"""The ``guard`` command line."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from guard.errors import ConfigurationError

app = typer.Typer(help="guard: a compliance guardrail proxy for LLMs.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """guard: a compliance guardrail proxy for LLMs."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (GUARD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (GUARD_PORT).")] = None,
) -> None:
    """Serve the OpenAI-compatible proxy."""
    import uvicorn
    from pydantic import ValidationError

    from guard.app import create_app
    from guard.config import Settings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from local paths only
    try:
        settings = Settings()
    except (ValidationError, ConfigurationError) as exc:
        typer.echo(f"guard: invalid settings:\n{exc}", err=True)
        raise typer.Exit(2) from exc
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        application = create_app(settings)
    except ConfigurationError as exc:
        typer.echo(f"guard: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    uvicorn.run(application, host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    app()
