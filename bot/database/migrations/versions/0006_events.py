"""Analytics events (issue 14): one row per thing that happened (QR scan, page opened, question, vote, ticket opened,
first reply, closed), with the indexes the dashboard queries use: one commune or one province, one type, a range of
days. Nothing is copied from before this revision: the dashboards start counting from here.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("commune", sa.String(8), nullable=False),
        sa.Column("province", sa.String(4), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("procedure_id", sa.String(32), nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_events_created_at", "events", ["created_at"])
    op.create_index("ix_events_session_id", "events", ["session_id"])
    op.create_index("ix_events_turn_id", "events", ["turn_id"])
    op.create_index("ix_events_commune_type_day", "events", ["commune", "type", "day"])
    op.create_index("ix_events_province_type_day", "events", ["province", "type", "day"])
    op.create_index("ix_events_type_day", "events", ["type", "day"])


def downgrade() -> None:
    op.drop_table("events")
