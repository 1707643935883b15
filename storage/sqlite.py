"""aiosqlite connections that answer each statement in one trip to their worker thread.

aiosqlite runs every call on the connection's own thread and hands the result back to the
event loop. SQLAlchemy's aiosqlite adapter makes three or four such trips per statement
(create the cursor, execute, fetch, close); under load each trip also waits for a turn of the
event loop, and SQLite has one writer, so those waits add up to the writer's throughput.

``FusedConnection`` is an ``aiosqlite.Connection`` whose cursors execute, fetch every row and
close in ONE trip. Inside a transaction it also queues what needs no answer and sends it with
the next statement or the commit: ``BEGIN IMMEDIATE`` (``defer_begin``) and writes whose
outcome nobody reads (``may_defer``). A commit or rollback with no transaction open costs
no trip. SQLAlchemy still drives it through its own aiosqlite dialect (``async_creator``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import aiosqlite

_T = TypeVar("_T")

#: Execution option of a write whose outcome (row count, last row id) nobody reads.
DEFERRABLE = "journeybot_deferrable"

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


@dataclass(frozen=True, slots=True)
class _Outcome:
    description: Any
    rows: list[Any]
    rowcount: int
    lastrowid: int | None


_NOTHING = _Outcome(None, [], -1, None)


_Queued = list[tuple[str, Any, bool]]  # (sql, parameters, executemany)


def _send(conn: sqlite3.Connection, queued: _Queued) -> None:
    for sql, params, many in queued:
        if many:
            conn.executemany(sql, params)
        else:
            conn.execute(sql, params)


def _run(conn: sqlite3.Connection, queued: _Queued, sql: str, params: Any, many: bool) -> _Outcome:
    """On the worker thread: queued statements, then execute, fetch everything, close."""
    _send(conn, queued)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        return _Outcome(cursor.description, rows, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


def _commit(conn: sqlite3.Connection, queued: _Queued) -> None:
    """On the worker thread: queued statements, then COMMIT; on failure roll back.

    SQLAlchemy takes a failed commit as the end of the transaction and does not roll back,
    so a write sent with the commit that fails must not leave the transaction open.
    """
    try:
        _send(conn, queued)
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


class FusedCursor:
    """A DB-API-shaped async cursor whose results are fetched while executing."""

    def __init__(self, connection: FusedConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self._position = 0
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> FusedCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> FusedCursor:
        """Run one statement and keep its rows."""
        self._keep(await self._connection.run_statement(sql, parameters, many=False))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> FusedCursor:
        """Run one statement once per parameter set."""
        self._keep(await self._connection.run_statement(sql, parameters, many=True))
        return self

    def _keep(self, outcome: _Outcome) -> None:
        self.description = outcome.description
        self._rows, self._position = outcome.rows, 0
        self.rowcount, self.lastrowid = outcome.rowcount, outcome.lastrowid

    async def fetchone(self) -> Any:
        """The next row, or None."""
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to ``size`` (default ``arraysize``) further rows."""
        start = self._position
        self._position = min(len(self._rows), start + (size or self.arraysize))
        return self._rows[start : self._position]

    async def fetchall(self) -> list[Any]:
        """Every remaining row."""
        rows, self._position = self._rows[self._position :], len(self._rows)
        return rows

    async def close(self) -> None:
        """Drop the rows (the sqlite3 cursor was closed on the worker thread)."""
        self._rows = []

    async def __aiter__(self) -> AsyncIterator[Any]:
        for row in await self.fetchall():
            yield row


class FusedConnection(aiosqlite.Connection):
    """An aiosqlite connection handing out ``FusedCursor``s (see the module docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._queued: _Queued = []  # to send before the next statement
        self._begun = False  # the queue starts with BEGIN
        self._deferrable: str | None = None

    def cursor(self) -> FusedCursor:  # type: ignore[override]
        """A cursor that costs no trip to the worker thread until it executes."""
        return FusedCursor(self)

    def defer_begin(self, sql: str = "BEGIN IMMEDIATE") -> None:
        """Send ``sql`` just before the next statement, in the same trip."""
        self._queued = [(sql, (), False)]
        self._begun = True

    def may_defer(self, sql: str) -> None:
        """``sql`` is about to run and nobody reads its outcome: send it with the next one.

        Only inside a transaction; its errors then surface at the next statement or commit.
        """
        self._deferrable = sql

    async def run_statement(self, sql: str, parameters: Any, *, many: bool) -> _Outcome:
        """Execute on the worker thread (after anything queued) and fetch every row."""
        deferrable, self._deferrable = self._deferrable, None
        if sql == deferrable and (self._begun or self.in_transaction):
            self._queued.append((sql, parameters, many))
            return _NOTHING
        return await self._on_thread(_run, self._conn, self._take(), sql, parameters, many)

    async def commit(self) -> None:
        """Send what is queued and commit, in one trip (none if nothing ever ran)."""
        begun, queued = self._begun, self._take()
        if begun and len(queued) == 1:
            return  # BEGIN was never sent: nothing to commit
        if queued or (self._connection is not None and self.in_transaction):
            await self._on_thread(_commit, self._conn, queued)

    async def rollback(self) -> None:
        """Drop what is queued (it never ran) and roll back if a transaction is open."""
        self._take()
        if self._connection is not None and self.in_transaction:
            await super().rollback()

    async def _on_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn(*args)`` on the connection's worker thread (one trip)."""
        return cast(_T, await self._execute(fn, *args))  # type: ignore[no-untyped-call]

    def _take(self) -> _Queued:
        queued, self._queued, self._begun, self._deferrable = self._queued, [], False, None
        return queued


def fused_connector(
    args: Sequence[Any], kwargs: dict[str, Any]
) -> Callable[[], Awaitable[FusedConnection]]:
    """An ``async_creator`` for SQLAlchemy: ``sqlite3.connect(*args, **kwargs)``, then pragmas.

    The driver is left in autocommit mode (``isolation_level=None``); the engine emits
    ``BEGIN IMMEDIATE`` itself for each transaction.
    """

    def connect() -> sqlite3.Connection:
        conn: sqlite3.Connection = sqlite3.connect(*args, **{**kwargs, "isolation_level": None})
        for pragma in PRAGMAS:
            conn.execute(pragma)
        return conn

    async def create() -> FusedConnection:
        connection = FusedConnection(connect, iter_chunk_size=64)
        # Like SQLAlchemy's own adapter: a connection nobody closed must not keep the
        # interpreter alive at exit.
        connection._thread.daemon = True
        return cast(FusedConnection, await connection)

    return create
