"""The composition root: builds every part of the service from a ``Settings``.

Nothing is built at import time. Tests call the same builders with fakes (an NLU backend,
a clock) instead of patching modules.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import SenderRegistry
from bot.channels.web.socket import WebSocketSender
from bot.interpret import Interpreter
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.settings import NluSettings, Settings
from bot.shop_files import load_shop
from journeys.shop import Shop
from nlu.base import NluBackend
from nlu.types import EntityLookup
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_engine
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """The real clock (the only place the service reads the time)."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a running journeybot holds."""

    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    shop: Shop
    nlu: NluBackend
    senders: SenderRegistry
    web_sender: WebSocketSender
    outbox: Outbox
    pipeline: Pipeline
    clock: Callable[[], datetime]
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def aclose(self) -> None:
        """Stop background tasks and close the database pool."""
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        aclose = getattr(self.nlu, "aclose", None)
        if aclose is not None:
            await aclose()
        await self.engine.dispose()


def product_lookup(shop: Shop) -> EntityLookup:
    """The catalogue's names and aliases as the NLU's ``product`` entity lookup."""
    return EntityLookup("product", shop.catalogue.names_and_aliases())


async def build_nlu(settings: NluSettings, shop: Shop) -> NluBackend:
    """The configured NLU backend (the embedded one is trained or loaded from the cache)."""
    if settings.backend == "rasa":
        from nlu.language import LanguageDetector, samples_from
        from nlu.rasa_http import RasaHttpBackend
        from nlu.training_data import load_training_data

        data = await asyncio.to_thread(load_training_data, settings.data)
        detector = await asyncio.to_thread(LanguageDetector.train, samples_from(data.examples))
        return RasaHttpBackend(
            settings.rasa_url, timeout=settings.rasa_timeout, intents=data.intents, detector=detector
        )
    from nlu.embedded import EmbeddedBackend

    return await asyncio.to_thread(
        EmbeddedBackend.train_or_load,
        [settings.data],
        settings.cache_dir,
        lookups=(product_lookup(shop),),
        threshold=settings.threshold,
    )


async def build_services(
    settings: Settings,
    *,
    nlu: NluBackend | None = None,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool | None = None,
) -> Services:
    """Build engine, NLU, shop, senders, outbox and pipeline from ``settings``."""
    engine = create_engine(settings.database.url)
    if settings.database.migrate_on_start if migrate is None else migrate:
        await upgrade_engine(engine)
    shop = load_shop(settings.shop_dir)
    backend = nlu if nlu is not None else await build_nlu(settings.nlu, shop)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    senders = SenderRegistry()
    web_sender = WebSocketSender()
    senders.register(web_sender)
    outbox = Outbox(uow, senders, clock)
    pipeline = Pipeline(
        uow=uow,
        interpreter=Interpreter(backend, shop.journey_map.default_language),
        shop=shop,
        outbox=outbox,
        clock=clock,
    )
    return Services(
        settings=settings,
        engine=engine,
        uow=uow,
        shop=shop,
        nlu=backend,
        senders=senders,
        web_sender=web_sender,
        outbox=outbox,
        pipeline=pipeline,
        clock=clock,
    )
