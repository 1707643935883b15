"""users, staff_sessions, notes; the handoff columns of conversations; touchpoints.agent_id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"], unique=False)
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_notes_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_conversation_id"), "notes", ["conversation_id"], unique=False)
    # Plain ADD COLUMN with the reference inline: SQLite can do that without rebuilding the
    # table (a rebuild would have to drop a table that other rows still point at).
    for table in ("conversations", "touchpoints"):
        name = op.f(f"fk_{table}_agent_id_users")
        if op.get_bind().dialect.name == "sqlite":
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN agent_id INTEGER "
                f"CONSTRAINT {name} REFERENCES users (id)"
            )
        else:
            op.add_column(table, sa.Column("agent_id", sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, "users", ["agent_id"], ["id"])
    op.add_column("conversations", sa.Column("handoff_reason", sa.String(200), nullable=True))
    op.add_column("conversations", sa.Column("waiting_since", sa.DateTime(True), nullable=True))
    op.add_column("conversations", sa.Column("claimed_at", sa.DateTime(True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("touchpoints") as batch:
        batch.drop_constraint(op.f("fk_touchpoints_agent_id_users"), type_="foreignkey")
        batch.drop_column("agent_id")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint(op.f("fk_conversations_agent_id_users"), type_="foreignkey")
        for column in ("claimed_at", "waiting_since", "handoff_reason", "agent_id"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_notes_conversation_id"), table_name="notes")
    op.drop_table("notes")
    op.drop_index(op.f("ix_staff_sessions_user_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("users")
