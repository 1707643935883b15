"""Throughput and latency of POST /webhooks/rest/webhook, beside a floor measured in the same run.

For SQLite and PostgreSQL: start the floor server (bench/floor_server.py: bare aiohttp, same
JSON, two inserts in one transaction, same driver) and then journeybot (`journeybot serve`
on the embedded NLU and demo shop), each in its own process; drive both with the same mix of
realistic messages in three languages at concurrency 32 from this process; print messages
per second, p50/p99 latency and journeybot's share of the floor's throughput.

Run: .venv/bin/python -m bench.pipeline [--requests 3000] [--concurrency 32] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [
    "hi there",
    "how much is the XPS 13?",
    "what laptops do you sell?",
    "how much RAM does the MacBook Air have",
    "do you ship to Ireland and how long does it take",
    "can I return it if I don't like it",
    "I want to buy the ThinkPad X1 Carbon",
    "is the Zenbook 14 in stock?",
    "which laptop is best for a student on a budget",
    "thanks, bye",
    "hola, ¿cuánto cuesta el MacBook Air?",
    "¿tenéis el ThinkPad en stock?",
    "¿cuánto tarda el envío a Madrid?",
    "quiero comprar el XPS 13",
    "es demasiado caro para mí",
    "gracias!",
    "ciao, quanto costa il Dell XPS?",
    "quanto pesa lo Zenbook 14?",
    "posso pagare a rate?",
    "voglio restituire il mio ordine",
    "dov'è il mio ordine?",
    "grazie mille",
]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/health") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not become healthy")


async def drive(name: str, port: int, total: int, concurrency: int, warmup: int) -> Result:
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0

    async def worker(session: aiohttp.ClientSession, limit: int, record: bool) -> None:
        nonlocal errors
        while (i := next(counter)) < limit:
            body = {"sender": f"{name}-user-{i % 500}", "message": MESSAGES[i % len(MESSAGES)]}
            started = time.perf_counter()
            async with session.post(url, json=body) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
            if record:
                latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session, warmup, False) for _ in range(concurrency)))
        counter = itertools.count()
        started = time.perf_counter()
        await asyncio.gather(*(worker(session, total, True) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result(name, total, seconds, latencies, errors)


@contextmanager
def server(args: list[str], env: dict[str, str]) -> Iterator[None]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """(floor URL, journeybot URL) for a fresh database of ``kind``."""
    if kind == "sqlite":
        yield str(workdir / "floor.db"), f"sqlite+aiosqlite:///{workdir / 'journeybot.db'}"
        return
    sys.path.insert(0, str(ROOT))
    import psycopg

    from tests.postgres import find_pg_ctl, postgres_server

    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        raise SystemExit("no PostgreSQL binaries (pg_ctl): apt-get install postgresql")
    with postgres_server(pg_ctl) as admin:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE floor")
            conn.execute("CREATE DATABASE journeybot")
        base = admin.rsplit("/", 1)[0]
        yield f"{base}/floor", f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/journeybot"


async def measure(kind: str, total: int, concurrency: int, workdir: Path) -> tuple[Result, Result]:
    env = dict(os.environ)
    python = sys.executable
    with database(kind, workdir) as (floor_url, bot_url):
        port = free_port()
        with server([python, "-m", "bench.floor_server", "--url", floor_url, "--port", str(port)], env):
            await wait_healthy(port)
            floor = await drive(f"floor-{kind}", port, total, concurrency, warmup=300)
        env.update(
            JOURNEYBOT_DATABASE_URL=bot_url,
            JOURNEYBOT_NLU_CACHE_DIR=str(workdir / "nlu-cache"),
            JOURNEYBOT_LOG_LEVEL="WARNING",
        )
        port = free_port()
        with server([python, "-m", "bot", "serve", "--port", str(port)], env):
            await wait_healthy(port)
            bot = await drive(f"journeybot-{kind}", port, total, concurrency, warmup=300)
    return floor, bot


def report(rows: list[tuple[str, Result, Result]], concurrency: int) -> None:
    print(f"\nPOST /webhooks/rest/webhook, concurrency {concurrency}, {len(MESSAGES)}-message mix")
    head = f"{'database':<11} {'server':<11} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(head)
    print("-" * len(head))
    for kind, floor, bot in rows:
        for label, r in (("floor", floor), ("journeybot", bot)):
            print(
                f"{kind:<11} {label:<11} {r.rate:>8.0f} {r.pct(0.5):>8.2f} {r.pct(0.99):>8.2f} "
                f"{r.errors:>6}"
            )
        print(f"{kind:<11} {'ratio':<11} {bot.rate / floor.rate:>8.0%}   (goal: at least 50%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="journeybot-bench-") as tmp:
        for kind in args.db.split(","):
            workdir = Path(tmp) / kind
            workdir.mkdir()
            floor, bot = asyncio.run(measure(kind, args.requests, args.concurrency, workdir))
            rows.append((kind, floor, bot))
    report(rows, args.concurrency)
    print("statistics: p50/p99 over", args.requests, "requests after a 300-request warm-up;",
          "median floor latency", f"{statistics.median(rows[0][1].latencies) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
