"""Database engine and sessions: SQLite by default, PostgreSQL by URL; schema by alembic."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


def default_db_url(state_dir: str | Path) -> str:
    """NBCAMPUS_DB_URL, else SQLite in the state folder: the hub and the service agree on it."""
    return os.environ.get("NBCAMPUS_DB_URL") or f"sqlite:///{Path(state_dir) / 'nbcampus.sqlite'}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and write transactions that take
    the write lock when they begin (BEGIN IMMEDIATE), so a read-then-write such as a seat check
    cannot interleave with another writer."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # reads need no write lock: with WAL they run beside the one writer
            readonly = connection.get_execution_options().get("nbcampus_readonly", False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` to ``revision`` (alembic upgrade)."""
    command.upgrade(alembic_config(url), revision)


@contextmanager
def startup_lock(url: str) -> Iterator[None]:
    """Hold a lock shared by every service process on the database at ``url``.

    Several replicas start at once (Kubernetes, or a service beside ``nbcampus grader``): the lock
    lets one at a time migrate the schema and publish the catalog, so no two run alembic's DDL or
    nbgrader's release of the same course together. PostgreSQL: a session advisory lock keyed by
    the URL without its password (replicas share the URL); SQLite: ``flock`` on a file beside the
    database.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.startup-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    name = parsed.set(password=None).render_as_string(hide_password=False)
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
    finally:
        engine.dispose()


class Database:
    """The service's database: an engine and a session factory."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, readonly: bool = False) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any error.

        ``readonly`` transactions do not take SQLite's write lock (they must not write).
        """
        with self.sessions() as session, session.begin():
            if readonly:
                session.connection(execution_options={"nbcampus_readonly": True})
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
