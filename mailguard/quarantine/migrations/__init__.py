"""Alembic migrations for the quarantine store, run programmatically by `migrate.upgrade`."""
