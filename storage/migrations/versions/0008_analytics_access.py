"""api_tokens; customers.pseudonym (filled in for existing customers)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.add_column("customers", sa.Column("pseudonym", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    customers = sa.table("customers", sa.column("id", sa.Integer), sa.column("pseudonym"))
    ids = [row[0] for row in connection.execute(sa.select(customers.c.id))]
    for customer_id in ids:
        connection.execute(
            customers.update()
            .where(customers.c.id == customer_id)
            .values(pseudonym=secrets.token_hex(8))
        )
    op.create_index("ix_customers_pseudonym", "customers", ["pseudonym"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_customers_pseudonym", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("pseudonym")
    op.drop_table("api_tokens")
