"""One vote per answer: feedback is unique per (session, turn). Duplicates stored before this revision (the same
answer voted twice) keep their first vote only.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    feedback = sa.table("feedback", sa.column("id", sa.Integer), sa.column("session_id", sa.String),
                        sa.column("turn_id", sa.Integer))
    first = (sa.select(sa.func.min(feedback.c.id)).where(feedback.c.turn_id.is_not(None))
             .group_by(feedback.c.session_id, feedback.c.turn_id))
    op.execute(feedback.delete().where(feedback.c.turn_id.is_not(None), feedback.c.id.not_in(first)))
    op.create_index("uq_feedback_turn", "feedback", ["session_id", "turn_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_feedback_turn", table_name="feedback")
