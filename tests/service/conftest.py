"""Fixtures for the service: a database on SQLite and on PostgreSQL, and course folders.

- ``database``: a migrated service database; every test using it runs twice, on SQLite (a file
  in tmp_path) and on PostgreSQL (a fresh schema in the ``test`` database at 127.0.0.1:5432).
- ``campus``: a real hub running the service on test courses (once on SQLite, once on
  PostgreSQL), with hub tokens for admin, teacher, ta, manager and learners ana, bo, cy.
- ``make_course``: writes a valid course folder (lesson, nbgrader exercise, quiz) from a few
  settings and returns its path.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
import yaml
from nbcampus.service.db import Database, upgrade
from nbcampus.testing import OUTPUT_DIR, School, free_port, start_hub, stop_hub
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("NBCAMPUS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


def _exercise_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `double(x)`."),
        nbformat.v4.new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata={
                "nbgrader": {
                    "grade": False,
                    "solution": True,
                    "locked": False,
                    "grade_id": "double",
                    "schema_version": 3,
                }
            },
        ),
        nbformat.v4.new_code_cell(
            "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(-1) == -2\n### END HIDDEN TESTS",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "solution": False,
                    "locked": True,
                    "points": 2,
                    "grade_id": "test_double",
                    "schema_version": 3,
                }
            },
        ),
    ]
    return nb


def _quiz_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    question = {"id": "q1", "type": "single", "points": 1, "options": ["1", "2"], "answer": 1}
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "What is 1 + 1?", metadata={"nbcampus": {"question": question}}
        )
    ]
    return nb


def write_course(
    root: Path,
    course_id: str,
    fmt: str = "mooc",
    enrolment: dict | None = None,
    pacing: dict | None = None,
    roster: list[str] | None = None,
    due_offset_days: float = 7,
    hard_close_days: float = 3,
    **extra,
) -> Path:
    """Write a valid course folder ``root/course_id`` and return it."""
    folder = root / course_id
    (folder / "lessons").mkdir(parents=True)
    (folder / "source" / "ex1").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    lesson = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lesson 1")])
    nbformat.write(lesson, folder / "lessons" / "lesson1.ipynb")
    nbformat.write(_exercise_notebook(), folder / "source" / "ex1" / "ex1.ipynb")
    nbformat.write(_quiz_notebook(), folder / "quizzes" / "quiz1.ipynb")
    enrolment = enrolment or {"rule": "open"}
    if roster is not None:
        (folder / "roster.csv").write_text("username\n" + "".join(f"{u}\n" for u in roster))
        enrolment = {**enrolment, "roster": "roster.csv"}
    data = {
        "id": course_id,
        "title": f"Course {course_id}",
        "format": fmt,
        "pedagogy": "xmooc",
        "description": "A test course.",
        "hours_per_week": 2,
        "duration_weeks": 2,
        "instructors": [{"username": "teacher"}],
        "enrolment": enrolment,
        "tracks": {"audit": True, "verified": True},
        "pacing": pacing or {"mode": "self-paced"},
        "modules": [
            {
                "id": "week1",
                "title": "Week 1",
                "week": 1,
                "lessons": [{"file": "lessons/lesson1.ipynb", "title": "Lesson 1"}],
                "assignments": [
                    {
                        "id": "ex1",
                        "title": "Exercise 1",
                        "points": 2,
                        "due_offset_days": due_offset_days,
                        "late_policy": {
                            "grace_minutes": 10,
                            "credit": [{"after_days": 0, "percent": 50}],
                            "hard_close_days": hard_close_days,
                        },
                    }
                ],
                "quiz": {"file": "quizzes/quiz1.ipynb", "title": "Quiz 1", "due_offset_days": 7},
            }
        ],
        "grading": {"weights": {"assignments": 0.7, "quizzes": 0.3}, "pass_score": 50},
        "certificate": {"enabled": True, "min_score": 50, "verified_only": True},
        **extra,
    }
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


@pytest.fixture
def make_course(tmp_path):
    root = tmp_path / "courses"

    def make(course_id: str, **kwargs) -> Path:
        return write_course(root, course_id, **kwargs)

    make.root = root
    return make


PASSWORD = "correct-horse-battery-9"
PEOPLE = ["admin", "teacher", "ta", "manager", "ana", "bo", "cy"]


@contextmanager
def running_campus(state: Path, db_kind: str = "sqlite", name: str = "campus"):
    """A hub with the service on the test courses; yields a School with ``tokens`` and
    ``service_port``. The hub (and with it the service) stops on exit."""
    courses = state / "courses"
    write_course(courses, "open-mooc", tas=["ta"])
    write_course(
        courses,
        "spoc",
        fmt="spoc",
        enrolment={
            "rule": "invite",
            "invite_codes": ["LET-ME-IN"],
            "seat_cap": 25,
            "waitlist": False,
        },
    )
    write_course(courses, "other")
    write_course(courses, "closed", due_offset_days=0, hard_close_days=0)
    (state / "accounts.json").write_text(
        json.dumps([{"username": u, "password": PASSWORD} for u in PEOPLE])
    )
    service_port = free_port()
    env = {
        "NBCAMPUS_COURSES_DIR": str(courses),
        "NBCAMPUS_SERVICE_PORT": str(service_port),
        "NBCAMPUS_TRAINING_MANAGERS": json.dumps({"manager": ["open-mooc"]}),
    }
    schema = None
    if db_kind == "postgresql":
        schema = f"nbc_{uuid.uuid4().hex[:12]}"
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        env["NBCAMPUS_DB_URL"] = f"{PG_URL}?options=-csearch_path%3D{schema}"
    log = OUTPUT_DIR / f"{name}-hub-{db_kind}.log"
    process, url = start_hub(state, log, env_extra=env)
    try:
        school = School(url, state, {u: PASSWORD for u in PEOPLE}, log)
        school.service_port = service_port
        school.db_url = env.get("NBCAMPUS_DB_URL", f"sqlite:///{state / 'nbcampus.sqlite'}")
        deadline = time.monotonic() + 90
        while school.api(None, "GET", "openapi.json").status_code != 200:
            assert time.monotonic() < deadline, f"service not up; see {log}"
            time.sleep(0.2)
        school.tokens = {u: school.token(u) for u in PEOPLE}
        yield school
    finally:
        stop_hub(process)
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def campus(request, tmp_path_factory):
    with running_campus(tmp_path_factory.mktemp("campus"), request.param) as school:
        yield school


def call(campus, who, method, path, **kwargs):
    """Call the service API as ``who`` (a name from PEOPLE, or None for no token)."""
    return campus.api(campus.tokens[who] if who else None, method, path, **kwargs)
