"""Rate limits shared by the workers (`rate_counts`: hits per limiter, subject and time slot) and chat sessions
bound to the browser that started them (`chat_sessions`: the SHA-256 of the owner's cookie key).

Sessions stored before this revision have no owner: they cannot be continued, and a new one starts instead.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counts",
        sa.Column("bucket", sa.String(16), primary_key=True),
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.create_index("ix_rate_counts_slot", "rate_counts", ["slot"])
    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_sessions_created_at", "chat_sessions", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_sessions_created_at", table_name="chat_sessions")
    op.drop_table("chat_sessions")
    op.drop_index("ix_rate_counts_slot", table_name="rate_counts")
    op.drop_table("rate_counts")
