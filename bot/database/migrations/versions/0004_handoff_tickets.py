"""Handoff to a person: tickets, the clerks' replies, the citizen's contact (kept apart, so that it can be
deleted on its own), and turns.kind / turns.reason (what each answer was, to count a session's failed tries).
Turns stored before this revision keep an empty kind and count as no failure.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("reason", sa.String(32), nullable=False, server_default=""))
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("commune", sa.String(8), nullable=False),
        sa.Column("province", sa.String(4), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        _when("created_at"),
        _when("updated_at"),
    )
    for column in ("session_id", "commune", "province", "status", "updated_at"):
        op.create_index(f"ix_tickets_{column}", "tickets", [column])
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
    )
    op.create_index("ix_ticket_messages_ticket_id", "ticket_messages", ["ticket_id"])
    op.create_table(
        "ticket_contacts",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(254), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        _when("created_at"),
    )


def downgrade() -> None:
    op.drop_table("ticket_contacts")
    op.drop_table("ticket_messages")
    op.drop_table("tickets")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("reason")
        batch.drop_column("kind")
