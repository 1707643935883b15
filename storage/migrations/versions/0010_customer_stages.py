"""customer_stages: the first time each customer reached each stage (filled from history)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_stages_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_stages")),
        sa.UniqueConstraint(
            "customer_id", "stage", name=op.f("uq_customer_stages_customer_id_stage")
        ),
    )
    op.create_index(
        "ix_customer_stages_stage_first", "customer_stages", ["stage", "first_at"], unique=False
    )
    op.execute(
        "INSERT INTO customer_stages (customer_id, stage, first_at) "
        "SELECT customer_id, current, MIN(at) FROM stage_history GROUP BY customer_id, current"
    )


def downgrade() -> None:
    op.drop_index("ix_customer_stages_stage_first", table_name="customer_stages")
    op.drop_table("customer_stages")
