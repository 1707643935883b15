"""``GET /r/<token>``: a review invitation's tracked link.

A valid link counts the click and redirects (302) to the review page of the product or the
shop. An unknown, never-sent or expired token gets a short 404 page in the customer's three
languages, not an error. Link-preview fetchers (Telegram, WhatsApp, Slack ... announce
themselves in their User-Agent) are redirected without counting a click.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.reviews import ReviewLinks

GONE_PAGE = Path(__file__).parent / "static" / "link-gone.html"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_PREVIEWERS = re.compile(r"bot|preview|crawler|spider|facebookexternalhit|whatsapp", re.I)


def is_link_preview(user_agent: str) -> bool:
    """True for a client that fetches a link to show its preview, not a person clicking."""
    return bool(_PREVIEWERS.search(user_agent))


def review_link_handler(links: ReviewLinks) -> Handler:
    """The handler of ``GET /r/{token}``."""
    gone = GONE_PAGE.read_text(encoding="utf-8")

    async def follow(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        preview = is_link_preview(request.headers.get("User-Agent", ""))
        target = await links.follow(token, count=not preview) if _TOKEN.match(token) else None
        if target is None:
            return web.Response(
                status=404,
                text=gone,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        raise web.HTTPFound(
            target, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )

    return follow
