"""The unit of work: one session, one transaction, every repository on it.

Use it as ``async with uow_factory() as uow: ...; await uow.commit()``. Leaving the block
without ``commit()`` rolls everything back, including after an exception, so a failure half
way never leaves half-written rows.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.queries import TouchpointQueries
from storage.repositories import (
    ConversationRepository,
    CustomerRepository,
    FollowUpRepository,
    MessageRepository,
    TouchpointRepository,
)


class SqlAlchemyUnitOfWork:
    """A transaction over the repositories."""

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    touchpoints: TouchpointRepository
    follow_ups: FollowUpRepository
    queries: TouchpointQueries

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self.committed = False

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self.session = self._session_factory()
        self.committed = False
        session = self.session
        self.customers = CustomerRepository(session)
        self.conversations = ConversationRepository(session)
        self.messages = MessageRepository(session)
        self.touchpoints = TouchpointRepository(session)
        self.follow_ups = FollowUpRepository(session)
        self.queries = TouchpointQueries(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self.committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        """Commit the one transaction."""
        await self.session.commit()
        self.committed = True

    async def rollback(self) -> None:
        """Throw the transaction's changes away."""
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; the composition root builds one of these."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)
