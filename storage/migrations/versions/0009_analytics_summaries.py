"""touchpoint_days, mention_days, summary_state; indexes for the analytics queries

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "touchpoint_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("sentiment_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touchpoint_days")),
        sa.UniqueConstraint(
            "day",
            "channel",
            "language",
            "stage",
            "intent",
            name=op.f("uq_touchpoint_days_day_channel_language_stage_intent"),
        ),
    )
    op.create_index(op.f("ix_touchpoint_days_day"), "touchpoint_days", ["day"], unique=False)
    op.create_table(
        "mention_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_days")),
        sa.UniqueConstraint(
            "day", "channel", "kind", "value", name=op.f("uq_mention_days_day_channel_kind_value")
        ),
    )
    op.create_index(op.f("ix_mention_days_day"), "mention_days", ["day"], unique=False)
    op.create_table(
        "summary_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_summary_state")),
    )
    op.execute("INSERT INTO summary_state (name, last_id) VALUES ('touchpoints', 0)")
    op.create_index("ix_stage_history_at", "stage_history", ["at"], unique=False)
    op.create_index(
        "ix_touchpoints_intent_created", "touchpoints", ["intent", "created_at"], unique=False
    )
    op.create_index(
        "ix_conversations_last_message", "conversations", ["last_message_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_last_message", table_name="conversations")
    op.drop_index("ix_touchpoints_intent_created", table_name="touchpoints")
    op.drop_index("ix_stage_history_at", table_name="stage_history")
    op.drop_table("summary_state")
    op.drop_index(op.f("ix_mention_days_day"), table_name="mention_days")
    op.drop_table("mention_days")
    op.drop_index(op.f("ix_touchpoint_days_day"), table_name="touchpoint_days")
    op.drop_table("touchpoint_days")
