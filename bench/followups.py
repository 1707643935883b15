"""Finding and claiming the due follow-ups among many pending ones, SQLite and PostgreSQL.

For each database and each size (10,000 and 100,000 pending follow-ups, 1,000 of them due),
fills a fresh migrated database, then times ``claim_due`` of the 1,000 due rows (the sweep's
query and lock) in a transaction that is rolled back, ``--repeat`` times, and reports the
median. The goal: the 100,000 case costs at most 1.5 times the 10,000 case, i.e. the cost
follows the due rows, not all rows (the ``(status, due_at)`` index).

Run: .venv/bin/python -m bench.followups [--db sqlite,postgresql] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.pipeline import asyncpg_url, postgres_databases
from storage import tables as t
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_engine
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DUE = 1_000
SIZES = (10_000, 100_000)


@contextmanager
def database(kind: str, workdir: Path, name: str) -> Iterator[str]:
    """The URL of a fresh database of ``kind``."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
        return
    with postgres_databases(name) as base:
        yield asyncpg_url(base, name)


async def fill(url: str, pending: int) -> UnitOfWorkFactory:
    """A migrated database with one customer and ``pending`` follow-ups, ``DUE`` of them due."""
    engine = create_engine(url)
    await upgrade_engine(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(t.Customer).values(id=1, purchased=False, opted_out=False,
                                      consecutive_fallbacks=0, message_count=0,
                                      last_products=[], created_at=NOW)
        )  # fmt: skip
        rows = [
            {
                "customer_id": 1,
                "kind": "cart_recovery",
                "key": f"k{n}",
                "template": "cart_recovery_1",
                "due_at": NOW - timedelta(minutes=n) if n < DUE else NOW + timedelta(hours=n),
                "status": "pending",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n in range(pending)
        ]
        for start in range(0, pending, 5_000):
            await conn.execute(insert(t.FollowUp), rows[start : start + 5_000])
    async with engine.connect() as conn:  # the statistics a live database keeps up to date
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    return UnitOfWorkFactory(create_session_factory(engine))


async def time_claims(uow: UnitOfWorkFactory, repeat: int) -> float:
    """Median seconds to claim the due rows (rolled back each time)."""
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        async with uow() as unit:
            claimed = await unit.sweep.claim_due(NOW, DUE + 100)
        times.append(time.perf_counter() - started)
        assert len(claimed) == DUE, len(claimed)
    return statistics.median(times[1:])  # the first run warms caches


async def measure(kind: str, repeat: int, workdir: Path) -> dict[int, float]:
    results = {}
    for size in SIZES:
        with database(kind, workdir, f"followups_{size}") as url:
            uow = await fill(url, size)
            results[size] = await time_claims(uow, repeat)
            await uow.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"claim {DUE:,} due follow-ups among N pending (median of {args.repeat})")
    print(f"{'database':<11} {'N':>8} {'ms':>9}")
    with tempfile.TemporaryDirectory(prefix="journeybot-bench-") as tmp:
        for kind in args.db.split(","):
            results = asyncio.run(measure(kind, args.repeat, Path(tmp)))
            for size, seconds in results.items():
                print(f"{kind:<11} {size:>8,} {seconds * 1000:>9.2f}")
            ratio = results[SIZES[1]] / results[SIZES[0]]
            verdict = "met" if ratio <= 1.5 else "NOT met"
            print(f"{kind:<11} {'ratio':>8} {ratio:>9.2f}   (goal: at most 1.5: {verdict})")


if __name__ == "__main__":
    main()
