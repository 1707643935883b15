"""What the CLI subcommands do (besides ``serve``)."""

from __future__ import annotations

import json
import logging
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.app import build_nlu, build_services
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
    engine = create_engine(settings.database.url)
    try:
        async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
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
