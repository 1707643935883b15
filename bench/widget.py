"""The widget's WebSocket channel under 500 concurrent sessions, beside the REST floor.

Starts ``journeybot serve`` (SQLite, embedded NLU, demo shop; the widget's per-session rate
limit raised out of the way) and the core loop's floor (bench/floor_server.py: bare aiohttp,
same JSON, two inserts per message) in their own processes. Then, from this process:

1. *human pace*: every session gets a token (``POST /widget/session``), opens ``/ws`` and
   sends ``--human`` messages, each 2-6 s after the previous answer, like a person typing;
2. *flat out*: every session sends ``--fast`` messages, each as soon as the answer to the
   previous one arrives;
3. *floor*: the floor server driven over REST at the same concurrency.

It prints messages per second and answer latency (p50/p99; for the socket: from sending a
message to its answer arriving) and the flat-out rate as a share of the floor's.

Run: .venv/bin/python -m bench.widget [--sessions 500] [--human 2] [--fast 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.pipeline import MESSAGES, Driver, Result, free_port, server, wait_healthy


@dataclass
class Phase:
    """Latencies and wall time of one phase."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def result(self) -> Result:
        """As a ``bench.pipeline.Result``."""
        return Result(self.name, len(self.latencies), self.seconds, self.latencies, self.errors)


async def session_token(http: aiohttp.ClientSession, base: str) -> str:
    """A fresh widget session's token."""
    async with http.post(f"{base}/widget/session", json={}) as resp:
        resp.raise_for_status()
        token: str = (await resp.json())["token"]
        return token


async def converse(
    ws: aiohttp.ClientWebSocketResponse, number: int, count: int, pause: tuple[float, float],
    phase: Phase, rng: random.Random,
) -> None:  # fmt: skip
    """Send ``count`` messages, each after the previous answer and a pause in ``pause``."""
    for i in range(count):
        await asyncio.sleep(rng.uniform(*pause))
        client_id = f"{phase.name}-{number}-{i}"
        text = MESSAGES[(number + i) % len(MESSAGES)]
        started = time.perf_counter()
        await ws.send_json({"type": "message", "id": client_id, "text": text})
        while True:
            frame = await ws.receive_json(timeout=120)
            if frame["type"] == "message" and frame["from"] != "customer":
                phase.latencies.append(time.perf_counter() - started)
                break
            if frame["type"] == "error":
                phase.errors += 1
                break
        await _drain(ws)


async def _drain(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Read what else the answer brought (more replies, typing off) without waiting long."""
    while True:
        try:
            await ws.receive_json(timeout=0.05)
        except TimeoutError:
            return


async def run_sessions(port: int, sessions: int, human: int, fast: int) -> tuple[Phase, Phase]:
    """Both phases over ``sessions`` sockets kept open throughout."""
    base = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        tokens = await asyncio.gather(*(session_token(http, base) for _ in range(sessions)))
        sockets = [
            await http.ws_connect(f"{base}/ws?token={token}&lang=en", max_msg_size=0)
            for token in tokens
        ]
        for ws in sockets:
            await _drain(ws)
        phases = (Phase("human"), Phase("fast"))
        for phase, count, pause in ((phases[0], human, (2.0, 6.0)), (phases[1], fast, (0, 0))):
            rng = random.Random(phase.name)
            started = time.perf_counter()
            await asyncio.gather(
                *(converse(ws, n, count, pause, phase, rng) for n, ws in enumerate(sockets))
            )
            phase.seconds = time.perf_counter() - started
        for ws in sockets:
            await ws.close()
    return phases


async def measure(sessions: int, human: int, fast: int, workdir: Path) -> list[Result]:
    """Start both servers, run the phases, then drive the floor at the same concurrency."""
    env = dict(os.environ)
    env.update(
        JOURNEYBOT_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'journeybot.db'}",
        JOURNEYBOT_NLU_CACHE_DIR=str(workdir / "nlu-cache"),
        JOURNEYBOT_LOG_LEVEL="WARNING",
        JOURNEYBOT_WIDGET_RATE="100000",
        JOURNEYBOT_WIDGET_BURST="100000",
    )
    bot_port, floor_port = free_port(), free_port()
    floor_cmd = [sys.executable, "-m", "bench.floor_server", "--url", str(workdir / "floor.db"),
                 "--port", str(floor_port)]  # fmt: skip
    bot_cmd = [sys.executable, "-m", "bot", "serve", "--port", str(bot_port)]
    with server(floor_cmd, env), server(bot_cmd, env):
        await wait_healthy(floor_port)
        await wait_healthy(bot_port, within=600)
        human_phase, fast_phase = await run_sessions(bot_port, sessions, human, fast)
        floor = Driver("floor", floor_port, min(sessions, 100))
        try:
            await floor.run(300, record=False)
            await floor.run(max(2000, sessions * fast))
        finally:
            await floor.close()
    return [human_phase.result(), fast_phase.result(), floor.total()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--human", type=int, default=2, help="messages per session, human pace")
    parser.add_argument("--fast", type=int, default=4, help="messages per session, flat out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journeybot-bench-") as tmp:
        human, fast, floor = asyncio.run(measure(args.sessions, args.human, args.fast, Path(tmp)))
    print(f"\n{args.sessions} WebSocket sessions on loopback (SQLite, embedded NLU)")
    head = f"{'run':<28} {'messages':>8} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(head)
    print("-" * len(head))
    for label, r in (
        ("widget, human pace", human),
        ("widget, flat out", fast),
        ("REST floor (bare aiohttp)", floor),
    ):
        print(
            f"{label:<28} {r.requests:>8} {r.rate:>8.0f} {r.pct(0.5):>8.2f} {r.pct(0.99):>8.2f} "
            f"{r.errors:>6}"
        )
    print(f"flat out / floor: {fast.rate / floor.rate:.0%}")


if __name__ == "__main__":
    main()
