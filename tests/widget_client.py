"""The widget's wire protocol from the customer's side: a session, a socket, a message."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

Client = TestClient[web.Request, web.Application]
SHOP = "https://shop.example.com"
"""The origin of the shop's pages (put it in ``allowed_origins``)."""


async def new_session(client: Client, token: str | None = None, **body: Any) -> dict[str, Any]:
    resp = await client.post(
        "/widget/session", json={"token": token, **body}, headers={"Origin": SHOP}
    )
    assert resp.status == 200, await resp.text()
    assert resp.headers["Access-Control-Allow-Origin"] == SHOP
    answer: dict[str, Any] = await resp.json()
    return answer


async def frames_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    """Frames received up to and including the first of type ``kind``."""
    seen: list[dict[str, Any]] = []
    while True:
        frame = await ws.receive_json(timeout=5)
        seen.append(frame)
        if frame["type"] == kind:
            return seen


async def connect(client: Client, token: str, after: int = 0) -> tuple[Any, list[dict[str, Any]]]:
    """An open socket and the frames of its replay (up to ``ready``)."""
    ws = await client.ws_connect(f"/ws?token={token}&after={after}&lang=en", origin=SHOP)
    return ws, await frames_until(ws, "ready")


async def ask(ws: Any, text: str, client_id: str) -> dict[str, Any]:
    """Send ``text``; the first bot message that comes back."""
    await ws.send_json({"type": "message", "id": client_id, "text": text})
    frames = await frames_until(ws, "message")
    return frames[-1]
