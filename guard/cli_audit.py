"""``guard db``, ``guard audit`` and ``guard keys``: the audit database from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

db_app = typer.Typer(help="The audit database.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and export the audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys and their roles.", no_args_is_help=True)


def _database():  # type: ignore[no-untyped-def]
    from guard.audit.database import Database
    from guard.config import Settings

    return Database(Settings().database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to GUARD_DATABASE_URL."""
    from guard.audit.migrate import upgrade

    database = _database()
    upgrade(database.engine)
    typer.echo(f"database {database.describe()} is at the latest schema")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every hash chain; exit 1 naming the first bad record of each broken chain."""
    from guard.audit.verify import verify

    report = verify(_database())
    for problem in report.problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"{report.records} records in {report.chains} chains; {len(report.problems)} broken")
    if report.problems:
        raise typer.Exit(1)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A unique name; for app keys, the app's name.")],
    role: Annotated[str, typer.Option(help="app, reviewer or admin.")] = "app",
) -> None:
    """Create a key and print it once, alone on stdout; only its hash is stored."""
    from sqlalchemy.exc import IntegrityError

    from guard.keys import ROLES, KeyStore

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    try:
        key, secret = KeyStore(_database()).create(name, role)  # type: ignore[arg-type]
    except IntegrityError as exc:
        typer.echo(f"a key named {name!r} already exists", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {key.role} key {key.name} (id {key.id}); it is shown only now", err=True)
    typer.echo(secret)


@keys_app.command("list")
def keys_list() -> None:
    """Keys with their roles and state (never the secrets)."""
    from guard.keys import KeyStore

    for key in KeyStore(_database()).list():
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        typer.echo(f"{key.id}  {key.name:<24} {key.role:<9} {state}")


@keys_app.command("revoke")
def keys_revoke(name_or_id: Annotated[str, typer.Argument(help="The key's name or id.")]) -> None:
    """Revoke a key; it stops working within seconds on every replica."""
    from guard.keys import KeyStore

    if not KeyStore(_database()).revoke(name_or_id):
        typer.echo(f"no active key {name_or_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {name_or_id}")


@keys_app.command("raw-key")
def keys_raw_key() -> None:
    """Print a new encryption key for GUARD_RAW_KEY (optional encrypted raw storage)."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode())
