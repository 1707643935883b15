"""The floor of bench/pipeline.py: a bare aiohttp endpoint that parses the same JSON and
inserts two rows in one transaction through the same database driver, nothing else.

Run: python -m bench.floor_server --url URL --port N
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from aiohttp import web

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS floor_in (id {pk}, sender TEXT, text TEXT)",
    "CREATE TABLE IF NOT EXISTS floor_out (id {pk}, recipient TEXT, text TEXT)",
)


class SqliteFloor:
    """Raw aiosqlite, with the pragmas journeybot's engine uses."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = asyncio.Lock()

    async def start(self) -> None:
        import aiosqlite

        self.db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            await self.db.execute(f"PRAGMA {pragma}")
        for sql in SCHEMA:
            await self.db.execute(sql.format(pk="INTEGER PRIMARY KEY"))

    async def store(self, sender: str, text: str) -> None:
        async with self.lock:  # one connection: one transaction at a time
            await self.db.execute("BEGIN IMMEDIATE")
            await self.db.execute(
                "INSERT INTO floor_in (sender, text) VALUES (?, ?)", (sender, text)
            )
            await self.db.execute(
                "INSERT INTO floor_out (recipient, text) VALUES (?, ?)", (sender, "ok")
            )
            await self.db.execute("COMMIT")


class PostgresFloor:
    """Raw asyncpg with a connection pool."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def start(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(self.url, min_size=10, max_size=30)
        async with self.pool.acquire() as conn:
            for sql in SCHEMA:
                await conn.execute(sql.format(pk="SERIAL PRIMARY KEY"))

    async def store(self, sender: str, text: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO floor_in (sender, text) VALUES ($1, $2)", sender, text)
            await conn.execute(
                "INSERT INTO floor_out (recipient, text) VALUES ($1, $2)", sender, "ok"
            )


def build_app(store: Any) -> web.Application:
    """The floor app: POST /webhooks/rest/webhook and GET /health."""

    async def webhook(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        await store.store(body["sender"], body["message"])
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/health", health)
    return app


async def main(url: str, port: int) -> None:
    """Serve the floor until killed."""
    store: Any = SqliteFloor(url) if not url.startswith("postgres") else PostgresFloor(url)
    await store.start()
    runner = web.AppRunner(build_app(store), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="SQLite file path or postgresql:// URL")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.port))
