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
