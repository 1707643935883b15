"""Throughput and latency of POST /webhooks/rest/webhook, beside a floor measured in the same run.

For SQLite and PostgreSQL: start the floor server (bench/floor_server.py: bare aiohttp, same
JSON, two inserts in one transaction, same driver) and journeybot (`journeybot serve` on the
embedded NLU and demo shop), each in its own process; drive both with the same mix of
realistic messages in three languages at concurrency 32 from this process; print messages
per second, p50/p99 latency and journeybot's share of the floor's throughput.

Both servers run side by side and are driven in alternating rounds (floor, journeybot, then
journeybot, floor, ...), so a machine whose load drifts during the run weighs on both alike;
the ratio is the median of the rounds' ratios.

Run: .venv/bin/python -m bench.pipeline [--requests 3000] [--concurrency 32] [--rounds 4]
     [--db sqlite,postgresql]
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 300
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


async def wait_healthy(port: int, within: float = 180) -> None:
    """Poll ``/health`` until the server answers 200 (RuntimeError after ``within`` s)."""
    try:
        async with asyncio.timeout(within), aiohttp.ClientSession() as session:
            while True:
                with suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}/health") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise RuntimeError(f"server on port {port} did not become healthy") from None


class Driver:
    """Posts the message mix to one server; requests are numbered on across rounds."""

    def __init__(
        self, name: str, port: int, concurrency: int, messages: Sequence[str] = MESSAGES
    ) -> None:
        self.name = name
        self.messages = messages
        self.url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        self.concurrency = concurrency
        self.sent = 0
        self.rounds: list[Result] = []
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

    async def run(self, requests: int, *, record: bool = True) -> None:
        """Send ``requests`` requests at the driver's concurrency; keep the round if asked."""
        counter = itertools.count(self.sent)
        limit = self.sent + requests
        latencies: list[float] = []
        errors = 0

        async def worker() -> None:
            nonlocal errors
            while (i := next(counter)) < limit:
                body = {
                    "sender": f"{self.name}-user-{i % 500}",
                    "message": self.messages[i % len(self.messages)],
                }
                started = time.perf_counter()
                async with self.session.post(self.url, json=body) as resp:
                    await resp.read()
                    errors += resp.status != 200
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        seconds = time.perf_counter() - started
        self.sent = limit
        if record:
            self.rounds.append(Result(self.name, requests, seconds, latencies, errors))

    def total(self) -> Result:
        """Every recorded round as one result."""
        return Result(
            self.name,
            sum(r.requests for r in self.rounds),
            sum(r.seconds for r in self.rounds),
            [x for r in self.rounds for x in r.latencies],
            sum(r.errors for r in self.rounds),
        )

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.session.close()


@contextmanager
def server(args: list[str], env: dict[str, str]) -> Iterator[None]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def postgres_databases(*names: str) -> Iterator[str]:
    """A throw-away PostgreSQL server holding the empty databases ``names``; yields the
    server's ``postgresql://`` URL without a database (append ``/name``)."""
    sys.path.insert(0, str(ROOT))
    import psycopg

    from tests.postgres import find_pg_ctl, postgres_server

    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        raise SystemExit("no PostgreSQL binaries (pg_ctl): apt-get install postgresql")
    with postgres_server(pg_ctl) as admin:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
        yield admin.rsplit("/", 1)[0]


def asyncpg_url(base: str, name: str) -> str:
    """The SQLAlchemy asyncpg URL of database ``name`` on the server at ``base``."""
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """(floor URL, journeybot URL) for a fresh database of ``kind``."""
    if kind == "sqlite":
        yield str(workdir / "floor.db"), f"sqlite+aiosqlite:///{workdir / 'journeybot.db'}"
        return
    with postgres_databases("floor", "journeybot") as base:
        yield f"{base}/floor", asyncpg_url(base, "journeybot")


@dataclass
class Measurement:
    kind: str
    floor: Result
    bot: Result
    ratios: list[float]


async def measure(
    kind: str,
    total: int,
    concurrency: int,
    rounds: int,
    workdir: Path,
    messages: Sequence[str] = MESSAGES,
    bot_env: Mapping[str, str] | None = None,
) -> Measurement:
    """Both servers on a fresh ``kind`` database, driven with ``messages`` in rounds.

    ``bot_env`` adds settings for journeybot (e.g. ``JOURNEYBOT_SHOP_DIR``).
    """
    env = dict(os.environ)
    python = sys.executable
    with database(kind, workdir) as (floor_url, bot_url):
        env.update(
            JOURNEYBOT_DATABASE_URL=bot_url,
            JOURNEYBOT_NLU_CACHE_DIR=str(workdir / "nlu-cache"),
            JOURNEYBOT_LOG_LEVEL="WARNING",
        )
        floor_port, bot_port = free_port(), free_port()
        floor_cmd = [
            python,
            "-m",
            "bench.floor_server",
            "--url",
            floor_url,
            "--port",
            str(floor_port),
        ]
        with (
            server(floor_cmd, env),
            server(
                [python, "-m", "bot", "serve", "--port", str(bot_port)], env | dict(bot_env or {})
            ),
        ):
            await wait_healthy(floor_port)
            await wait_healthy(bot_port, within=600)
            floor = Driver(f"floor-{kind}", floor_port, concurrency, messages)
            bot = Driver(f"journeybot-{kind}", bot_port, concurrency, messages)
            try:
                for driver in (floor, bot):
                    await driver.run(WARMUP, record=False)
                for n in range(rounds):
                    for driver in (floor, bot) if n % 2 == 0 else (bot, floor):
                        await driver.run(total // rounds)
            finally:
                await floor.close()
                await bot.close()
    ratios = [b.rate / f.rate for f, b in zip(floor.rounds, bot.rounds, strict=True)]
    return Measurement(kind, floor.total(), bot.total(), ratios)


def report(rows: list[Measurement], concurrency: int) -> None:
    print(f"\nPOST /webhooks/rest/webhook, concurrency {concurrency}, {len(MESSAGES)}-message mix")
    head = f"{'database':<11} {'server':<11} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(head)
    print("-" * len(head))
    for m in rows:
        for label, r in (("floor", m.floor), ("journeybot", m.bot)):
            print(
                f"{m.kind:<11} {label:<11} {r.rate:>8.0f} {r.pct(0.5):>8.2f} {r.pct(0.99):>8.2f} "
                f"{r.errors:>6}"
            )
        rounds = " ".join(f"{x:.0%}" for x in m.ratios)
        print(
            f"{m.kind:<11} {'ratio':<11} {statistics.median(m.ratios):>8.0%}   "
            f"(goal: at least 50%; rounds: {rounds})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="journeybot-bench-") as tmp:
        for kind in args.db.split(","):
            workdir = Path(tmp) / kind
            workdir.mkdir()
            rows.append(
                asyncio.run(
                    measure(kind, args.requests, args.concurrency, max(1, args.rounds), workdir)
                )
            )
    report(rows, args.concurrency)
    print(
        f"statistics: msg/s and p50/p99 over {args.requests} requests per server, "
        f"after a {WARMUP}-request warm-up, in {max(1, args.rounds)} alternating rounds"
    )


if __name__ == "__main__":
    main()
