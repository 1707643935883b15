"""messages.attachment (structured content beside the text) and the per-recipient index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("attachment", sa.JSON(), nullable=True))
    op.create_index(
        "ix_messages_recipient", "messages", ["channel", "recipient_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_messages_recipient", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("attachment")
