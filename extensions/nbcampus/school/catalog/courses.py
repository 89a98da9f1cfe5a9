"""Courses and their runs as the school knows them: look one up, name the self-paced run."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.models import Cohort, CourseRecord
from nbcampus.school.core.api import NotFound

#: the one open cohort of a self-paced course
SELF_PACED = "self-paced"


def get_course(session: Session, course_id: str, lock: bool = False) -> CourseRecord:
    """The active course ``course_id`` (row-locked with ``lock``), or NotFound."""
    course = session.get(CourseRecord, course_id, with_for_update=lock or None)
    if course is None or not course.active:
        raise NotFound(f"no course {course_id!r}")
    return course


def active_courses(session: Session) -> list[CourseRecord]:
    """Every published course, by id."""
    return list(
        session.scalars(select(CourseRecord).where(CourseRecord.active).order_by(CourseRecord.id))
    )


def find_cohort(session: Session, course_id: str, name: str) -> Cohort:
    """The course's cohort named ``name``, or NotFound."""
    cohort = session.scalar(
        select(Cohort).where(Cohort.course_id == course_id, Cohort.name == name)
    )
    if cohort is None:
        raise NotFound(f"{course_id} has no cohort {name!r}")
    return cohort
