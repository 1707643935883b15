"""The aiohttp application factory: routes only, everything else comes built in ``Services``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.analytics.access import AnalyticsAccess
from bot.analytics.api import analytics_handler, touchpoints_handler
from bot.analytics.dashboard import Dashboard
from bot.channels.web.rest import rest_webhook
from bot.channels.web.socket import SocketChannel, socket_handler
from bot.channels.web.widget import Asset, asset_handler, session_handlers
from bot.commerce.ingest import EventIngest
from bot.commerce.platforms import SHOPIFY, WOOCOMMERCE
from bot.console.web import Console
from bot.reviews import ReviewLinks
from bot.web.api import events_handler, platform_handler
from bot.web.review_links import review_link_handler
from journeys.facts import ShopFacts

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
SERVICES: web.AppKey[Services] = web.AppKey("services")
DEMO_PAGE = "index.html"
PAGE_LANGUAGE = "en"
"""The demo page is written in English, so the facts on it are written the English way."""


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unexpected failures answer 500 with a JSON body instead of an HTML traceback page."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "internal error; it has been logged"}, status=500)


def render_demo_page(facts: ShopFacts) -> str:
    """The demo shop's page (``templates/index.html``) with the shop's facts filled in."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return env.get_template(DEMO_PAGE).render(facts=facts.values(PAGE_LANGUAGE))


def index_handler(facts: ShopFacts) -> Handler:
    """The chat page, rendered once. When the shop lacks a fact the page states, the page
    answers 500 naming it (and it is logged at start-up); the rest of the service runs on."""
    try:
        page = render_demo_page(facts)
    except jinja2.UndefinedError as error:
        problem = f"{DEMO_PAGE} states a fact the shop's facts.yml does not give: {error.message}"
        log.error(problem)

        async def missing(_request: web.Request) -> web.StreamResponse:
            return web.json_response({"error": problem}, status=500)

        return missing

    async def index(_request: web.Request) -> web.StreamResponse:
        return web.Response(text=page, content_type="text/html")

    return index


async def health(request: web.Request) -> web.Response:
    """Liveness and database reachability, for load balancers and docker-compose."""
    services = request.app[SERVICES]
    try:
        async with services.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """The service's Prometheus metrics (e.g. ``journeybot_nlu_fallbacks_total``)."""
    body = generate_latest(request.app[SERVICES].metrics)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def build_web_app(services: Services) -> web.Application:
    """The HTTP app of a built ``Services``."""
    app = web.Application(middlewares=[json_errors], client_max_size=1024**2)
    app[SERVICES] = services
    rest_token = services.settings.web.rest_token
    app.router.add_get("/", index_handler(services.shop.facts))
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_static("/static", STATIC)
    app.router.add_post(
        "/webhooks/rest/webhook",
        rest_webhook(services.pipeline, rest_token.get_secret_value() if rest_token else None),
    )
    sockets = SocketChannel(
        services.pipeline, services.outbox, services.web_sender, services.widget, services.uow
    )
    app.router.add_get("/ws", socket_handler(sockets))
    create_session, preflight = session_handlers(services.widget)
    app.router.add_post("/widget/session", create_session)
    app.router.add_route("OPTIONS", "/widget/session", preflight)
    widget_js = Asset.load(STATIC / "widget.js", "application/javascript")
    ingest = EventIngest(services.uow, services.shop.journey_map, services.clock)
    web_settings = services.settings.web
    secrets = {
        name: None if value is None else value.get_secret_value()
        for name, value in (
            ("own", web_settings.events_secret),
            ("shopify", web_settings.shopify_secret),
            ("woocommerce", web_settings.woocommerce_secret),
        )
    }
    app.router.add_post("/api/events", events_handler(ingest, secrets["own"]))
    for platform in (SHOPIFY, WOOCOMMERCE):
        handler = platform_handler(ingest, secrets[platform.name], platform)
        app.router.add_post(f"/api/events/{platform.name}", handler)
    console = Console(
        services.uow, services.staff, services.desk, services.live, services.settings.web
    )
    console.add_routes(app)
    access = AnalyticsAccess(services.uow, services.staff, services.clock)
    app.router.add_get("/api/touchpoints", touchpoints_handler(services.uow, access))
    app.router.add_get(
        "/api/analytics",
        analytics_handler(services.uow, access, services.shop.journey_map, services.clock),
    )
    Dashboard(services.uow, services.staff, services.shop.journey_map, services.clock).add_routes(
        app
    )
    app.router.add_get("/r/{token}", review_link_handler(ReviewLinks(services.uow, services.clock)))
    app.router.add_get("/widget.js", asset_handler(widget_js))
    app.router.add_get("/widget.css", asset_handler(Asset.load(STATIC / "widget.css", "text/css")))
    return app
