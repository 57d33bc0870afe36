"""turns.channel: how a question came in (chat, voice, cli), no longer appended to `generator` ("extractive+voice").

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default=""))
    op.execute("UPDATE turns SET channel = 'voice', generator = replace(generator, '+voice', '') "
               "WHERE generator LIKE '%+voice'")


def downgrade() -> None:
    op.execute("UPDATE turns SET generator = generator || '+voice' WHERE channel = 'voice'")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("channel")
