"""Activity ingestion: strict checks on each event, enrolment, server clock, module from the path
(SQLite and PostgreSQL). The HTTP route is exercised through the learner's server extension in
tests/test_lab_server_extension.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.core.errors import CampusError, Forbidden, NotFound
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.progress.activity import (
    MAX_EVENTS,
    module_of,
    my_notebooks,
    parse_events,
    record_activity,
)
from nbcampus.school.progress.api import LESSON_DONE_SECONDS, my_lessons
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.publishing.catalog import publish_course


@pytest.fixture
def course(database, make_course):
    folder = make_course("open-mooc")
    with database.session() as session:
        publish_course(session, load_course(folder))
        rules.enrol(session, "open-mooc", rules.Learner("ana"))
    return load_course(folder).data


def test_events_are_stored_with_module_and_server_time(database, course):
    events = parse_events(
        {
            "events": [
                {"course_id": "open-mooc", "kind": "connect"},
                {
                    "course_id": "open-mooc",
                    "kind": "open",
                    "notebook": "open-mooc/lessons/lesson1.ipynb",
                },
                {
                    "course_id": "open-mooc",
                    "kind": "active",
                    "notebook": "open-mooc/ex1/ex1.ipynb",
                    "seconds": 60,
                },
                {
                    "course_id": "open-mooc",
                    "kind": "execute",
                    "notebook": "scratch.ipynb",
                    "count": 3,
                },
            ]
        }
    )
    before = datetime.now(UTC)
    with database.session() as session:
        assert record_activity(session, "ana", events) == 4
    with database.session() as session:
        rows = list(session.scalars(select(ActivityEvent).order_by(ActivityEvent.id)))
    assert [(r.kind, r.module_id, r.seconds, r.count) for r in rows] == [
        ("connect", None, 0, 0),
        ("open", "week1", 0, 0),
        ("active", "week1", 60, 0),
        ("execute", None, 0, 3),
    ]
    assert all(r.username == "ana" for r in rows)
    assert all(before - timedelta(seconds=1) <= r.at <= datetime.now(UTC) for r in rows)


def test_module_of_lessons_quizzes_and_exercise_folders(course):
    assert module_of(course, "open-mooc/quizzes/quiz1.ipynb") == "week1"
    assert module_of(course, "lessons/lesson1.ipynb") == "week1"
    assert module_of(course, "open-mooc/ex1/ex1.ipynb") == "week1"
    assert module_of(course, "open-mooc/lessons/other.ipynb") is None
    assert module_of(course, None) is None


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "events must be a non-empty list"),
        ({"events": []}, "events must be a non-empty list"),
        ({"events": [], "user": "bo"}, "unknown field(s) ['user']"),
        ({"events": ["x"]}, "events[0]: an event is an object"),
        ({"events": [{"kind": "open"}]}, "events[0]: course_id is required"),
        ({"events": [{"course_id": "c", "kind": "keys"}]}, "events[0]: kind must be one of"),
        (
            {"events": [{"course_id": "c", "kind": "open"}]},
            "events[0]: a open event names its notebook",
        ),
        (
            {"events": [{"course_id": "c", "kind": "connect", "text": "print(1)"}]},
            "events[0]: unknown field(s) ['text']",
        ),
        (
            {
                "events": [
                    {"course_id": "c", "kind": "active", "notebook": "a.ipynb", "seconds": 3601}
                ]
            },
            "events[0]: seconds must be between 0 and 3600",
        ),
        (
            {
                "events": [
                    {"course_id": "c", "kind": "active", "notebook": "a.ipynb", "seconds": -1}
                ]
            },
            "events[0]: seconds must be between 0 and 3600",
        ),
        (
            {
                "events": [
                    {"course_id": "c", "kind": "active", "notebook": "a.ipynb", "seconds": 1.5}
                ]
            },
            "events[0]: seconds must be a whole number",
        ),
        (
            {"events": [{"course_id": "c", "kind": "open", "notebook": "../b/x.ipynb"}]},
            "events[0]: notebook must be a relative path inside the workspace",
        ),
        (
            {"events": [{"course_id": "c", "kind": "open", "notebook": "/etc/x.ipynb"}]},
            "events[0]: notebook must be a relative path inside the workspace",
        ),
    ],
)
def test_bad_events_are_refused_with_where(body, message):
    with pytest.raises(CampusError) as info:
        parse_events(body)
    assert info.value.message.startswith(message)
    assert info.value.status == 400


def test_batch_size_is_capped():
    event = {"course_id": "c", "kind": "connect"}
    parse_events({"events": [event] * MAX_EVENTS})
    with pytest.raises(CampusError) as info:
        parse_events({"events": [event] * (MAX_EVENTS + 1)})
    assert info.value.status == 413


def test_unknown_course_and_not_enrolled_store_nothing(database, course):
    good = {"course_id": "open-mooc", "kind": "connect"}
    with pytest.raises(NotFound), database.session() as session:
        record_activity(
            session,
            "ana",
            parse_events({"events": [good, {"course_id": "nope", "kind": "connect"}]}),
        )
    with (
        pytest.raises(Forbidden, match="bo is not enrolled in open-mooc"),
        database.session() as session,
    ):
        record_activity(session, "bo", parse_events({"events": [good]}))
    with database.session() as session:
        assert session.scalars(select(ActivityEvent)).all() == []


def test_my_notebooks_sum_my_own_activity_per_notebook(database, course):
    with database.session() as session:
        rules.enrol(session, "open-mooc", rules.Learner("bo"))
    lesson, exercise = "open-mooc/lessons/lesson1.ipynb", "open-mooc/ex1/ex1.ipynb"

    def batch(*events):
        return parse_events({"events": [{"course_id": "open-mooc", **e} for e in events]})

    with database.session() as session:
        record_activity(
            session,
            "ana",
            batch(
                {"kind": "connect"},
                {"kind": "open", "notebook": lesson},
                {"kind": "active", "notebook": lesson, "seconds": 60},
                {"kind": "active", "notebook": lesson, "seconds": 30},
                {"kind": "execute", "notebook": lesson, "count": 4},
            ),
        )
        record_activity(session, "bo", batch({"kind": "open", "notebook": exercise}))
    with database.session(readonly=True) as session:
        ana = my_notebooks(session, "ana", "open-mooc")
        bo = my_notebooks(session, "bo", "open-mooc")
        cy = my_notebooks(session, "cy", "open-mooc")
        with pytest.raises(NotFound):
            my_notebooks(session, "ana", "no-such-course")
    # the connection (no notebook) is not a notebook; bo's work is not ana's
    assert [(n["notebook"], n["seconds"], n["executions"]) for n in ana] == [(lesson, 90, 4)]
    assert datetime.fromisoformat(ana[0]["first_at"]) <= datetime.fromisoformat(ana[0]["last_at"])
    assert [n["notebook"] for n in bo] == [exercise] and cy == []


def test_a_lesson_goes_from_not_started_to_in_progress_to_done(database, course):
    """Opened: in progress; a minute of work in it, or a cell run: done (the panel counts
    done lessons in the course's completion, so 100% never sits beside a lesson not started)."""
    lesson = "open-mooc/lessons/lesson1.ipynb"

    def status():
        with database.session(readonly=True) as session:
            (only,) = my_lessons(session, "ana", "open-mooc")
        assert only["file"] == "lessons/lesson1.ipynb" and only["module"] == "week1"
        return only["status"]

    def record(**event):
        with database.session() as session:
            record_activity(
                session,
                "ana",
                parse_events({"events": [{"course_id": "open-mooc", "notebook": lesson, **event}]}),
            )

    assert status() == "not started"
    record(kind="open")
    assert status() == "in progress"
    record(kind="active", seconds=LESSON_DONE_SECONDS - 15)
    assert status() == "in progress"
    record(kind="active", seconds=15)
    assert status() == "done"
    # a cell run is enough
    with database.session() as session:
        rules.enrol(session, "open-mooc", rules.Learner("bo"))
        record_activity(
            session,
            "bo",
            parse_events(
                {
                    "events": [
                        {
                            "course_id": "open-mooc",
                            "notebook": lesson,
                            "kind": "execute",
                            "count": 1,
                        }
                    ]
                }
            ),
        )
    with database.session(readonly=True) as session:
        assert my_lessons(session, "bo", "open-mooc")[0]["status"] == "done"
