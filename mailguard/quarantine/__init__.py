"""The durable quarantine store (SQLAlchemy Core on SQLite or PostgreSQL, Alembic), its
outbox, expiry and purge, and the audit log."""

from mailguard.quarantine.errors import Conflict, NotFound, SameReviewer, StoreError, StoreUnreachable
from mailguard.quarantine.store import QuarantineStore

__all__ = ["Conflict", "NotFound", "QuarantineStore", "SameReviewer", "StoreError", "StoreUnreachable"]
