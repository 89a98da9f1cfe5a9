"""Fixtures for the service: a database on SQLite and on PostgreSQL, and course folders.

- ``database``: a migrated service database; every test using it runs twice, on SQLite (a file
  in tmp_path) and on PostgreSQL (a fresh schema in the ``test`` database at 127.0.0.1:5432).
- ``campus``: a real hub running the service on test courses (once on SQLite, once on
  PostgreSQL), with hub tokens for admin, teacher, ta, manager and learners ana, bo, cy.
- ``make_course``: writes a valid course folder (lesson, nbgrader exercise, quiz) from a few
  settings and returns its path.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from nbcampus.school.core.db import Database, upgrade
from nbcampus.testing import PG_URL, running_campus, write_course


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.sqlite'}"
        return
    schema = f"nbc_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # the suite needs PostgreSQL: say so plainly
        pytest.fail(f"PostgreSQL at {PG_URL} is needed for the service tests: {e}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database(database_url):
    upgrade(database_url)
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def make_course(tmp_path):
    root = tmp_path / "courses"

    def make(course_id: str, **kwargs) -> Path:
        return write_course(root, course_id, **kwargs)

    make.root = root
    return make


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def campus(request, tmp_path_factory):
    with running_campus(tmp_path_factory.mktemp("campus"), request.param) as school:
        yield school


def call(campus, who, method, path, **kwargs):
    """Call the service API as ``who`` (a name from PEOPLE, or None for no token)."""
    return campus.api(campus.tokens[who] if who else None, method, path, **kwargs)
