"""The first schema: turns, feedback and QR scans, exactly as `create_all` made them before migrations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _text(name: str, length: int | None = None) -> sa.Column:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=False)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "turns", _id(), _text("session_id", 36), _text("commune", 8), _created(),
        _text("question"), _text("answer"), sa.Column("sources", sa.JSON(), nullable=False), _text("language", 8),
        sa.Column("in_scope", sa.Boolean(), nullable=False), _text("generator", 32),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    op.create_index("ix_turns_session_id", "turns", ["session_id"])
    op.create_table(
        "feedback", _id(), sa.Column("turn_id", sa.Integer(), nullable=True), _text("session_id", 36), _created(),
        _text("rating", 8), _text("comment"),
    )
    op.create_index("ix_feedback_session_id", "feedback", ["session_id"])
    op.create_table("scans", _id(), _text("commune", 8), _created())
    op.create_index("ix_scans_commune", "scans", ["commune"])


def downgrade() -> None:
    op.drop_table("scans")
    op.drop_table("feedback")
    op.drop_table("turns")
