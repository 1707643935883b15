"""Purchase evidence: customers.purchase_stated and stage_before_purchase; the evidence of
every stage change (stage_history, customer_stages); touchpoints.stage_evidence,
resolved_by and nlu_intent; customers.selected_product (the product named or picked alone
last, which "is it in stock?" is about) and customers.last_faq_entry (the FAQ entry answered
last, whose topic "and to Switzerland?" goes on about)

Plain ADD COLUMN (and DROP COLUMN to go back), so SQLite keeps its tables (no rebuild).
Rows written before this revision record no evidence (NULL): which stages need a purchase
is the journey map's business, not the database's.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVIDENCE = (
    ("touchpoints", "stage_evidence", 16),
    ("touchpoints", "resolved_by", 16),
    ("touchpoints", "nlu_intent", 100),
    ("stage_history", "evidence", 16),
    ("customer_stages", "evidence", 16),
    ("customers", "stage_before_purchase", 64),
    ("customers", "selected_product", 64),
    ("customers", "last_faq_entry", 100),
)
"""The nullable string columns this revision adds: (table, column, length)."""


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column("purchase_stated", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table, column, length in _EVIDENCE:
        op.add_column(table, sa.Column(column, sa.String(length=length), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would have to drop ``customers``,
    # which other rows still point at.
    for table, column, _ in reversed(_EVIDENCE):
        op.drop_column(table, column)
    op.drop_column("customers", "purchase_stated")
