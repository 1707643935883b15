"""The unit of work: one connection, one transaction, every repository on it.

Use it as ``async with uow_factory() as uow: ...; await uow.commit()``. Leaving the block
without ``commit()`` rolls everything back, including after an exception, so a failure half
way never leaves half-written rows. On SQLite a unit holds the engine's write lock from
entry to exit (one writer at a time), so never open a unit inside another one.

``uow_factory.read_only()`` is the cheap form for reads: no explicit transaction (each
statement sees the latest committed data), no write lock, nothing to roll back, and
``commit()`` refuses. It may be opened anywhere, also inside another unit.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import autocommit, write_lock
from storage.errors import StorageError
from storage.events import CommerceEventRepository
from storage.followups import FollowUpSweep
from storage.handoff import HandoffRepository
from storage.queries import TouchpointQueries
from storage.repositories import (
    ConversationRepository,
    CustomerRepository,
    FollowUpRepository,
    MessageRepository,
    TouchpointRepository,
)
from storage.staff import StaffRepository
from storage.summaries import SummaryRepository
from storage.surveys import SurveyRepository


class SqlAlchemyUnitOfWork:
    """A transaction over the repositories (or, read-only, a connection without one)."""

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    touchpoints: TouchpointRepository
    follow_ups: FollowUpRepository
    events: CommerceEventRepository
    sweep: FollowUpSweep
    queries: TouchpointQueries
    surveys: SurveyRepository
    staff: StaffRepository
    handoff: HandoffRepository
    summaries: SummaryRepository
    connection: AsyncConnection

    def __init__(
        self, engine: AsyncEngine, *, read_only: bool = False, lock: asyncio.Lock | None = None
    ) -> None:
        self._engine = engine
        self._lock = lock
        self._holding = False
        self.read_only = read_only
        self.committed = False

    @property
    def session(self) -> AsyncConnection:
        """The unit's connection, for ad-hoc statements (``execute``, ``scalars``)."""
        return self.connection

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        if self._lock is not None:
            await self._lock.acquire()
            self._holding = True
        try:
            self.connection = connection = await self._engine.connect()
        except BaseException:
            self._release()
            raise
        self.committed = False
        self.customers = CustomerRepository(connection)
        self.conversations = ConversationRepository(connection)
        self.messages = MessageRepository(connection)
        self.touchpoints = TouchpointRepository(connection)
        self.follow_ups = FollowUpRepository(connection)
        self.events = CommerceEventRepository(connection)
        self.sweep = FollowUpSweep(connection)
        self.queries = TouchpointQueries(connection)
        self.surveys = SurveyRepository(connection)
        self.staff = StaffRepository(connection)
        self.handoff = HandoffRepository(connection)
        self.summaries = SummaryRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.connection.close()  # rolls back whatever was not committed
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None and self._holding:
            self._holding = False
            self._lock.release()

    async def commit(self) -> None:
        """Commit the one transaction."""
        if self.read_only:
            raise StorageError("a read-only unit of work has nothing to commit")
        await self.connection.commit()
        self.committed = True

    async def rollback(self) -> None:
        """Throw the transaction's changes away."""
        await self.connection.rollback()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; the composition root builds one of these."""

    def __init__(self, database: AsyncEngine | async_sessionmaker[AsyncSession]) -> None:
        engine = database if isinstance(database, AsyncEngine) else database.kw["bind"]
        self.engine: AsyncEngine = engine
        self._autocommit_engine = autocommit(engine)
        self._write_lock = write_lock(engine)

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, lock=self._write_lock)

    def read_only(self) -> SqlAlchemyUnitOfWork:
        """A unit for reads only: no BEGIN, nothing to roll back, no commit."""
        return SqlAlchemyUnitOfWork(self._autocommit_engine, read_only=True)
