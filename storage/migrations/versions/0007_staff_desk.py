"""The Telegram staff desk: conversations.staff_topic_id and staff_synced_id, users.telegram_id

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("staff_topic_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("staff_synced_id", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_unique_constraint(op.f("uq_conversations_staff_topic_id"), ["staff_topic_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("telegram_id", sa.String(length=32), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_telegram_id"), ["telegram_id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_telegram_id"), type_="unique")
        batch.drop_column("telegram_id")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint(op.f("uq_conversations_staff_topic_id"), type_="unique")
        batch.drop_column("staff_synced_id")
        batch.drop_column("staff_topic_id")
