"""Courses and their runs as the school knows them: look one up, name the self-paced run."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nbcampus.school.catalog.models import CourseRecord
from nbcampus.school.core.api import NotFound

#: the one open cohort of a self-paced course
SELF_PACED = "self-paced"


def get_course(session: Session, course_id: str, lock: bool = False) -> CourseRecord:
    """The active course ``course_id`` (row-locked with ``lock``), or NotFound."""
    course = session.get(CourseRecord, course_id, with_for_update=lock or None)
    if course is None or not course.active:
        raise NotFound(f"no course {course_id!r}")
    return course
