"""The misdirection guard's links between cases named together in one message.

Revision ID: 0003_misdirection_links
Revises: 0002_misdirection_affinity
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_misdirection_links"
down_revision = "0002_misdirection_affinity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "affinity_links",
        sa.Column("case_key", sa.String(32), nullable=False),
        sa.Column("linked_key", sa.String(32), nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("case_key", "linked_key"),
    )
    op.create_index("ix_affinity_links_last_seen", "affinity_links", ["last_seen"])


def downgrade() -> None:
    op.drop_table("affinity_links")
