"""Alembic environment. Run by mailguard.quarantine.migrate with a live connection; the
`alembic` command line works too with `-x url=sqlite:///PATH` (offline SQL with --sql)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mailguard.quarantine.schema import metadata

config = context.config


def _configure(**kwargs: object) -> None:
    context.configure(target_metadata=metadata, render_as_batch=True, compare_type=True, **kwargs)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        _configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with create_engine(url).connect() as conn:  # a sync driver URL (sqlite:// or postgresql+psycopg://)
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


run()
