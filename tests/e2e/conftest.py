"""End-to-end fixtures: the real embedded NLU, trained once per test session; the widget's
bot and shop servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from playwright.async_api import Browser, async_playwright

from bot.app import build_services, product_lookup
from bot.settings import DEMO_SHOP, NluSettings
from bot.shop_files import load_shop
from bot.web.app import build_web_app
from nlu.embedded import EmbeddedBackend
from tests.conftest import make_settings
from tests.e2e.widget_site import (
    CHROMIUM_ARGS,
    EVENTS_SECRET,
    SHOP_CSS,
    SHOP_PAGE,
    Site,
    chromium_path,
)
from tests.loopback import serve


@pytest.fixture(scope="session")
def embedded_nlu(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    """The embedded classifier trained on nlu/data with the demo catalogue's products."""
    settings = NluSettings(_env_file=None)  # type: ignore[call-arg]
    return EmbeddedBackend.train_or_load(
        [settings.data],
        Path(tmp_path_factory.mktemp("nlu-cache")),
        lookups=(product_lookup(load_shop(DEMO_SHOP)),),
        threshold=settings.threshold,
    )


@pytest.fixture
async def site(embedded_nlu: EmbeddedBackend, tmp_path: Path) -> AsyncIterator[Site]:
    """journeybot (embedded NLU, SQLite) and a shop page that embeds its widget."""
    if chromium_path() is None:
        pytest.skip("no Chromium: apt-get install chromium (or set JOURNEYBOT_CHROMIUM)")
    page: dict[str, str] = {}

    async def index(_request: web.Request) -> web.Response:
        return web.Response(text=page["html"], content_type="text/html")

    async def stylesheet(_request: web.Request) -> web.Response:
        return web.Response(text=SHOP_CSS, content_type="text/css")

    shop = web.Application()
    shop.router.add_get("/", index)
    shop.router.add_get("/shop.css", stylesheet)
    shop.router.add_get("/favicon.ico", _no_content)
    shop_runner, shop_url = await serve(shop)
    database = f"sqlite+aiosqlite:///{tmp_path / 'journeybot.db'}"
    settings = make_settings(
        database, tmp_path, allowed_origins=shop_url, widget_burst=20, events_secret=EVENTS_SECRET
    )
    services = await build_services(settings, nlu=embedded_nlu, clock=daytime_clock(), migrate=True)
    bot_runner, bot_url = await serve(build_web_app(services))
    services.pipeline.base_url = bot_url  # links (/r/<token>) point at the port just taken
    page["html"] = SHOP_PAGE.format(bot=bot_url, ws=bot_url.replace("http://", "ws://"))
    yield Site(services, bot_url, shop_url)
    await bot_runner.cleanup()
    await shop_runner.cleanup()
    await services.aclose()


def daytime_clock() -> Callable[[], datetime]:
    """A clock that runs from noon of a working day in the demo shop's time zone, so
    proactive messages are never held for the quiet hours and people are in the office,
    whenever the tests run."""
    started = datetime.now(UTC)
    noon = datetime.now(ZoneInfo("Europe/Rome")).replace(hour=12, minute=0, second=0)
    noon -= timedelta(days=max(0, noon.weekday() - 4))  # Saturday, Sunday: the Friday before
    return lambda: noon.astimezone(UTC) + (datetime.now(UTC) - started)


async def _no_content(_request: web.Request) -> web.Response:
    return web.Response(status=204)


@pytest.fixture
async def browser(site: Site) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()
