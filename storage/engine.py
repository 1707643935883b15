"""Engine from a database URL: SQLite by default, PostgreSQL by URL.

``autocommit(engine)`` gives a view of the same pool for reads that need no transaction:
no ``BEGIN`` and nothing to roll back, each statement sees the latest committed data.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite import DEFERRABLE, FusedConnection, fused_connector

#: Execution option that tells the SQLite ``begin`` hook not to emit ``BEGIN IMMEDIATE``.
NO_BEGIN = "journeybot_no_begin"
#: SQLite connections: one writer at a time (see ``write_lock``), the others read (WAL).
SQLITE_POOL_SIZE = 4

_write_locks: WeakKeyDictionary[Any, asyncio.Lock] = WeakKeyDictionary()


def normalise_url(url: str) -> str:
    """Pick the async driver for plain ``sqlite://`` and ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Build the async engine; SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE``.

    ``BEGIN IMMEDIATE`` takes SQLite's write lock at the start of each transaction, so two
    concurrent writers wait for each other (busy timeout) instead of failing on lock upgrade.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=fused_connector(args, {**kwargs, "timeout": 30}),
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=0,
            pool_timeout=60,
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping: on asyncpg it is a BEGIN/SELECT/COMMIT per checkout. A connection the
    # server dropped fails its statement instead; SQLAlchemy then invalidates the pool, so
    # one unit of work fails and the next ones get fresh connections. Recycling caps the
    # age of idle connections that firewalls or poolers may have cut.
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_recycle=1800)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _on_execute(
        connection: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if context is not None and context.execution_options.get(DEFERRABLE):
            driver = connection.connection.driver_connection
            if isinstance(driver, FusedConnection):
                driver.may_defer(statement)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(NO_BEGIN):
            return
        driver = connection.connection.driver_connection
        if isinstance(driver, FusedConnection):
            driver.defer_begin("BEGIN IMMEDIATE")  # sent with the first statement
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def write_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """The lock a unit of work holds around a SQLite transaction (None on PostgreSQL).

    SQLite has one writer at a time; queueing writers in asyncio instead of in SQLite's busy
    handler (which sleeps and retries) keeps them in order and wastes no time. Readers do not
    take it: in WAL mode they run beside the writer on the pool's other connections.
    """
    if engine.dialect.name != "sqlite":
        return None
    key = engine.sync_engine.pool
    lock = _write_locks.get(key)
    if lock is None:
        lock = _write_locks[key] = asyncio.Lock()
    return lock


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (same pool) without explicit transactions, for units that only read."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{NO_BEGIN: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """ORM sessions on ``engine`` (``UnitOfWorkFactory`` takes this or the engine itself)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
