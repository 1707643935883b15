"""The composition root: builds every part of the service from a ``Settings``.

Nothing is built at import time. Tests call the same builders with fakes (an NLU backend,
a clock) instead of patching modules.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import SenderRegistry
from bot.channels.web.sessions import RateLimiter, SessionSigner, WidgetGate
from bot.channels.web.socket import WebSocketSender
from bot.console.auth import StaffAuth
from bot.console.desk import SupportDesk
from bot.console.live import LiveUpdates
from bot.followups import FollowUpSender
from bot.interpret import Interpreter
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.reviews import warn_about_policy
from bot.settings import NluSettings, Settings, WebSettings
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
    widget: WidgetGate
    outbox: Outbox
    follow_ups: FollowUpSender
    pipeline: Pipeline
    clock: Callable[[], datetime]
    live: LiveUpdates
    desk: SupportDesk
    staff: StaffAuth
    metrics: CollectorRegistry = field(default_factory=CollectorRegistry)
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


def build_widget_gate(web: WebSettings) -> WidgetGate:
    """Token signer, rate limiter and allowed origins of the web widget."""
    if web.secret is not None:
        secret = web.secret.get_secret_value()
    else:
        secret = secrets.token_hex(32)
        log.warning("JOURNEYBOT_SECRET is not set: widget sessions end when the service stops")
    limiter = RateLimiter(web.widget_rate, web.widget_burst)
    return WidgetGate(SessionSigner(secret), limiter, tuple(web.origins))


def product_lookup(shop: Shop) -> EntityLookup:
    """The catalogue's names and aliases as the NLU's ``product`` entity lookup."""
    return EntityLookup("product", shop.catalogue.names_and_aliases())


async def build_nlu(
    settings: NluSettings, shop: Shop, metrics: CollectorRegistry | None = None
) -> NluBackend:
    """The configured NLU backend (the embedded one is trained or loaded from the cache).

    With ``backend=rasa`` the embedded classifier answers while the Rasa server is
    unavailable; those messages are counted in ``metrics``.
    """
    from nlu.embedded import EmbeddedBackend

    embedded = await asyncio.to_thread(
        EmbeddedBackend.train_or_load,
        [settings.data],
        settings.cache_dir,
        lookups=(product_lookup(shop),),
        threshold=settings.threshold,
    )
    if settings.backend != "rasa":
        return embedded
    from nlu.fallback_backend import FallbackBackend, fallback_counter
    from nlu.rasa_http import RasaHttpBackend

    rasa = RasaHttpBackend(
        settings.rasa_url,
        timeout=settings.rasa_timeout,
        intents=embedded.intents,
        detector=embedded.model.detector,
    )
    counter = fallback_counter(metrics if metrics is not None else CollectorRegistry())
    return FallbackBackend(rasa, embedded, counter=counter)


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
    metrics = CollectorRegistry()
    backend = nlu if nlu is not None else await build_nlu(settings.nlu, shop, metrics)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    senders = SenderRegistry()
    web_sender = WebSocketSender(clock)
    senders.register(web_sender)
    outbox = Outbox(uow, senders, clock)
    live = LiveUpdates()
    pipeline = Pipeline(
        uow=uow,
        interpreter=Interpreter(backend, shop.journey_map.default_language),
        shop=shop,
        outbox=outbox,
        clock=clock,
        base_url=settings.web.base_url,
        changed=live.changed,
    )
    warn_about_policy(shop)
    return Services(
        settings=settings,
        engine=engine,
        uow=uow,
        shop=shop,
        nlu=backend,
        senders=senders,
        web_sender=web_sender,
        widget=build_widget_gate(settings.web),
        outbox=outbox,
        follow_ups=FollowUpSender(uow, shop, outbox, clock),
        pipeline=pipeline,
        clock=clock,
        live=live,
        desk=SupportDesk(uow, outbox, shop, clock, live.changed),
        staff=StaffAuth(uow, clock),
        metrics=metrics,
    )
