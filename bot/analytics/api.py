"""``GET /api/touchpoints`` and ``GET /api/analytics``: the touchpoint log and the report.

``/api/touchpoints`` filters by ``since``, ``until`` (ISO dates or times, UTC), ``channel``,
``stage``, ``intent``, ``customer`` (a pseudonym), ``answered_by``, ``language`` and
``kind``. As JSON it answers a page (``limit`` up to 1000, default 100) and ``next``, the
cursor to pass as ``after`` for the following page; with ``format=csv`` or ``format=jsonl``
it streams every matching row. ``text=0`` leaves message text out. Customers appear only by
pseudonym. ``/api/analytics`` answers the journey report of ``since``–``until`` (default:
the last 30 days) and optionally one ``channel``. Bad parameters get 400 naming them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.analytics.access import AnalyticsAccess
from bot.analytics.export import columns, csv_header, csv_rows, jsonl_rows, plain
from bot.analytics.report import journey_report
from journeys.journey_map import JourneyMap
from storage.analytics import Period
from storage.queries import TouchpointFilter
from storage.uow import UnitOfWorkFactory

MAX_PAGE = 1000
DEFAULT_DAYS = 30
_FILTERS = ("channel", "stage", "intent", "customer", "answered_by", "language", "kind")


class BadParameter(ValueError):
    """A query parameter that cannot be used (the text names it)."""


def touchpoints_handler(uow: UnitOfWorkFactory, access: AnalyticsAccess) -> Handler:
    """The handler of ``GET /api/touchpoints``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await access.check(request)
        query = request.query
        try:
            where = _filter(query)
            names = columns(query.get("text", "1") != "0")
            kind = query.get("format", "json")
            if kind not in ("json", "csv", "jsonl"):
                raise BadParameter(f"format must be json, csv or jsonl, not {kind!r}")
            after = _int(query, "after", 0, 0, None)
            limit = _int(query, "limit", 100, 1, MAX_PAGE)
        except BadParameter as bad:
            return _error(400, str(bad))
        if kind == "json":
            async with uow.read_only() as unit:
                page = await unit.queries.export_page(where, after, limit)
            following = str(page[-1]["id"]) if len(page) == limit else None
            return web.json_response({"items": [plain(r, names) for r in page], "next": following})
        return await _stream(request, uow, where, names, kind)

    return handler


def analytics_handler(
    uow: UnitOfWorkFactory,
    access: AnalyticsAccess,
    journey_map: JourneyMap,
    clock: Callable[[], datetime],
) -> Handler:
    """The handler of ``GET /api/analytics``."""

    async def handler(request: web.Request) -> web.Response:
        await access.check(request)
        now = clock()
        try:
            period = period_of(request.query, now)
        except BadParameter as bad:
            return _error(400, str(bad))
        report = await journey_report(uow, journey_map, period, now)
        return web.json_response(report)

    return handler


def period_of(query: Any, now: datetime) -> Period:
    """The period of ``since`` / ``until`` / ``channel`` (default: the last 30 days)."""
    until = _time(query, "until") or now
    since = _time(query, "since") or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise BadParameter("since must be before until")
    return Period(since, until, query.get("channel") or None)


async def _stream(
    request: web.Request, uow: UnitOfWorkFactory, where: TouchpointFilter,
    names: tuple[str, ...], kind: str,
) -> web.StreamResponse:  # fmt: skip
    media = "text/csv" if kind == "csv" else "application/x-ndjson"
    response = web.StreamResponse(
        headers={
            "Content-Type": f"{media}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="touchpoints.{kind}"',
        }
    )
    await response.prepare(request)
    if kind == "csv":
        await response.write(csv_header(names).encode())
    async with uow.read_only() as unit:
        async for batch in unit.queries.export_stream(where):
            body = csv_rows(batch, names) if kind == "csv" else jsonl_rows(batch, names)
            await response.write(body.encode())
    await response.write_eof()
    return response


def _filter(query: Any) -> TouchpointFilter:
    values = {name: query.get(name) or None for name in _FILTERS}
    return TouchpointFilter(since=_time(query, "since"), until=_time(query, "until"), **values)


def _time(query: Any, name: str) -> datetime | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an ISO date or time, not {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(query: Any, name: str, default: int, low: int, high: int | None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number, not {raw!r}") from None
    if value < low or (high is not None and value > high):
        raise BadParameter(f"{name} must be between {low} and {high or 'any'}")
    return value


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, dumps=json.dumps)
