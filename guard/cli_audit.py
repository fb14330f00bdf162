"""``guard db``, ``guard audit`` and ``guard keys``: the audit database from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

db_app = typer.Typer(help="The audit database.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and export the audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys and their roles.", no_args_is_help=True)


def _actor() -> str:
    """Who the access log and signed records name for a command run here."""
    import getpass

    return f"cli:{getpass.getuser()}"


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
def audit_verify(
    public_key: Annotated[
        Path | None,
        typer.Option(help="The audit public key: checks every checkpoint's signature."),
    ] = None,
    checkpoint_dir: Annotated[
        Path | None,
        typer.Option(help="The checkpoint folder (default GUARD_AUDIT_CHECKPOINT_DIR)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Check every chain against its signed checkpoints; exit 1 naming chain and record."""
    import json

    from guard.audit.signing import load_verifier
    from guard.audit.verify import verify
    from guard.config import Settings

    settings = Settings()
    verifier = load_verifier(public_key) if public_key else None
    folder = checkpoint_dir or settings.audit_checkpoint_dir
    report = verify(_database(), verifier=verifier, checkpoint_dir=folder)
    if json_out:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        for problem in report.problems:
            typer.echo(str(problem), err=True)
        for purge in report.purges:
            typer.echo(
                f"purged: {purge.get('count', 0)} records of {purge['table']} chain "
                f"{purge['chain_id']} at {purge['time']} ({purge.get('reason', '')})"
            )
        for erasure in report.erasures:
            typer.echo(
                f"erased: text of {erasure.get('rows', 0)} records at {erasure['time']} "
                f"({erasure.get('reason', '')})"
            )
        typer.echo(report.summary())
    if report.problems:
        raise typer.Exit(1)


@audit_app.command("keygen")
def audit_keygen(
    directory: Annotated[Path, typer.Argument(help="Folder for the key pair.")],
) -> None:
    """Make the Ed25519 key pair that signs checkpoints and evidence packs."""
    from guard.audit.signing import generate
    from guard.errors import ConfigurationError

    try:
        private, public = generate(directory)
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {private} (private, mode 0600: set GUARD_AUDIT_SIGNING_KEY={private})")
    typer.echo(f"wrote {public} (public: give it to whoever verifies the log)")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of every chain's head now (bounds what could go unseen)."""
    from guard.app import checkpoint_log
    from guard.audit.checkpoints import checkpoint_heads
    from guard.config import Settings

    settings = Settings()
    database = _database()
    made = checkpoint_heads(checkpoint_log(settings, database))
    state = "signed" if settings.audit_signing_key else "UNSIGNED (no GUARD_AUDIT_SIGNING_KEY)"
    typer.echo(f"{len(made)} checkpoints written, {state}")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A unique name; for app keys, the app's name.")],
    role: Annotated[str, typer.Option(help="app, reviewer or admin.")] = "app",
    rpm: Annotated[int | None, typer.Option(min=1, help="Requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option(min=1, help="Tokens per minute.")] = None,
    tpd: Annotated[int | None, typer.Option(min=1, help="Tokens per day.")] = None,
    max_streams: Annotated[int | None, typer.Option(min=1, help="Concurrent streams.")] = None,
) -> None:
    """Create a key and print it once, alone on stdout; only its hash is stored."""
    from sqlalchemy.exc import IntegrityError

    from guard.keys import ROLES, KeyStore
    from guard.limits import Limits

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    limits = Limits(rpm=rpm, tpm=tpm, tpd=tpd, max_streams=max_streams)
    try:
        key, secret = KeyStore(_database()).create(name, role, limits)  # type: ignore[arg-type]
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
        limits = " ".join(f"{k}={v}" for k, v in key.limits.model_dump().items() if v)
        typer.echo(f"{key.id}  {key.name:<24} {key.role:<9} {state}  {limits}".rstrip())


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


@audit_app.command("export")
def audit_export(
    format: Annotated[str, typer.Option(help="jsonl or csv.")] = "jsonl",
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    app_name: Annotated[str | None, typer.Option("--app", help="Only this app.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only decisions where this rule fired.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, UTC.")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time, UTC.")] = None,
) -> None:
    """Write matching decisions to stdout (redacted text only); the export itself is recorded."""
    import sys
    from datetime import datetime

    from guard.audit import queries
    from guard.audit.export import csv_lines, jsonl_lines

    if format not in ("jsonl", "csv"):
        raise typer.BadParameter("format must be jsonl or csv")
    filters = queries.Filters(
        since=datetime.fromisoformat(since) if since else None,
        until=datetime.fromisoformat(until) if until else None,
        app=app_name,
        action=action,
        rule=rule,
    )
    database = _database()
    queries.record_access(
        database,
        actor=_actor(),
        action=f"export-{format}",
        target=filters.describe(),
    )
    rows = queries.iter_rows(database, filters=filters)
    for chunk in jsonl_lines(rows) if format == "jsonl" else csv_lines(rows):
        sys.stdout.write(chunk)


@audit_app.command("to-tests")
def audit_to_tests(
    verdict: Annotated[
        str, typer.Option(help="Reviewed verdict to turn into tests.")
    ] = "false_positive",
    policy: Annotated[str, typer.Option(help="Policy name the tests belong to.")] = "default",
    output: Annotated[str | None, typer.Option(help="File to write (default: stdout).")] = None,
    policy_dir: Annotated[
        Path | None,
        typer.Option(help="The policy folder the decisions were made under (GUARD_POLICY_DIR)."),
    ] = None,
) -> None:
    """Policy test cases from reviewed decisions: a false positive must be allowed next time.

    The cases use the text as the audit log stored it (personal data replaced), so they can be
    committed next to the policy and prove a fix before it ships. A case is written only when
    the policy version that made the decision, loaded from the policy folder, still reaches
    that decision on the stored text; every other one is reported on stderr, not written.
    """
    import asyncio

    import yaml

    from guard.audit import queries
    from guard.cli import _load_or_exit
    from guard.config import Settings
    from guard.policy.testing import reproduction_problem

    database = _database()
    loaded = _load_or_exit([policy_dir or Settings().policy_dir])
    filters = queries.Filters(review_status=verdict)
    queries.record_access(database, actor=_actor(), action="to-tests", target=filters.describe())
    tests: list[dict[str, object]] = []
    skipped = 0
    for row in queries.iter_rows(database, filters=filters):
        for stage in row["stages"]:
            if not stage.get("rules") or not stage.get("texts"):
                continue
            texts = stage["texts"]
            made_by = loaded.policies.get(row["policy"] or "")
            if made_by is None:
                problem: str | None = f"policy {row['policy']!r} is not in the policy folder"
            elif made_by.version != row["policy_version"]:
                problem = (
                    f"made under policy version {row['policy_version']}, the folder holds "
                    f"{made_by.version}; pass --policy-dir with the policy as it was then"
                )
            else:
                deciding = {
                    f["rule_id"]
                    for f in row["findings"]
                    if f["stage"] == stage["stage"]
                    and f["action"] == stage["action"]
                    and f["mode"] == "enforce"
                }
                problem = asyncio.run(
                    reproduction_problem(
                        made_by,
                        stage["stage"],
                        texts,
                        action=stage["action"],
                        rules=tuple(sorted(deciding or stage["rules"])),
                    )
                )
            if problem is not None:
                skipped += 1
                typer.echo(
                    f"not written: decision {row['id']} ({stage['stage']} stage): {problem}",
                    err=True,
                )
                continue
            case: dict[str, object] = {
                "name": f"review of {row['id']} ({verdict})",
                "stage": stage["stage"],
            }
            if len(texts) == 1:
                case["text"] = texts[0]
            else:
                case["messages"] = [{"role": "user", "content": t} for t in texts]
            expected = "allow" if verdict == "false_positive" else stage["action"]
            case["expect"] = {"action": expected}
            tests.append(case)
    header = (
        f"# Generated by `guard audit to-tests --verdict {verdict}` from reviewed decisions.\n"
        "# Move the cases into the policy file they belong to once the policy is fixed.\n"
    )
    document = header + yaml.safe_dump(
        {"name": policy, "tests": tests}, sort_keys=False, allow_unicode=True
    )
    if skipped:
        typer.echo(f"{skipped} reviewed decisions did not reproduce and were not written", err=True)
    if output:
        Path(output).write_text(document, encoding="utf-8")
        typer.echo(f"wrote {len(tests)} test cases to {output}", err=True)
    else:
        typer.echo(document, nl=False)


@audit_app.command("purge")
def audit_purge(
    dry_run: Annotated[bool, typer.Option(help="Only say what would be deleted.")] = False,
) -> None:
    """Delete records past GUARD_AUDIT_RETENTION_DAYS (not held); each range leaves a signed
    purge record, so the chains still verify."""

    from guard.app import checkpoint_log
    from guard.audit.retention import purge
    from guard.config import Settings

    settings = Settings()
    database = _database()
    report = purge(
        database,
        checkpoint_log(settings, database),
        retention_days=settings.audit_retention_days,
        min_retention_days=settings.audit_min_retention_days,
        actor=_actor(),
        dry_run=dry_run,
    )
    names = {"decisions": "decisions", "reviews": "reviews", "audit_access": "access-log entries"}
    counts = ", ".join(f"{n} {names[t]}" for t, n in report.deleted.items()) or "nothing"
    verb = "would delete" if dry_run else "deleted"
    typer.echo(
        f"{verb} {counts} from before {report.before:%Y-%m-%d %H:%M} UTC; "
        f"{report.held} records kept under legal hold"
    )


@audit_app.command("hold")
def audit_hold(
    reason: Annotated[str, typer.Option(help="Why (a case number, a request).")],
    app_name: Annotated[
        str | None, typer.Option("--app", help="Hold every record of an app.")
    ] = None,
    decision: Annotated[str | None, typer.Option(help="Hold one decision.")] = None,
) -> None:
    """A legal hold: the records it covers are kept past retention and erasure."""

    from guard.audit.retention import create_hold

    if (app_name is None) == (decision is None):
        raise typer.BadParameter("give --app NAME or --decision ID")
    ident = create_hold(
        _database(),
        reason=reason,
        actor=_actor(),
        app=app_name,
        decision_id=decision,
    )
    typer.echo(ident)


@audit_app.command("release")
def audit_release(hold_id: Annotated[str, typer.Argument(help="The hold's id.")]) -> None:
    """End a legal hold; its records fall under retention again."""

    from guard.audit.retention import release_hold

    if not release_hold(_database(), hold_id, actor=_actor()):
        typer.echo(f"no active hold {hold_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"released {hold_id}")


@audit_app.command("holds")
def audit_holds() -> None:
    """Every legal hold, active and released."""
    from guard.audit.retention import list_holds

    for hold in list_holds(_database()):
        scope = f"app {hold['app']}" if hold["app"] else f"decision {hold['decision_id']}"
        state = f"released {hold['released_at']}" if hold["released_at"] else "active"
        typer.echo(f"{hold['id']}  {scope:<40} {state:<10} {hold['reason']}")


@audit_app.command("erase")
def audit_erase(
    user: Annotated[str, typer.Option(help="The `user` value the application sent.")],
    reason: Annotated[str, typer.Option(help="Why (a request reference).")] = (
        "data subject erasure request"
    ),
) -> None:
    """Erase what the log holds about a data subject; legal holds win and are named."""
    import json

    from guard.app import checkpoint_log
    from guard.audit.erasure import erase
    from guard.audit.subjects import hash_key, subject_hash
    from guard.config import Settings

    settings = Settings()
    database = _database()
    subject = subject_hash(hash_key(settings.hash_key, settings.hash_key_file), user)
    report = erase(
        database,
        checkpoint_log(settings, database),
        subject=subject,
        actor=_actor(),
        reason=reason,
    )
    typer.echo(json.dumps(report.as_json(), indent=2))


@audit_app.command("find")
def audit_find(
    card: Annotated[str, typer.Option(help="A card number; matched by its HMAC only.")],
) -> None:
    """Decisions whose request or answer held this card number (ids, times, actions)."""

    from sqlalchemy import select

    from guard.audit import queries
    from guard.audit.cards import card_hash
    from guard.audit.models import DecisionRow
    from guard.audit.subjects import hash_key
    from guard.config import Settings

    settings = Settings()
    wanted = card_hash(hash_key(settings.hash_key, settings.hash_key_file), card)
    database = _database()
    queries.record_access(database, actor=_actor(), action="find-card", target={"card": "hmac"})
    d = DecisionRow
    with database.engine.connect() as conn:
        rows = conn.execute(
            select(d.id, d.time, d.app, d.action, d.card_hashes)
            .where(d.card_hashes.is_not(None))
            .order_by(d.time)
        ).all()
    for row in rows:
        if wanted in (row.card_hashes or []):
            typer.echo(f"{row.id}  {row.time:%Y-%m-%d %H:%M:%S}  {row.app:<20} {row.action}")


def _evidence_settings(settings) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The settings an auditor asks about (never secrets: keys are named, not shown)."""
    from guard.audit.database import Database

    return {
        "database": Database(settings.database_url).describe(),
        "replica_id": settings.replica_id,
        "generator": settings.generator,
        "model": settings.model,
        "policy_dir": str(settings.policy_dir),
        "store_raw": settings.store_raw,
        "raw_key_set": bool(settings.raw_key),
        "hash_key_set": bool(settings.hash_key),
        "audit_signing_key": str(settings.audit_signing_key),
        "audit_checkpoint_every": settings.audit_checkpoint_every,
        "audit_checkpoint_dir": str(settings.audit_checkpoint_dir),
        "audit_retention_days": settings.audit_retention_days,
        "audit_min_retention_days": settings.audit_min_retention_days,
        "anonymous_apps": settings.anonymous_apps,
    }


@audit_app.command("evidence")
def audit_evidence(
    since: Annotated[str, typer.Option(help="ISO time, UTC (inclusive).")],
    until: Annotated[str, typer.Option(help="ISO time, UTC (exclusive).")],
    out: Annotated[Path, typer.Option(help="The zip to write.")],
) -> None:
    """A signed evidence pack of a time window, checkable offline with verify-pack."""
    from datetime import UTC, datetime

    from guard.audit.evidence import build
    from guard.audit.signing import load_signer
    from guard.config import Settings

    settings = Settings()
    if settings.audit_signing_key is None:
        typer.echo("an evidence pack is signed: set GUARD_AUDIT_SIGNING_KEY", err=True)
        raise typer.Exit(1)

    def moment(value: str) -> datetime:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    summary = build(
        _database(),
        since=moment(since),
        until=moment(until),
        out=out,
        signer=load_signer(settings.audit_signing_key),
        actor=_actor(),
        settings=_evidence_settings(settings),
        checkpoint_dir=settings.audit_checkpoint_dir,
    )
    typer.echo(
        f"wrote {summary.path}: {summary.decisions} decisions, {summary.files} files; "
        f"manifest sha256 {summary.manifest_sha256}"
    )


@audit_app.command("verify-pack")
def audit_verify_pack(
    pack: Annotated[Path, typer.Argument(help="The evidence pack (zip).")],
    public_key: Annotated[Path, typer.Option(help="The audit public key.")],
) -> None:
    """Check an evidence pack offline: its signature and every file's SHA-256."""
    from guard.audit.evidence import check
    from guard.audit.signing import load_verifier

    problems = check(pack, load_verifier(public_key))
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{pack}: every file matches the signed manifest")
