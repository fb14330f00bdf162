"""rate limits on API keys: requests and tokens per minute, tokens per day, streams

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("rpm", "tpm", "tpd", "max_streams")


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
