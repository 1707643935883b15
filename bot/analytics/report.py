"""The journey report of a period: every figure the dashboard, the API and the CLI show.

One read-only unit of work asks storage (``storage.analytics``) and the core shapes the
answers (``journeys.analytics``). Customers appear only by pseudonym.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.analytics.summaries import Summaries
from journeys.analytics import emotion_curve, funnel, median_or_none, rate, top
from journeys.journey_map import JourneyMap
from storage.analytics import JourneyAnalytics, Period
from storage.uow import UnitOfWorkFactory

PRICE_QUESTION = "ask_price"
"""The stage this intent signals is where "top questions" are counted (consideration)."""
SILENT_DAYS = 7
"""A customer silent this long at a stage counts as having dropped off there."""


async def journey_report(
    uow: UnitOfWorkFactory, journey_map: JourneyMap, period: Period, now: datetime
) -> dict[str, Any]:
    """Funnel, drop-off, recovery, satisfaction, support, content, mix and emotion."""
    stages = journey_map.stage_names
    await Summaries(uow, journey_map.default_language).refresh()
    async with uow.read_only() as unit:
        analytics = JourneyAnalytics(unit.connection)
        figures = await analytics.funnel_figures(period, stages)
        silent_since = now - timedelta(days=SILENT_DAYS)
        drop_off = []
        for stage in stages:
            stalled = await analytics.stalled(stage, silent_since, limit=50)
            pseudonyms = await analytics.pseudonyms([s.customer_id for s in stalled])
            who = [
                {
                    "customer": pseudonyms.get(s.customer_id),
                    "last_seen": s.last_seen.isoformat(),
                    "last_intents": s.last_intents,
                }
                for s in stalled
            ]
            count = await analytics.stalled_count(stage, silent_since)
            drop_off.append({"stage": stage, "customers": count, "who": who})
        recovery = await analytics.recovery(period)
        surveys = await unit.surveys.summary(period.since, period.until)
        support = await analytics.support(period)
        intents = await analytics.intent_counts(period)
        considering = await analytics.intent_counts(
            period, stage=journey_map.stage_for_signal(PRICE_QUESTION)
        )
        products = await analytics.product_counts(period)
        unrecognised = await analytics.unrecognised(period)
        mix = await analytics.mix(period)
        sentiment = await analytics.sentiment_by_stage(period)
    answered = sum(intents.values())
    recovered_orders = sum(count for count, _ in recovery["recovered"].values())
    return {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "channel": period.channel,
        },
        "funnel": [
            step.to_dict()
            for step in funnel(stages, figures.reached, figures.went_on, figures.evidence)
        ],
        "drop_off": {"silent_days": SILENT_DAYS, "stages": drop_off},
        "recovery": {
            "carts_stalled": recovery["carts"],
            "reminders_sent": recovery["reminders"],
            "orders": recovery["orders"],
            "orders_recovered": recovered_orders,
            "recovery_rate": rate(recovered_orders, recovery["carts"]),
            "recovered_revenue": {cur: total for cur, (_, total) in recovery["recovered"].items()},
        },
        "satisfaction": {
            "asked": surveys.asked,
            "answered": surveys.answered,
            "scores": {str(k): v for k, v in surveys.scores.items()},
            "csat": surveys.csat,
            "invited": surveys.invited,
            "clicked": surveys.clicked,
            "reviewed": surveys.reviewed,
            "click_rate": rate(surveys.clicked, surveys.invited),
            "review_rate": rate(surveys.reviewed, surveys.invited),
        },
        "support": {
            "conversations": support["conversations"],
            "handoffs": support["handoffs"],
            "escalation_rate": rate(support["handoffs"], support["conversations"]),
            "median_first_reply_seconds": median_or_none(support["waits"]),
            "conversations_per_agent": support["per_agent"],
        },
        "content": {
            "top_intents": top(intents),
            "top_questions": top(considering),
            "top_products": top(products),
            "fallback_rate": rate(intents.get("nlu_fallback", 0), answered),
            "unrecognised": unrecognised,
        },
        "mix": [{"day": d, "channel": c, "language": lang, "messages": n} for d, c, lang, n in mix],
        "emotion": [
            {"stage": stage, "sentiment": avg, "messages": n}
            for stage, avg, n in emotion_curve(stages, sentiment)
        ],
    }
