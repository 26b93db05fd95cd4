"""The misdirection guard's case/recipient affinities.

Revision ID: 0002_misdirection_affinity
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_misdirection_affinity"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "affinity_cases",
        sa.Column("case_key", sa.String(32), primary_key=True),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
    )
    op.create_index("ix_affinity_cases_last_seen", "affinity_cases", ["last_seen"])
    op.create_table(
        "affinity_recipients",
        sa.Column("case_key", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("organisation", sa.String(32), nullable=True),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("case_key", "recipient"),
    )
    op.create_index("ix_affinity_recipients_last_seen", "affinity_recipients", ["last_seen"])


def downgrade() -> None:
    op.drop_table("affinity_recipients")
    op.drop_table("affinity_cases")
