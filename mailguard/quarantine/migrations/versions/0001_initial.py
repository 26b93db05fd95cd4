"""Quarantine items, their rules, the outbox and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine_items",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("mail_from", sa.Text, nullable=False),
        sa.Column("rcpt", sa.JSON, nullable=False),
        sa.Column("rcpt_text", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("envelope", sa.JSON, nullable=False),
        sa.Column("verdict", sa.JSON, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("pending", sa.JSON, nullable=True),
        sa.Column("decided_at", sa.Float, nullable=True),
        sa.Column("decided_by", sa.Text, nullable=True),
        sa.Column("decision_comment", sa.Text, nullable=True),
        sa.Column("release_mode", sa.String(16), nullable=True),
    )
    op.create_index("ix_quarantine_items_status_received", "quarantine_items", ["status", "received_at"])
    op.create_index("ix_quarantine_items_decided_at", "quarantine_items", ["decided_at"])
    op.create_table(
        "quarantine_item_rules",
        sa.Column("item_id", sa.String(16), nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("item_id", "rule"),
    )
    op.create_index("ix_quarantine_item_rules_rule", "quarantine_item_rules", ["rule"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mail_from", sa.Text, nullable=False),
        sa.Column("rcpts", sa.JSON, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("done_at", sa.Float, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_ref", "outbox", ["ref"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(16), nullable=True),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_item", "audit", ["item_id"])


def downgrade() -> None:
    for table in ("audit", "outbox", "quarantine_item_rules", "quarantine_items"):
        op.drop_table(table)
