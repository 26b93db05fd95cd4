"""The quarantine store's tables (SQLAlchemy 2 Core). One schema for SQLite and PostgreSQL.

Times are UNIX seconds (float): portable, sortable, and free of the time-zone traps of
SQLite's text datetimes. Changing a table here means a new Alembic revision in migrations/.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One held message: the bytes as they arrived, the envelope and the verdict that held it.
items = sa.Table(
    "quarantine_items",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # held | released | rejected | expired
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("mail_from", sa.Text, nullable=False),
    sa.Column("rcpt", sa.JSON, nullable=False),  # list[str]
    sa.Column("rcpt_text", sa.Text, nullable=False),  # rcpt joined, for searching
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("envelope", sa.JSON, nullable=False),  # client_ip, helo, auth_user, mail_options
    sa.Column("verdict", sa.JSON, nullable=False),  # action, reasons (+snippets), unscanned, attachments
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("pending", sa.JSON, nullable=True),  # two-person: the first reviewer's request
    sa.Column("decided_at", sa.Float, nullable=True),
    sa.Column("decided_by", sa.Text, nullable=True),
    sa.Column("decision_comment", sa.Text, nullable=True),
    sa.Column("release_mode", sa.String(16), nullable=True),
    sa.Index("ix_quarantine_items_status_received", "status", "received_at"),
    sa.Index("ix_quarantine_items_decided_at", "decided_at"),
)

# Rule names of an item, so the queue can be filtered by rule without reading JSON.
item_rules = sa.Table(
    "quarantine_item_rules",
    metadata,
    sa.Column("item_id", sa.String(16), nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("item_id", "rule"),
    sa.Index("ix_quarantine_item_rules_rule", "rule"),
)

# Mail we owe the upstream: released items, staged split copies, sender notices.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("ref", sa.String(16), nullable=False),  # quarantine id or stage reference
    sa.Column("kind", sa.String(16), nullable=False),  # release | stage | notice
    sa.Column("mail_from", sa.Text, nullable=False),  # "" = null sender (notices)
    sa.Column("rcpts", sa.JSON, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # When the row may next be claimed; while `sending` it is the end of the claim's lease.
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("claim_token", sa.String(32), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("done_at", sa.Float, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),  # SMTP code and class, never message text
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    sa.Index("ix_outbox_ref", "ref"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("item_id", sa.String(16), nullable=True),  # no FK: audit outlives purged items
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_audit_at", "at"),
    sa.Index("ix_audit_item", "item_id"),
)

# --- misdirection guard (quarantine/affinity): which outside recipients each case has had ---
# Case keys, recipients and organisations are keyed hashes (affinity/keyring.py); `sealed` is
# the recipient encrypted for reviewers. Nothing here is readable without the secret.
affinity_cases = sa.Table(
    "affinity_cases",
    metadata,
    sa.Column("case_key", sa.String(32), primary_key=True),
    sa.Column("messages", sa.Integer, nullable=False),  # delivered messages about the case
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.Index("ix_affinity_cases_last_seen", "last_seen"),
)

affinity_recipients = sa.Table(
    "affinity_recipients",
    metadata,
    sa.Column("case_key", sa.String(32), nullable=False),
    sa.Column("recipient", sa.String(32), nullable=False),
    sa.Column("organisation", sa.String(32), nullable=True),  # None: a consumer-mail person
    sa.Column("sealed", sa.Text, nullable=False),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("case_key", "recipient"),
    sa.Index("ix_affinity_recipients_last_seen", "last_seen"),
)

# Cases named together in one delivered message (a reference and its register row): what one
# of them has had, the other counts as known too. Both directions are stored.
affinity_links = sa.Table(
    "affinity_links",
    metadata,
    sa.Column("case_key", sa.String(32), nullable=False),
    sa.Column("linked_key", sa.String(32), nullable=False),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("case_key", "linked_key"),
    sa.Index("ix_affinity_links_last_seen", "last_seen"),
)
