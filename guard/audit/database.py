"""The database connection: plain URLs in settings, mapped to the drivers guard ships."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def engine_url(url: str) -> URL:
    """Map ``postgresql://`` to psycopg 3 and check SQLite's folder exists."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return parsed


class Database:
    """One SQLAlchemy engine; SQLite files run in WAL mode."""

    def __init__(self, url: str):
        self.url = engine_url(url)
        connect_args: dict[str, object] = {}
        if self.url.get_backend_name() == "postgresql":
            # An unreachable server is an error in seconds, not a request that hangs.
            connect_args["connect_timeout"] = 3
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
        self._file: Path | None = None
        self._identity: tuple[int, int] | None = None
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            if self.url.database not in (None, "", ":memory:"):
                self._file = Path(self.url.database).expanduser().resolve()
                event.listen(self.engine, "engine_connect", self._refuse_unwritable)

    def _unwritable(self) -> Path | None:
        """The first of the SQLite file and its WAL files that cannot be written, if any."""
        if self._file is None:
            return None
        for path in (self._file, *(self._file.with_name(self._file.name + s) for s in _SIDES)):
            if path.exists() and not os.access(path, os.W_OK):
                return path
        return None

    def _refuse_unwritable(self, connection: object) -> None:
        """SQLite writes its WAL index (``-shm``, memory-mapped) even to read, and when it
        closes; a file that turned unwritable (read-only, immutable) would kill the process
        with SIGBUS. Such a database counts as unreachable instead: keys fall back to
        memory, records spool, and no connection is used or closed until it is writable."""
        path = self._unwritable()
        if path is not None:
            raise OperationalError(
                "connect", {}, PermissionError(f"the SQLite file {path} is not writable")
            )

    def remember_file(self) -> None:
        """Note which SQLite file is being served (after migrations created it)."""
        if self._file is not None and self._file.exists():
            stat = self._file.stat()
            self._identity = (stat.st_dev, stat.st_ino)

    def file_problem(self) -> str | None:
        """Why the SQLite file being served is no longer the one on disk, if it is not.

        A file deleted or replaced while serving still answers through the open handle, but
        nothing written to it would survive a restart; writers spool instead.
        """
        if self._file is None or self._identity is None:
            return None
        try:
            stat = self._file.stat()
        except FileNotFoundError:
            return f"the SQLite file {self._file} was deleted while serving"
        if (stat.st_dev, stat.st_ino) != self._identity:
            return f"the SQLite file {self._file} was replaced while serving"
        unwritable = self._unwritable()
        if unwritable is not None:
            return f"the SQLite file {unwritable} is not writable"
        return None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def ping(self) -> None:
        """Raise if the database cannot run a query."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def reachable(self, timeout_s: float = 2.0) -> bool:
        return await self.problem(timeout_s) is None

    async def problem(self, timeout_s: float = 2.0) -> str | None:
        """Why the database cannot keep records now, or None when it can."""
        gone = self.file_problem()
        if gone is not None:
            return gone
        try:
            await asyncio.wait_for(asyncio.to_thread(self.ping), timeout=timeout_s)
        except Exception:
            return "unreachable"
        return None

    def dispose(self) -> None:
        """Close pooled connections, except while SQLite's files are unwritable (closing a
        WAL connection writes, which would be a SIGBUS): they are kept until it passes."""
        if self._unwritable() is None:
            self.engine.dispose()

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return self.url.render_as_string(hide_password=True)


_SIDES = ("-wal", "-shm")


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
