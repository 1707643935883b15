"""Generate a realistic shop history: customers, their journeys, touchpoints, carts, surveys.

Each customer arrives on web or Telegram in en, es or it, and walks the demo journey for a
random number of steps (awareness → consideration → purchase → retention → advocacy), writing
about ten touchpoints: greetings, questions, objections, messages not understood, the bot's
follow-ups. A fifth leave a cart, half of those order (some after a reminder, recovered);
one in twenty answers a CSAT question. Rows go in with multi-row INSERTs of 5,000.

Run: .venv/bin/python -m bench.seed_touchpoints URL [--touchpoints 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import tables as t
from storage.engine import create_engine
from storage.migrate import upgrade_engine

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 60
BATCH = 5000
STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
INTENTS = {
    "awareness": (
        "greet",
        "browse_products",
        "describe_need",
        "ask_recommendation",
        "nlu_fallback",
    ),
    "consideration": (
        "ask_price",
        "ask_specs",
        "compare_products",
        "ask_stock",
        "ask_shipping",
        "ask_returns",
        "ask_warranty",
        "nlu_fallback",
    ),
    "purchase": ("buy_product", "checkout_help", "hesitation"),
    "retention": ("order_status", "product_support", "complain", "return_request"),
    "advocacy": ("praise", "leave_review"),
}
TEXTS = {
    "greet": "hello",
    "ask_price": "how much is the XPS 13?",
    "hesitation": "it's too expensive",
    "complain": "the delivery was late, terrible",
    "praise": "I love it, great service",
    "nlu_fallback": "blorp",
    "ask_specs": "how much RAM does it have?",
}
PRODUCTS = ("xps-13", "macbook-air-13", "thinkpad-x1", "zenbook-14")


async def seed(engine: AsyncEngine, touchpoints: int, rng: random.Random) -> dict[str, int]:
    """Fill a migrated database; return how many rows of each kind were written."""
    customers = max(1, touchpoints // 10)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLES}
    counts = dict.fromkeys(_TABLES, 0)
    written = 0
    for cid in range(1, customers + 1):
        written += _customer(cid, rng, rows, touchpoints - written, customers - cid + 1)
        if len(rows["touchpoints"]) >= BATCH:
            await _flush(engine, rows, counts)
    await _flush(engine, rows, counts)
    return counts


def _customer(
    cid: int, rng: random.Random, rows: dict[str, list[dict[str, Any]]], left: int, people: int
) -> int:
    channel = rng.choice(("web", "web", "telegram"))
    language = rng.choice(("en", "en", "es", "it"))
    at = START + timedelta(seconds=rng.randrange(DAYS * 86400))
    reached = rng.choices(range(1, 6), weights=(40, 30, 15, 10, 5))[0]
    points = max(1, min(left - (people - 1), round(left / people)))
    stage = STAGES[reached - 1]
    rows["customers"].append(
        {
            "id": cid,
            "stage": stage,
            "language": language,
            "purchased": reached >= 4,
            "opted_out": False,
            "consecutive_fallbacks": 0,
            "message_count": points,
            "last_products": [],
            "created_at": at,
            "last_seen_at": at,
            "pseudonym": f"{cid:016x}",
        }
    )
    rows["channel_identities"].append(
        {
            "id": cid,
            "customer_id": cid,
            "channel": channel,
            "external_id": f"c{cid}",
            "created_at": at,
        }
    )
    rows["conversations"].append(
        {
            "id": cid,
            "customer_id": cid,
            "identity_id": cid,
            "channel": channel,
            "status": "bot",
            "needs_human": False,
            "started_at": at,
            "last_message_at": at,
            "staff_synced_id": 0,
        }
    )
    previous = None
    for i in range(points):
        step = min(reached - 1, i * reached // points)
        current = STAGES[step]
        if current != previous:
            rows["customer_stages"].append({"customer_id": cid, "stage": current, "first_at": at})
            rows["stage_history"].append(
                {
                    "customer_id": cid,
                    "previous": previous,
                    "current": current,
                    "reason": "seed",
                    "at": at,
                }
            )
        intent = rng.choice(INTENTS[current])
        rows["touchpoints"].append(
            {
                "customer_id": cid,
                "conversation_id": cid,
                "channel": channel,
                "direction": "in",
                "kind": "message",
                "text": TEXTS.get(intent, intent.replace("_", " ")),
                "intent": intent,
                "confidence": 0.9,
                "entities": [],
                "language": language,
                "products": [rng.choice(PRODUCTS)] if current == "consideration" else [],
                "stage_before": previous,
                "stage_after": current,
                "answered_by": "bot",
                "latency_ms": 3.0,
                "created_at": at,
            }
        )
        previous, at = current, at + timedelta(minutes=rng.randrange(1, 600))
    rows["customers"][-1]["last_seen_at"] = at
    if reached >= 3:
        cart = f"cart-{cid}"
        rows["commerce_events"].append(_event(cid, "cart_updated", cart, None, at, False))
        if reached >= 4:
            recovered = rng.random() < 0.3
            rows["commerce_events"].append(
                _event(cid, "order_placed", cart, f"o-{cid}", at, recovered)
            )
        if rng.random() < 0.1:
            rows["surveys"].append(
                {
                    "customer_id": cid,
                    "conversation_id": cid,
                    "trigger": "review_request",
                    "token": f"tok{cid:012d}",
                    "asked_at": at,
                    "score": rng.randint(1, 5),
                    "answered_at": at,
                    "invited": True,
                    "clicks": 0,
                }
            )
    return points


def _event(
    cid: int, kind: str, cart: str, order: str | None, at: datetime, recovered: bool
) -> dict[str, Any]:
    return {
        "event_id": f"{kind}-{cid}",
        "type": kind,
        "customer_id": cid,
        "cart_id": cart,
        "order_id": order,
        "total": "1299.00",
        "currency": "EUR",
        "recovered": recovered,
        "items": [],
        "occurred_at": at,
        "received_at": at,
    }


_TABLES = {
    "customers": t.Customer,
    "channel_identities": t.ChannelIdentity,
    "conversations": t.Conversation,
    "stage_history": t.StageHistory,
    "customer_stages": t.CustomerStage,
    "touchpoints": t.Touchpoint,
    "commerce_events": t.CommerceEvent,
    "surveys": t.Survey,
}


async def _flush(
    engine: AsyncEngine, rows: dict[str, list[dict[str, Any]]], counts: dict[str, int]
) -> None:
    async with engine.begin() as conn:
        for name, model in _TABLES.items():
            pending: Sequence[dict[str, Any]] = rows[name]
            for i in range(0, len(pending), BATCH):
                await conn.execute(insert(model), list(pending[i : i + BATCH]))
            counts[name] += len(pending)
            rows[name] = []


async def _main(url: str, touchpoints: int) -> None:
    engine = create_engine(url)
    await upgrade_engine(engine)
    print(await seed(engine, touchpoints, random.Random(7)))
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    args = parser.parse_args()
    asyncio.run(_main(args.url, args.touchpoints))
