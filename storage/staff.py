"""Staff accounts, their browser sessions and their notes on conversations. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage import tables as t
from storage.errors import StorageError
from storage.repository_base import Repository
from storage.statements import table


class DuplicateUser(StorageError):
    """A user of that name exists already."""


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A member of staff as the console needs them."""

    id: int
    name: str
    role: str
    password_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class StaffSessionRow:
    """A logged-in browser: who, its CSRF token, until when."""

    user: StaffUser
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NoteRow:
    """An internal note."""

    author: str
    text: str
    created_at: datetime


class StaffRepository(Repository):
    """Users, sessions and notes."""

    async def add_user(
        self, name: str, role: str, password_hash: str, now: datetime,
        telegram_id: str | None = None,
    ) -> int:  # fmt: skip
        """Create a user; raise ``DuplicateUser`` when the name (or Telegram id) is taken."""
        try:
            return await self.insert(
                t.User,
                {"name": name, "role": role, "password_hash": password_hash, "active": True,
                 "created_at": now, "telegram_id": telegram_id},
            )  # fmt: skip
        except IntegrityError as exc:
            raise DuplicateUser(
                f"a user called {name!r} (or with that Telegram id) exists"
            ) from exc

    async def user_by_telegram(self, telegram_id: str) -> StaffUser | None:
        """The active user linked to a Telegram account."""
        u = table(t.User)
        stmt = select(u.c.id, u.c.name, u.c.role, u.c.password_hash, u.c.active).where(
            u.c.telegram_id == telegram_id, u.c.active.is_(True)
        )
        row = (await self.connection.execute(stmt)).first()
        return None if row is None else StaffUser(*row[:4], active=bool(row[4]))

    async def user(self, name: str) -> StaffUser | None:
        """The user called ``name``."""
        u = table(t.User)
        stmt = select(u.c.id, u.c.name, u.c.role, u.c.password_hash, u.c.active)
        row = (await self.connection.execute(stmt.where(u.c.name == name))).first()
        return None if row is None else StaffUser(*row[:4], active=bool(row[4]))

    async def users(self) -> list[StaffUser]:
        """Every user, by name."""
        u = table(t.User)
        stmt = select(u.c.id, u.c.name, u.c.role, u.c.password_hash, u.c.active).order_by(u.c.name)
        return [
            StaffUser(*row[:4], active=bool(row[4])) for row in await self.connection.execute(stmt)
        ]

    async def set_password(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (a rehash with newer parameters, or a reset)."""
        await self.update(t.User, user_id, {"password_hash": password_hash})

    async def open_session(
        self, user_id: int, token_hash: str, csrf: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a login."""
        await self.insert(
            t.StaffSession,
            {"token_hash": token_hash, "user_id": user_id, "csrf": csrf, "created_at": now,
             "expires_at": expires_at},
        )  # fmt: skip

    async def session(self, token_hash: str, now: datetime) -> StaffSessionRow | None:
        """The live session with this token hash, with its user (None: unknown or expired)."""
        s, u = table(t.StaffSession), table(t.User)
        stmt = (
            select(u.c.id, u.c.name, u.c.role, u.c.password_hash, u.c.active, s.c.csrf,
                   s.c.expires_at)
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_hash == token_hash, s.c.expires_at > now, u.c.active.is_(True))
        )  # fmt: skip
        row = (await self.connection.execute(stmt)).first()
        if row is None:
            return None
        user = StaffUser(*row[:4], active=bool(row[4]))
        return StaffSessionRow(user, row[5], row[6])

    async def close_session(self, token_hash: str) -> None:
        """Log out."""
        s = table(t.StaffSession)
        await self.connection.execute(delete(s).where(s.c.token_hash == token_hash))

    async def add_token(self, name: str, role: str, token_hash: str, now: datetime) -> None:
        """Record an API token (only its hash); ``DuplicateUser`` when the name is taken."""
        try:
            await self.insert(
                t.ApiToken,
                {"name": name, "role": role, "token_hash": token_hash, "created_at": now},
            )
        except IntegrityError as exc:
            raise DuplicateUser(f"a token called {name!r} exists already") from exc

    async def token_role(self, token_hash: str) -> str | None:
        """The role of the API token with this hash (None: no such token)."""
        a = table(t.ApiToken)
        stmt = select(a.c.role).where(a.c.token_hash == token_hash)
        role: str | None = (await self.connection.execute(stmt)).scalar_one_or_none()
        return role

    async def add_note(self, conversation_id: int, user_id: int, text: str, now: datetime) -> None:
        """Add an internal note."""
        await self.insert(
            t.Note,
            {"conversation_id": conversation_id, "user_id": user_id, "text": text,
             "created_at": now},
        )  # fmt: skip

    async def notes(self, conversation_id: int) -> list[NoteRow]:
        """The notes of a conversation, oldest first."""
        n, u = table(t.Note), table(t.User)
        stmt = (
            select(u.c.name, n.c.text, n.c.created_at)
            .join(u, u.c.id == n.c.user_id)
            .where(n.c.conversation_id == conversation_id)
            .order_by(n.c.id)
        )
        return [NoteRow(*row) for row in await self.connection.execute(stmt)]
