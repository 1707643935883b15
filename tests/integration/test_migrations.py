"""The Alembic migrations build exactly the schema the code's tables describe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage import tables as t
from storage.engine import create_engine
from storage.migrate import upgrade_async


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
