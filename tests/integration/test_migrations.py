"""The Alembic migrations build exactly the schema the code's tables describe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage import tables as t
from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade_async


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, t.Base.metadata))


async def test_the_migrated_schema_matches_the_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await engine.dispose()


async def test_upgrading_a_0001_database_keeps_its_touchpoints(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade_async(url, "0001")
    engine = create_engine(url)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC).isoformat()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO customers (id, purchased, opted_out, consecutive_fallbacks,"
                " message_count, last_products, created_at) VALUES (1, 0, 0, 0, 1, '[]', :now)"
            ),
            {"now": now},
        )
        for statement in (
            "INSERT INTO channel_identities (id, customer_id, channel, external_id, created_at)"
            " VALUES (1, 1, 'rest', 'ann', :now)",
            "INSERT INTO conversations (id, customer_id, identity_id, channel, status,"
            " needs_human, started_at, last_message_at) VALUES (1, 1, 1, 'rest', 'bot', 0,"
            " :now, :now)",
            "INSERT INTO messages (id, conversation_id, customer_id, direction, channel,"
            " recipient_id, kind, text, buttons, status, attempts, created_at)"
            " VALUES (1, 1, 1, 'in', 'rest', 'ann', 'text', 'hi', '[]', 'received', 0, :now)",
            "INSERT INTO touchpoints (customer_id, conversation_id, message_id, channel,"
            " direction, kind, text, entities, products, created_at)"
            " VALUES (1, 1, 1, 'rest', 'in', 'message', 'hi', '[]', '[]', :now)",
        ):
            await connection.execute(text(statement), {"now": now})

    await upgrade_async(url)

    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT text, faq_entry FROM touchpoints"))).all()
        assert [tuple(r) for r in rows] == [("hi", None)]
        status = (await connection.execute(text("SELECT status FROM conversations"))).scalar()
        assert status == "bot"
        pseudonym = (await connection.execute(text("SELECT pseudonym FROM customers"))).scalar()
        assert isinstance(pseudonym, str) and len(pseudonym) == 16
        assert await connection.run_sync(_differences) == []
    await engine.dispose()


async def test_0011_adds_the_evidence_columns_to_a_database_with_rows(
    unmigrated_database_url: str,
) -> None:
    url = unmigrated_database_url
    await upgrade_async(url, "0010")
    engine = create_engine(url)
    async with engine.begin() as connection:
        for statement in _ROWS_AT_0010:
            await connection.execute(text(statement))

    await upgrade_async(url)

    async with engine.connect() as connection:
        customer = (
            await connection.execute(
                text(
                    "SELECT stage, purchased, purchase_stated, stage_before_purchase FROM customers"
                )
            )
        ).one()
        assert (customer[0], bool(customer[1]), bool(customer[2]), customer[3]) == (
            "retention", True, False, None,
        )  # fmt: skip
        history = await connection.execute(text("SELECT current, evidence FROM stage_history"))
        assert [tuple(r) for r in history] == [("retention", None)]
        reached = await connection.execute(text("SELECT stage, evidence FROM customer_stages"))
        assert [tuple(r) for r in reached] == [("retention", None)]
        point = await connection.execute(
            text("SELECT text, stage_evidence, resolved_by, nlu_intent FROM touchpoints")
        )
        assert [tuple(r) for r in point] == [("where is my parcel?", None, None, None)]
        assert await connection.run_sync(_differences) == []
    await engine.dispose()

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0010")
    async with engine.connect() as connection:
        kept = await connection.execute(text("SELECT text FROM touchpoints"))
        assert [tuple(r) for r in kept] == [("where is my parcel?",)]
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("customers")}
        )
        assert "purchase_stated" not in columns and "stage_before_purchase" not in columns
    await engine.dispose()
    await upgrade_async(url)  # and up again


_ROWS_AT_0010 = (
    "INSERT INTO customers (id, purchased, opted_out, consecutive_fallbacks, message_count,"
    " last_products, stage, created_at)"
    " VALUES (1, TRUE, FALSE, 0, 1, '[]', 'retention', '2026-03-02 10:00:00')",
    "INSERT INTO channel_identities (id, customer_id, channel, external_id, created_at)"
    " VALUES (1, 1, 'rest', 'ann', '2026-03-02 10:00:00')",
    "INSERT INTO stage_history (customer_id, previous, current, reason, at)"
    " VALUES (1, 'purchase', 'retention', 'order_placed', '2026-03-02 10:00:00')",
    "INSERT INTO customer_stages (customer_id, stage, first_at)"
    " VALUES (1, 'retention', '2026-03-02 10:00:00')",
    "INSERT INTO touchpoints (customer_id, channel, direction, kind, text, entities, products,"
    " created_at) VALUES (1, 'rest', 'in', 'message', 'where is my parcel?', '[]', '[]',"
    " '2026-03-02 10:00:00')",
)
"""A customer who ordered, as a 0010 database holds them."""
