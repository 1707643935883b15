"""``/dashboard``: the marketer's charts, and ``/dashboard/journey-map``: the map from data.

Server-rendered (Jinja2, every value escaped), charts drawn as SVG on the server with their
numbers beside them, so the page needs no script. Marketers and admins who logged in at
``/console/login`` see it; anybody else is sent to log in, or told their role cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from bot.analytics.access import ANALYTICS_ROLES
from bot.analytics.api import BadParameter, period_of
from bot.analytics.export import columns, plain
from bot.analytics.report import journey_report
from bot.console.auth import StaffAuth
from bot.console.web import COOKIE, HEADERS
from journeys.analytics import FunnelStep, journey_map_rows
from journeys.journey_map import CONFIRMED, STATED, JourneyMap
from storage.analytics import JourneyAnalytics, Period
from storage.queries import TouchpointFilter
from storage.uow import UnitOfWorkFactory

HERE = Path(__file__).parent
CHANNELS = ("web", "telegram", "rest", "terminal")
RECENT = 50


class Dashboard:
    """The dashboard's pages."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        staff: StaffAuth,
        journey_map: JourneyMap,
        clock: Callable[[], datetime],
    ) -> None:
        self.uow, self.staff, self.journey_map, self.clock = uow, staff, journey_map, clock
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals["pct"] = lambda v: "—" if v is None else f"{100 * v:.1f} %"

    def add_routes(self, app: web.Application) -> None:
        """Register ``/dashboard`` and its static files."""
        app.router.add_get("/dashboard", self.page)
        app.router.add_get("/dashboard/journey-map", self.journey_map_page)
        app.router.add_get("/dashboard/journey-map.json", self.journey_map_json)
        app.router.add_static("/dashboard/static", HERE / "static")

    async def page(self, request: web.Request) -> web.Response:
        """Every chart of the period, the top questions and the touchpoint table."""
        period, context = await self._context(request)
        report = await journey_report(self.uow, self.journey_map, period, self.clock())
        where = TouchpointFilter(since=period.since, until=period.until, channel=period.channel)
        async with self.uow.read_only() as unit:
            recent = await unit.queries.export_page(where, 0, RECENT)
        names = columns(include_text=True)
        after_purchase = [s.name for s in self.journey_map.stages if s.requires_purchase]
        return self._render(
            "dashboard.html", **context, report=report, **chart_rows(report, after_purchase),
            touchpoints=[plain(r, names) for r in recent],
        )  # fmt: skip

    async def journey_map_page(self, request: web.Request) -> web.Response:
        """The journey map made from the period's conversations."""
        period, context = await self._context(request)
        return self._render("journey_map.html", **context, stages=await self._map(period))

    async def journey_map_json(self, request: web.Request) -> web.Response:
        """The same map as JSON."""
        period, _ = await self._context(request)
        return web.json_response({"stages": await self._map(period)}, headers=HEADERS)

    async def _map(self, period: Period) -> list[dict[str, object]]:
        report = await journey_report(self.uow, self.journey_map, period, self.clock())
        async with self.uow.read_only() as unit:
            analytics = JourneyAnalytics(unit.connection)
            intents = await analytics.by_stage(period, "intent")
            channels = await analytics.by_stage(period, "channel")
        steps = [FunnelStep(**step) for step in report["funnel"]]
        emotion = {e["stage"]: e["sentiment"] for e in report["emotion"]}
        dropped = {d["stage"]: d["customers"] for d in report["drop_off"]["stages"]}
        return journey_map_rows(self.journey_map, steps, intents, channels, emotion, dropped)

    async def _context(self, request: web.Request) -> tuple[Period, dict[str, Any]]:
        session = await self.staff.session(request.cookies.get(COOKIE))
        if session is None:
            raise web.HTTPSeeOther("/console/login", headers=HEADERS)
        if session.user.role not in ANALYTICS_ROLES:
            raise web.HTTPForbidden(text=f"the {session.user.role} role cannot read analytics")
        now = self.clock()
        query = {k: v for k, v in request.query.items() if k in ("since", "until", "channel") and v}
        try:
            period = period_of(_dates(query, now), now)
        except BadParameter as bad:
            raise web.HTTPBadRequest(text=str(bad)) from bad
        encoded = urlencode(query)
        return period, {
            "user": session.user, "csrf": session.csrf, "channels": CHANNELS,
            "channel": period.channel or "", "since": period.since.date().isoformat(),
            "until": (period.until - timedelta(seconds=1)).date().isoformat(),
            "query": f"?{encoded}" if encoded else "",
            "amp_query": f"&{urlencode(_api_query(period))}",
        }  # fmt: skip

    def _render(self, template: str, **context: Any) -> web.Response:
        html = self.env.get_template(template).render(**context)
        return web.Response(text=html, content_type="text/html", headers=HEADERS)


def chart_rows(report: dict[str, Any], after_purchase: Sequence[str] = ()) -> dict[str, Any]:
    """The report as ``(label, value)`` rows, one list per chart (``after_purchase``: the
    stages that need a purchase, shown by the evidence they rest on)."""
    recovery, csat = report["recovery"], report["satisfaction"]
    mix: dict[str, int] = {}
    for row in report["mix"]:
        key = f"{row['channel']} · {row['language'] or '?'}"
        mix[key] = mix.get(key, 0) + row["messages"]
    return {
        "funnel_rows": [(s["stage"], s["customers"]) for s in report["funnel"]],
        "evidence_rows": [
            (f"{s['stage']} · {kind}", s["by_evidence"][kind])
            for s in report["funnel"]
            if s["stage"] in after_purchase
            for kind in (CONFIRMED, STATED)
        ],
        "conversion_rows": [
            (s["stage"], None if s["conversion"] is None else round(100 * s["conversion"], 1))
            for s in report["funnel"][1:]
        ],
        "drop_rows": [(d["stage"], d["customers"]) for d in report["drop_off"]["stages"]],
        "recovery_rows": [
            ("carts stalled", recovery["carts_stalled"]),
            ("reminders sent", recovery["reminders_sent"]),
            ("orders recovered", recovery["orders_recovered"]),
        ],
        "csat_rows": [(f"{score} ★", n) for score, n in csat["scores"].items()],
        "csat_pct": "—" if csat["csat"] is None else f"{100 * csat['csat']:.0f} %",
        "review_rows": [
            ("asked", csat["asked"]),
            ("answered", csat["answered"]),
            ("invited", csat["invited"]),
            ("clicked", csat["clicked"]),
            ("reviewed", csat["reviewed"]),
        ],
        "mix_rows": sorted(mix.items(), key=lambda item: -item[1]),
        "emotion_rows": [(e["stage"], e["sentiment"]) for e in report["emotion"]],
    }


def _dates(query: dict[str, str], now: datetime) -> dict[str, str]:
    """A date ``until`` means the end of that day."""
    out = dict(query)
    if len(out.get("until", "")) == 10:
        out["until"] = (datetime.fromisoformat(out["until"]) + timedelta(days=1)).isoformat()
    return out


def _api_query(period: Period) -> dict[str, str]:
    query = {"since": period.since.isoformat(), "until": period.until.isoformat()}
    if period.channel:
        query["channel"] = period.channel
    return query
