"""Alembic environment: the URL comes from the caller (collector.core.database.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from collector.core.database import configure_engine
from collector.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("collector.core.database.migrate sets sqlalchemy.url")
    engine = create_engine(url, poolclass=pool.NullPool)
    configure_engine(engine)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
