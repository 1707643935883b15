"""commerce_events, customer_refs (how the shop names a chat customer), follow_ups.subject,
customers.timezone

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commerce_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.String(length=200), nullable=True),
        sa.Column("order_id", sa.String(length=200), nullable=True),
        sa.Column("total", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("cart_url", sa.String(length=2000), nullable=True),
        sa.Column("recovered", sa.Boolean(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_commerce_events_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_commerce_events_event_id")),
    )
    op.create_index(
        op.f("ix_commerce_events_customer_id"), "commerce_events", ["customer_id"], unique=False
    )
    with op.batch_alter_table("follow_ups") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=200), nullable=True))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_table(
        "customer_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_refs_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_refs")),
        sa.UniqueConstraint("ref", name=op.f("uq_customer_refs_ref")),
    )
    op.create_index(
        op.f("ix_customer_refs_customer_id"), "customer_refs", ["customer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_refs_customer_id"), table_name="customer_refs")
    op.drop_table("customer_refs")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("timezone")
    with op.batch_alter_table("follow_ups") as batch:
        batch.drop_column("subject")
    op.drop_index(op.f("ix_commerce_events_customer_id"), table_name="commerce_events")
    op.drop_table("commerce_events")
