"""Who takes part in a course's peer review: its enrolled learners review and are reviewed;
its graders (grade scope: TAs, instructors, admins) see the queue and override."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord, get_course
from nbcampus.school.core.api import Forbidden, Permissions
from nbcampus.school.enrolment.api import Enrolment, find_enrolment
from nbcampus.school.peer_review.rubric import PeerSettings, peer_settings


def learner(
    session: Session, permissions: Permissions, course_id: str
) -> tuple[CourseRecord, Enrolment]:
    """The course and the caller's active enrolment in it; Forbidden (403) for anyone else."""
    course = get_course(session, course_id)
    return course, find_enrolment(session, course_id, permissions.username, active=True)


def grader(
    session: Session, permissions: Permissions, course_id: str, item: str
) -> tuple[CourseRecord, PeerSettings]:
    """The course and the item's peer review, for staff who grade the course (else 403)."""
    if not permissions.can("grade", course_id):
        raise Forbidden(f"you may not grade in course {course_id!r}")
    course = get_course(session, course_id)
    return course, peer_settings(course.data, item)
