"""The unanswered-question loop (issue 14): clerks' proposals on groups of unanswered questions (link to a procedure,
out of scope) with their approval, the questions already decided on, and notes for the people who keep the
knowledge base.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("commune", sa.String(8), nullable=False),
        sa.Column("province", sa.String(4), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("procedure_id", sa.String(40), nullable=False),
        sa.Column("phrasings", sa.JSON(), nullable=False),
        sa.Column("applied", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
    )
    op.create_index("ix_proposals_commune", "proposals", ["commune"])
    op.create_index("ix_proposals_province", "proposals", ["province"])
    op.create_index("ix_proposals_status", "proposals", ["status"])
    op.create_table(
        "handled_turns",
        sa.Column("turn_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_handled_turns_proposal_id", "handled_turns", ["proposal_id"])
    op.create_table(
        "knowledge_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("commune", sa.String(8), nullable=False),
        sa.Column("province", sa.String(4), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
    )
    op.create_index("ix_knowledge_notes_created_at", "knowledge_notes", ["created_at"])
    op.create_index("ix_knowledge_notes_commune", "knowledge_notes", ["commune"])
    op.create_index("ix_knowledge_notes_province", "knowledge_notes", ["province"])


def downgrade() -> None:
    op.drop_table("knowledge_notes")
    op.drop_index("ix_handled_turns_proposal_id", table_name="handled_turns")
    op.drop_table("handled_turns")
    op.drop_index("ix_proposals_status", table_name="proposals")
    op.drop_index("ix_proposals_province", table_name="proposals")
    op.drop_index("ix_proposals_commune", table_name="proposals")
    op.drop_table("proposals")
