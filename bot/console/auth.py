"""Staff accounts and sessions: argon2 passwords, cookie sessions, CSRF tokens, roles.

A login gives the browser an HttpOnly, SameSite=Strict cookie holding a random token; the
database keeps only its SHA-256, with a CSRF token that every form and state-changing request
must send back. Failed logins are rate-limited per name and per address. Roles: ``agent``
handles conversations, ``marketer`` reads analytics, ``admin`` may do both and manage users.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.channels.web.sessions import RateLimiter
from storage.staff import StaffSessionRow, StaffUser
from storage.uow import UnitOfWorkFactory

ROLES = ("agent", "marketer", "admin")
CONSOLE_ROLES = frozenset({"agent", "admin"})
"""Who may handle conversations."""
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_UNKNOWN = _HASHER.hash("a password nobody has, so unknown names take as long as known ones")


class LoginRefused(Exception):
    """Wrong name or password, or too many attempts (the text says which)."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(sent: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


@dataclass(frozen=True, slots=True)
class Login:
    """A new session: the cookie's token and the CSRF token."""

    token: str
    csrf: str
    user: StaffUser


class StaffAuth:
    """Logs staff in and out and finds the session of a request."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Callable[[], datetime],
        limiter: RateLimiter | None = None,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.limiter = limiter or RateLimiter(per_minute=5, burst=5)

    async def login(self, name: str, password: str, address: str) -> Login:
        """A new session for ``name``; ``LoginRefused`` otherwise."""
        for key in (f"name:{name.lower()}", f"address:{address}"):
            if self.limiter.take(key) > 0:
                raise LoginRefused("too many attempts; wait a minute and try again")
        async with self.uow() as uow:
            user = await uow.staff.user(name)
            if user is None or not user.active or not _verify(user.password_hash, password):
                if user is None:
                    _verify(_UNKNOWN, password)
                raise LoginRefused("wrong name or password")
            if _HASHER.check_needs_rehash(user.password_hash):
                await uow.staff.set_password(user.id, _HASHER.hash(password))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            now = self.clock()
            await uow.staff.open_session(
                user.id, token_hash(token), csrf, now, now + SESSION_LIFETIME
            )
            await uow.commit()
        return Login(token, csrf, user)

    async def session(self, token: str | None) -> StaffSessionRow | None:
        """The live session of a cookie's token."""
        if not token:
            return None
        async with self.uow.read_only() as uow:
            return await uow.staff.session(token_hash(token), self.clock())

    async def logout(self, token: str) -> None:
        """End the session."""
        async with self.uow() as uow:
            await uow.staff.close_session(token_hash(token))
            await uow.commit()

    async def add_user(
        self, name: str, role: str, password: str, telegram_id: str | None = None
    ) -> int:
        """Create a user (``journeybot users add``), linked to a Telegram account if given."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name.strip() or len(name) > 64:
            raise ValueError("a name needs 1 to 64 characters")
        async with self.uow() as uow:
            user_id = await uow.staff.add_user(
                name.strip(), role, hash_password(password), self.clock(), telegram_id
            )
            await uow.commit()
        return user_id


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
