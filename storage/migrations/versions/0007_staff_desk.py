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
    op.add_column("conversations", sa.Column("staff_topic_id", sa.Integer(), nullable=True))
    op.add_column(
        "conversations",
        sa.Column("staff_synced_id", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_conversations_staff_topic", "conversations", ["staff_topic_id"], unique=True
    )
    op.add_column("users", sa.Column("telegram_id", sa.String(length=32), nullable=True))
    op.create_index("ix_users_telegram_id", "users", ["telegram_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_telegram_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("telegram_id")
    op.drop_index("ix_conversations_staff_topic", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("staff_synced_id")
        batch.drop_column("staff_topic_id")
