"""Every dashboard query at 1,000,000 touchpoints, on SQLite and PostgreSQL, beside COUNT(*).

For each database: a fresh migrated database is filled by ``bench.seed_touchpoints``
(100,000 customers, 1,000,000 touchpoints by default), then each query of the journey report
runs ``--repeat`` times over the whole period and the median is printed beside the median of
a plain ``SELECT COUNT(*) FROM touchpoints`` measured in the same run, with the ratio; then
the whole report (which first brings the daily summaries up to date: nothing new to sum
by then) and a full CSV export (streamed, batch by batch). The one-time catch-up of the
summaries over the freshly seeded log is printed too. The goal: every dashboard query under
one second.

Run: .venv/bin/python -m bench.analytics [--db sqlite,postgresql] [--touchpoints 1000000]
     [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.followups import database
from bench.seed_touchpoints import DAYS, START, seed
from bot.analytics.export import columns, csv_rows
from bot.analytics.report import journey_report
from bot.analytics.summaries import Summaries
from bot.settings import DEMO_SHOP
from bot.shop_files import load_shop
from journeys.analytics import emotion_curve
from storage.analytics import JourneyAnalytics, Period
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_engine
from storage.queries import TouchpointFilter
from storage.uow import UnitOfWorkFactory

PERIOD = Period(START, START + timedelta(days=DAYS + 30))


async def _timed(run: Callable[[], Awaitable[Any]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def measure(
    kind: str, touchpoints: int, repeat: int, workdir: Path
) -> list[tuple[str, float]]:
    """``(query, seconds)`` for each query, the floor first."""
    journey_map = load_shop(DEMO_SHOP).journey_map
    with database(kind, workdir, f"analytics_{kind}") as url:
        engine = create_engine(url)
        await upgrade_engine(engine)
        started = time.perf_counter()
        await seed(engine, touchpoints, random.Random(7))
        print(
            f"  {kind}: seeded {touchpoints:,} touchpoints in {time.perf_counter() - started:.0f} s"
        )
        uow = UnitOfWorkFactory(create_session_factory(engine))
        now = PERIOD.until
        summaries = Summaries(uow, journey_map.default_language)
        started = time.perf_counter()
        await summaries.refresh()
        catch_up = time.perf_counter() - started
        print(f"  {kind}: summed the whole log into the daily summaries in {catch_up:.0f} s")
        async with uow.read_only() as unit:
            a = JourneyAnalytics(unit.connection)

            async def count() -> Any:
                return (
                    await unit.connection.execute(text("SELECT COUNT(*) FROM touchpoints"))
                ).scalar()

            async def emotion() -> Any:
                sums = await a.sentiment_by_stage(PERIOD)
                return emotion_curve(journey_map.stage_names, sums)

            queries: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("COUNT(*) floor", count),
                ("funnel", lambda: a.funnel_figures(PERIOD, journey_map.stage_names)),
                ("drop-off (one stage, list)", lambda: a.stalled("consideration", now, 50)),
                ("drop-off (one stage, count)", lambda: a.stalled_count("consideration", now)),
                ("recovery", lambda: a.recovery(PERIOD)),
                ("satisfaction", lambda: unit.surveys.summary(PERIOD.since, PERIOD.until)),
                ("support", lambda: a.support(PERIOD)),
                ("intents", lambda: a.intent_counts(PERIOD)),
                ("products", lambda: a.product_counts(PERIOD)),
                ("not understood", lambda: a.unrecognised(PERIOD)),
                ("channel and language mix", lambda: a.mix(PERIOD)),
                ("journey map (by stage)", lambda: a.by_stage(PERIOD, "intent")),
                ("emotion curve", emotion),
            ]
            results = [(name, await _timed(run, repeat)) for name, run in queries]

        async def report() -> Any:
            return await journey_report(uow, journey_map, PERIOD, now)

        async def export() -> Any:
            names = columns(True)
            async with uow.read_only() as unit:
                async for batch in unit.queries.export_stream(TouchpointFilter()):
                    csv_rows(batch, names)

        results.append(("whole report", await _timed(report, repeat)))
        results.append(("full CSV export", await _timed(export, 1)))
        await engine.dispose()
    return results


def main() -> None:
    """Run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for kind in args.db.split(","):
            results = asyncio.run(measure(kind, args.touchpoints, args.repeat, Path(workdir)))
            floor = results[0][1]
            print(f"\n{kind}, {args.touchpoints:,} touchpoints")
            print(f"  {'query':<30} {'seconds':>9} {'× COUNT(*)':>11}  under 1 s")
            for name, seconds in results:
                ok = "yes" if seconds < 1 else "NO"
                if name == "full CSV export":
                    ok = f"(an export: {args.touchpoints / seconds:,.0f} rows/s, streamed)"
                print(f"  {name:<30} {seconds:>9.3f} {seconds / floor:>11.1f}  {ok}")


if __name__ == "__main__":
    main()
