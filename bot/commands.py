"""What the CLI subcommands do (besides ``serve``)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.app import build_nlu, build_services, utc_now
from bot.settings import Settings
from bot.shop_files import load_shop
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory


async def chat(settings: Settings, sender: str, language: str | None) -> int:
    """``journeybot chat``: the terminal conversation."""
    from bot.channels.terminal.chat import chat as run_chat

    logging.getLogger().setLevel(logging.WARNING)
    services = await build_services(settings)
    try:
        await run_chat(services.pipeline, sender_id=sender, language=language)
    finally:
        await services.aclose()
    return 0


def db_upgrade(settings: Settings) -> int:
    """``journeybot db upgrade``: apply every migration."""
    upgrade(settings.database.url)
    print(f"database at {settings.database.url} is up to date")
    return 0


async def touchpoints(
    settings: Settings, sender: str | None, as_json: bool, limit: int | None
) -> int:
    """``journeybot touchpoints``: list touchpoints, as a table or JSON lines."""
    engine, factory = _unit_of_work(settings)
    try:
        async with factory() as uow:
            rows = await uow.queries.touchpoints(sender=sender, limit=limit)
    finally:
        await engine.dispose()
    if as_json:
        for row in rows:
            print(json.dumps(row.to_dict(), ensure_ascii=False))
        return 0
    table = Table("when", "sender", "channel", "text", "intent", "conf.", "lang", "stage")
    for r in rows:
        stage = f"{r.stage_before or '—'} → {r.stage_after or '—'}"
        stage += f" ({r.stage_evidence})" if r.stage_evidence else ""
        conf = f"{r.confidence:.2f}" if r.confidence is not None else ""
        when = r.created_at.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            when, r.sender, r.channel, r.text[:60], r.intent or "", conf, r.language or "", stage
        )
    Console().print(table)
    return 0


async def nlu_parse(settings: Settings, text: str) -> dict[str, Any]:
    """``journeybot nlu parse``: the Rasa ``/model/parse`` shape plus ``language``."""
    backend = await build_nlu(settings.nlu, load_shop(settings.shop_dir))
    return (await backend.parse(text)).to_rasa_dict()


def _unit_of_work(settings: Settings) -> tuple[Any, UnitOfWorkFactory]:
    engine = create_engine(settings.database.url)
    return engine, UnitOfWorkFactory(create_session_factory(engine))


async def reviews_summary(settings: Settings, since: timedelta, as_json: bool) -> int:
    """``journeybot reviews summary``: CSAT and the review funnel of the questions asked in
    the period."""
    until = utc_now()
    engine, uow = _unit_of_work(settings)
    try:
        async with uow.read_only() as unit:
            found = await unit.surveys.summary(until - since, until)
    finally:
        await engine.dispose()
    figures: dict[str, Any] = {
        "since": (until - since).isoformat(timespec="seconds"),
        "asked": found.asked,
        "answered": found.answered,
        "scores": {str(k): v for k, v in found.scores.items()},
        "csat_percent": None if found.csat is None else round(100 * found.csat, 1),
        "invited": found.invited,
        "clicked": found.clicked,
        "reviewed": found.reviewed,
    }
    if as_json:
        print(json.dumps(figures))
        return 0
    table = Table("measure", "value", title=f"Satisfaction since {figures['since']}")
    for name in ("asked", "answered", "csat_percent", "invited", "clicked", "reviewed"):
        value = figures[name]
        table.add_row(name.replace("_", " "), "—" if value is None else str(value))
    for score, count in figures["scores"].items():
        table.add_row(f"score {score}", str(count))
    Console().print(table)
    return 0


async def close_conversation(settings: Settings, conversation_id: int) -> int:
    """``journeybot conversations close ID``: close it and schedule its CSAT question."""
    from bot.channels.base import SenderRegistry
    from bot.console.desk import DeskError, SupportDesk
    from bot.outbox import Outbox

    engine, uow = _unit_of_work(settings)
    desk = SupportDesk(
        uow, Outbox(uow, SenderRegistry(), utc_now), load_shop(settings.shop_dir), utc_now
    )
    try:
        await desk.close(conversation_id, None)
    except DeskError as exc:
        print(f"journeybot: {exc}")
        return 1
    finally:
        await engine.dispose()
    print(f"conversation {conversation_id} closed; the satisfaction question will follow")
    return 0


async def add_user(
    settings: Settings, name: str, role: str, password: str, telegram_id: str | None = None
) -> int:
    """``journeybot users add``: a member of staff who can log in to the console (and, with
    a Telegram id, answer from the staff group's topics)."""
    from bot.console.auth import StaffAuth
    from storage.staff import DuplicateUser

    engine, uow = _unit_of_work(settings)
    try:
        await StaffAuth(uow, utc_now).add_user(name, role, password, telegram_id)
    except (ValueError, DuplicateUser) as exc:
        print(f"journeybot: {exc}")
        return 1
    finally:
        await engine.dispose()
    print(f"{name} can now log in as {role} at /console")
    return 0


async def list_users(settings: Settings) -> int:
    """``journeybot users list``."""
    engine, uow = _unit_of_work(settings)
    try:
        async with uow.read_only() as unit:
            users = await unit.staff.users()
    finally:
        await engine.dispose()
    table = Table("name", "role", "active")
    for user in users:
        table.add_row(user.name, user.role, "yes" if user.active else "no")
    Console().print(table)
    return 0


async def add_token(settings: Settings, name: str, role: str) -> int:
    """``journeybot tokens add``: an API token, printed once."""
    from bot.analytics.access import AnalyticsAccess
    from bot.console.auth import StaffAuth
    from storage.staff import DuplicateUser

    engine, uow = _unit_of_work(settings)
    try:
        token = await AnalyticsAccess(uow, StaffAuth(uow, utc_now), utc_now).add_token(name, role)
    except (ValueError, DuplicateUser) as exc:
        print(f"journeybot: {exc}")
        return 1
    finally:
        await engine.dispose()
    print(token)
    return 0


async def export_touchpoints(
    settings: Settings, kind: str, out: str | None, since: timedelta | None, include_text: bool
) -> int:
    """``journeybot export touchpoints``: every touchpoint as CSV, JSON Lines or Parquet."""
    import sys

    from bot.analytics.export import columns, csv_header, csv_rows, jsonl_rows
    from storage.queries import TouchpointFilter

    names = columns(include_text)
    where = TouchpointFilter(since=utc_now() - since if since else None)
    engine, uow = _unit_of_work(settings)
    try:
        async with uow.read_only() as unit:
            if kind == "parquet":
                return await _parquet(unit, where, names, out)
            # a command-line tool writing its one output file: nothing else waits on the loop
            stream = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: ASYNC230, SIM115
            try:
                if kind == "csv":
                    stream.write(csv_header(names))
                async for batch in unit.queries.export_stream(where):
                    stream.write(
                        csv_rows(batch, names) if kind == "csv" else jsonl_rows(batch, names)
                    )
            finally:
                if out:
                    stream.close()
    finally:
        await engine.dispose()
    return 0


async def _parquet(unit: Any, where: Any, names: tuple[str, ...], out: str | None) -> int:
    """Parquet needs a file, and pyarrow (``pip install pyarrow``)."""
    if out is None:
        print("journeybot: --format parquet needs --out FILE")
        return 2
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("journeybot: Parquet export needs pyarrow: .venv/bin/pip install pyarrow")
        return 2
    from bot.analytics.export import NUMBER_COLUMNS, plain

    # One schema for every batch: a column empty in the first batch (resolved_by, say)
    # would otherwise be typed null there and refuse the strings of a later batch.
    kinds = {"int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(n, kinds.get(NUMBER_COLUMNS.get(n, ""), pa.string())) for n in names])
    writer = None
    try:
        async for batch in unit.queries.export_stream(where):
            rows = [plain(r, names) for r in batch]
            for row in rows:
                row["products"] = json.dumps(row["products"])
            table = pa.Table.from_pylist(rows, schema=schema)
            writer = writer or pq.ParquetWriter(out, schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return 0


async def report(
    settings: Settings, since: timedelta, channel: str | None, html: str | None
) -> int:
    """``journeybot report``: the journey report in the terminal (and as an HTML file)."""
    from bot.analytics.report import journey_report
    from bot.analytics.terminal import print_report, write_html
    from storage.analytics import Period

    now = utc_now()
    engine, uow = _unit_of_work(settings)
    try:
        figures = await journey_report(
            uow, load_shop(settings.shop_dir).journey_map, Period(now - since, now, channel), now
        )
    finally:
        await engine.dispose()
    print_report(figures, Console())
    if html:
        write_html(figures, html)
        print(f"report written to {html}")
    return 0
