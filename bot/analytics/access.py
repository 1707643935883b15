"""Who may read analytics: an API token (``journeybot tokens add``) or a staff session.

Tokens are 256 random bits shown once; the database keeps their SHA-256. Marketers and
admins read analytics; an agent's token or session is refused (403), and a request with
neither gets 401.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.console.auth import ROLES, StaffAuth, token_hash
from bot.console.web import COOKIE
from storage.uow import UnitOfWorkFactory

ANALYTICS_ROLES = frozenset({"marketer", "admin"})


class AnalyticsAccess:
    """Checks the token or session of an analytics request."""

    def __init__(
        self, uow: UnitOfWorkFactory, staff: StaffAuth, clock: Callable[[], datetime]
    ) -> None:
        self.uow, self.staff, self.clock = uow, staff, clock

    async def add_token(self, name: str, role: str) -> str:
        """A new token for ``role``; the only time it is shown."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token = secrets.token_urlsafe(32)
        async with self.uow() as uow:
            await uow.staff.add_token(name, role, token_hash(token), self.clock())
            await uow.commit()
        return token

    async def check(self, request: web.Request) -> None:
        """Raise 401 without credentials, 403 for a role that may not read analytics."""
        role = await self._role(request)
        if role is None:
            raise web.HTTPUnauthorized(
                text='{"error": "send Authorization: Bearer <token> or log in"}',
                content_type="application/json",
            )
        if role not in ANALYTICS_ROLES:
            raise web.HTTPForbidden(
                text=f'{{"error": "the {role} role cannot read analytics"}}',
                content_type="application/json",
            )

    async def _role(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            async with self.uow.read_only() as uow:
                return await uow.staff.token_role(
                    token_hash(header.removeprefix("Bearer ").strip())
                )
        session = await self.staff.session(request.cookies.get(COOKIE))
        return session.user.role if session is not None else None
