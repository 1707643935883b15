"""surveys: satisfaction questions, answers and tracked review invitations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("product_id", sa.String(length=200), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("policy", sa.String(length=32), nullable=True),
        sa.Column("invited", sa.Boolean(), nullable=False),
        sa.Column("invite_reason", sa.String(length=200), nullable=True),
        sa.Column("review_url", sa.String(length=2000), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("first_clicked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_source", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_surveys_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_surveys_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("token", name=op.f("uq_surveys_token")),
    )
    op.create_index("ix_surveys_customer", "surveys", ["customer_id", "id"], unique=False)
    op.create_index(op.f("ix_surveys_asked_at"), "surveys", ["asked_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_surveys_asked_at"), table_name="surveys")
    op.drop_index("ix_surveys_customer", table_name="surveys")
    op.drop_table("surveys")
