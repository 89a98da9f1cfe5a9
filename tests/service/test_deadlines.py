"""Deadline resolution: extension > cohort override > course default (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.models import Cohort
from nbcampus.school.core.errors import CampusError, NotFound
from nbcampus.school.deadlines.schedule import grant_override, resolve_deadlines
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.publishing.catalog import publish_course


def setup(database, folder, *usernames):
    with database.session() as session:
        course = load_course(folder)
        publish_course(session, course)
    for name in usernames:
        with database.session() as session:
            rules.enrol(session, course.id, rules.Learner(name))
    return course


def deadlines(database, course, username):
    with database.session() as session:
        e = session.scalar(select(Enrolment).where(Enrolment.username == username))
        return resolve_deadlines(session, course.data, e)


def test_self_paced_due_dates_count_from_each_learners_start(database, make_course):
    course = setup(database, make_course("paced"), "ana")
    d = deadlines(database, course, "ana")
    with database.session() as session:
        start = session.scalar(select(Enrolment.personal_start))
    assert set(d) == {"ex1", "week1-quiz"}
    assert d["ex1"].due_at == start + timedelta(days=7)
    assert d["ex1"].source == "course"
    assert d["ex1"].due_at.tzinfo is not None


def test_cohort_due_dates_count_from_the_run_start(database, make_course):
    today = datetime.now(UTC).date()
    runs = [
        {
            "id": "spring",
            "start": str(today - timedelta(days=2)),
            "end": str(today + timedelta(days=30)),
        }
    ]
    course = setup(database, make_course("dated", pacing={"mode": "cohort", "runs": runs}), "ana")
    start = datetime.combine(today - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    assert deadlines(database, course, "ana")["ex1"].due_at == start + timedelta(days=7)


def test_extension_beats_cohort_override_beats_default(database, make_course):
    course = setup(database, make_course("over"), "ana", "bo")
    cohort_due = datetime(2030, 1, 10, 12, tzinfo=UTC)
    ana_due = datetime(2030, 1, 20, 12, tzinfo=UTC)
    with database.session() as session:
        cohort_id = session.scalar(select(Cohort.id))
        grant_override(
            session,
            course.data,
            "ex1",
            cohort_due,
            granted_by="teacher",
            reason="holiday week",
            cohort_id=cohort_id,
        )
        grant_override(
            session,
            course.data,
            "ex1",
            ana_due,
            granted_by="teacher",
            reason="medical note",
            username="ana",
        )
    ana, bo = deadlines(database, course, "ana"), deadlines(database, course, "bo")
    assert (ana["ex1"].due_at, ana["ex1"].source, ana["ex1"].granted_by, ana["ex1"].reason) == (
        ana_due,
        "extension",
        "teacher",
        "medical note",
    )
    assert (bo["ex1"].due_at, bo["ex1"].source, bo["ex1"].reason) == (
        cohort_due,
        "cohort",
        "holiday week",
    )
    assert bo["week1-quiz"].source == "course"  # other items keep their default


def test_a_later_extension_replaces_an_earlier_one(database, make_course):
    course = setup(database, make_course("twice"), "ana")
    with database.session() as session:
        grant_override(
            session,
            course.data,
            "ex1",
            datetime(2030, 1, 1, tzinfo=UTC),
            granted_by="t",
            reason="one",
            username="ana",
        )
    with database.session() as session:
        grant_override(
            session,
            course.data,
            "ex1",
            datetime(2030, 2, 1, tzinfo=UTC),
            granted_by="t",
            reason="two",
            username="ana",
        )
    assert deadlines(database, course, "ana")["ex1"].due_at == datetime(2030, 2, 1, tzinfo=UTC)


def test_overrides_refuse_bad_input(database, make_course):
    course = setup(database, make_course("strict"), "ana")
    when = datetime(2030, 1, 1, tzinfo=UTC)
    with database.session() as session:
        with pytest.raises(NotFound, match="no dated assignment or quiz 'nope'"):
            grant_override(
                session, course.data, "nope", when, granted_by="t", reason="r", username="ana"
            )
        with pytest.raises(CampusError, match="say why"):
            grant_override(
                session, course.data, "ex1", when, granted_by="t", reason="  ", username="ana"
            )
        with pytest.raises(CampusError, match="time zone"):
            grant_override(
                session,
                course.data,
                "ex1",
                datetime(2030, 1, 1),
                granted_by="t",
                reason="r",
                username="ana",
            )
        with pytest.raises(CampusError, match="either a learner or a cohort"):
            grant_override(session, course.data, "ex1", when, granted_by="t", reason="r")


def test_a_courses_deadlines_at_once_are_each_learners_own(database, make_course):
    from nbcampus.school.deadlines.schedule import resolve_course_deadlines

    course = setup(database, make_course("many"), "ana", "bo", "cy")
    with database.session() as session:
        cohort_id = session.scalar(select(Cohort.id))
        grant_override(
            session,
            course.data,
            "ex1",
            datetime(2030, 1, 10, tzinfo=UTC),
            granted_by="t",
            reason="cohort",
            cohort_id=cohort_id,
        )
        grant_override(
            session,
            course.data,
            "ex1",
            datetime(2030, 1, 20, tzinfo=UTC),
            granted_by="t",
            reason="ill",
            username="ana",
        )
        grant_override(
            session,
            course.data,
            "ex1",
            datetime(2030, 1, 25, tzinfo=UTC),
            granted_by="t",
            reason="ill again",
            username="ana",
        )
        enrolments = list(session.scalars(select(Enrolment).order_by(Enrolment.username)))
        together = resolve_course_deadlines(session, course.data, enrolments)
        for e in enrolments:
            assert together[e.username] == resolve_deadlines(session, course.data, e)
    assert together["ana"]["ex1"].reason == "ill again"
    assert together["bo"]["ex1"].source == "cohort"
