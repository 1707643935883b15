"""The console's pages and endpoints under ``/console``.

Server-rendered pages (Jinja2, every value escaped), one WebSocket for live updates. Every
endpoint checks the session cookie and the role (agents and admins; a marketer gets 403);
every POST checks the CSRF token of the session (the login form: of a short-lived cookie).
Pages are served with a strict Content-Security-Policy and may not be framed.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import WSMsgType, web

from bot.console.auth import CONSOLE_ROLES, LoginRefused, StaffAuth, same_token
from bot.console.desk import DeskError, SupportDesk, UnknownConversation
from bot.console.live import LiveUpdates
from bot.settings import WebSettings
from journeys.handoff import AGENT, BOT, WAITING
from storage.staff import StaffSessionRow
from storage.uow import UnitOfWorkFactory

HERE = Path(__file__).parent
COOKIE = "jb_staff"
LOGIN_COOKIE = "jb_login"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
RECENT_WITH_BOT = 20
"""How many of the conversations the bot is having the queue page lists, for a takeover."""
Handler = Callable[[web.Request, StaffSessionRow], Awaitable[web.StreamResponse]]


def _waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


class Console:
    """The console's handlers, bound to the service's parts."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        auth: StaffAuth,
        desk: SupportDesk,
        live: LiveUpdates,
        web_settings: WebSettings,
    ) -> None:
        self.uow, self.auth, self.desk, self.live = uow, auth, desk, live
        self.secure = web_settings.base_url.startswith("https://")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["waited"] = _waited

    def add_routes(self, app: web.Application) -> None:
        """Register every ``/console`` route."""
        router = app.router
        router.add_get("/console/login", self.login_page)
        router.add_post("/console/login", self.login)
        router.add_post("/console/logout", self._staff(self.logout))
        router.add_get("/console", self._staff(self.queue_page))
        router.add_get("/console/queue", self._staff(self.queue_fragment))
        router.add_get("/console/ws", self._staff(self.socket))
        router.add_get("/console/c/{id:\\d+}", self._staff(self.conversation_page))
        router.add_get("/console/c/{id:\\d+}/live", self._staff(self.conversation_fragment))
        for action in ("claim", "reply", "note", "release", "close"):
            router.add_post(f"/console/c/{{id:\\d+}}/{action}", self._staff(self.act))
        router.add_static("/console/static", HERE / "static")

    # --- pages --------------------------------------------------------------------------

    async def login_page(
        self, request: web.Request, error: str = "", status: int = 200
    ) -> web.Response:
        """The login form, with a fresh CSRF cookie."""
        token = secrets.token_urlsafe(24)
        response = self._render(
            "login.html", status=status, csrf=token, error=error, user=None, name=""
        )
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=self.secure,
            path="/console",
        )
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        """Check the form; set the session cookie and go to the queue."""
        form = await request.post()
        if not same_token(_text(form, "csrf"), request.cookies.get(LOGIN_COOKIE, "")):
            return await self.login_page(request, "The form expired; please try again.", 403)
        address = request.remote or "?"
        try:
            login = await self.auth.login(_text(form, "name"), _text(form, "password"), address)
        except LoginRefused as refused:
            return await self.login_page(request, str(refused).capitalize() + ".", 401)
        home = "/console" if login.user.role in CONSOLE_ROLES else "/dashboard"
        response = web.HTTPSeeOther(home, headers=HEADERS)
        response.set_cookie(
            COOKIE, login.token, httponly=True, samesite="Strict", secure=self.secure,
            path="/", max_age=12 * 3600,
        )  # fmt: skip
        response.del_cookie(LOGIN_COOKIE, path="/console")
        raise response

    async def logout(self, request: web.Request, session: StaffSessionRow) -> web.StreamResponse:
        """End the session."""
        await self.auth.logout(request.cookies[COOKIE])
        response = web.HTTPSeeOther("/console/login", headers=HEADERS)
        response.del_cookie(COOKIE, path="/")
        raise response

    async def queue_page(self, request: web.Request, session: StaffSessionRow) -> web.Response:
        """The conversations waiting for a person or with one."""
        return self._render("queue.html", **await self._queue(session))

    async def queue_fragment(self, request: web.Request, session: StaffSessionRow) -> web.Response:
        """The queue's list alone, for the live refresh."""
        return self._render("_queue.html", **await self._queue(session))

    async def conversation_page(
        self, request: web.Request, session: StaffSessionRow, error: str = "", status: int = 200
    ) -> web.Response:
        """One conversation: transcript, notes and the actions."""
        found = await self._conversation(request, session)
        return self._render("conversation.html", status=status, error=error, **found)

    async def conversation_fragment(
        self, request: web.Request, session: StaffSessionRow
    ) -> web.Response:
        """The transcript and notes alone, for the live refresh."""
        return self._render("_conversation.html", **await self._conversation(request, session))

    async def act(self, request: web.Request, session: StaffSessionRow) -> web.StreamResponse:
        """``claim``, ``reply``, ``note``, ``release`` or ``close`` one conversation."""
        conversation = int(request.match_info["id"])
        action = request.path.rsplit("/", 1)[1]
        form = await request.post()
        user = session.user
        try:
            match action:
                case "claim":
                    await self.desk.claim(conversation, user)
                case "reply":
                    await self.desk.reply(conversation, user, _text(form, "text"))
                case "note":
                    await self.desk.note(conversation, user, _text(form, "text"))
                case "release":
                    await self.desk.release(conversation, user)
                case _:
                    await self.desk.close(conversation, user)
        except UnknownConversation as missing:
            raise web.HTTPNotFound(text=str(missing)) from missing
        except DeskError as refused:
            return await self.conversation_page(request, session, str(refused), 409)
        raise web.HTTPSeeOther(f"/console/c/{conversation}", headers=HEADERS)

    async def socket(self, request: web.Request, session: StaffSessionRow) -> web.WebSocketResponse:
        """``{"type": "changed", "conversation": id}`` whenever a conversation changes."""
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        with self.live.subscribe() as changes:
            reader = asyncio.create_task(_drain(ws))
            try:
                while True:
                    change = asyncio.create_task(changes.get())
                    await asyncio.wait({change, reader}, return_when=asyncio.FIRST_COMPLETED)
                    if not change.done():
                        change.cancel()
                        break
                    await ws.send_json({"type": "changed", "conversation": change.result()})
            finally:
                reader.cancel()
        return ws

    # --- helpers ------------------------------------------------------------------------

    def _staff(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Only for a logged-in agent or admin; a POST also needs the session's CSRF token."""

        async def checked(request: web.Request) -> web.StreamResponse:
            session = await self.auth.session(request.cookies.get(COOKIE))
            if session is None:
                if request.method == "GET" and not _is_fragment(request):
                    raise web.HTTPSeeOther("/console/login", headers=HEADERS)
                raise web.HTTPUnauthorized(text="log in first")
            if session.user.role not in CONSOLE_ROLES:
                raise web.HTTPForbidden(text=f"the {session.user.role} role cannot use the console")
            if request.method == "POST":
                form = await request.post()
                if not same_token(_text(form, "csrf"), session.csrf):
                    raise web.HTTPForbidden(text="missing or wrong CSRF token")
            return await handler(request, session)

        return checked

    async def _queue(self, session: StaffSessionRow) -> dict[str, Any]:
        async with self.uow.read_only() as uow:
            items = await uow.handoff.queue((WAITING, AGENT))
            with_bot = await uow.handoff.queue((BOT,), limit=RECENT_WITH_BOT)
        return {
            "items": items,
            "with_bot": with_bot,
            "now": self.desk.clock(),
            **self._who(session),
        }

    async def _conversation(self, request: web.Request, session: StaffSessionRow) -> dict[str, Any]:
        conversation = int(request.match_info["id"])
        async with self.uow.read_only() as uow:
            state = await uow.handoff.state(conversation)
            if state is None:
                raise web.HTTPNotFound(text=f"no conversation has id {conversation}")
            lines = await uow.handoff.transcript(conversation)
            notes = await uow.staff.notes(conversation)
            customer = await uow.handoff.customer_name(conversation)
        mine = state.status == AGENT and state.agent_id == session.user.id
        return {
            "state": state, "lines": lines, "notes": notes, "mine": mine, "customer": customer,
            **self._who(session),
        }  # fmt: skip

    @staticmethod
    def _who(session: StaffSessionRow) -> dict[str, Any]:
        return {"user": session.user, "csrf": session.csrf}

    def _render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        context.setdefault("error", "")
        html = self.env.get_template(template).render(**context)
        return web.Response(text=html, status=status, content_type="text/html", headers=HEADERS)


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the browser sends, so a close is noticed."""
    async for message in ws:
        if message.type == WSMsgType.ERROR:
            break
    await ws.close()


def _is_fragment(request: web.Request) -> bool:
    return request.path.endswith(("/live", "/queue", "/ws"))


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
