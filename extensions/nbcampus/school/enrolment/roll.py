"""Who is enrolled where: seats taken, a learner's courses, a course's learners.

The one place that counts seats and says whether someone is enrolled; admission and the
catalog, the exchange and certificates all ask here.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.enrolment.models import ENROLLED, UNENROLLED, Enrolment


def seats_taken(session: Session, course_id: str) -> int:
    """Enrolled learners of the course (waitlisted and unenrolled ones hold no seat)."""
    return seats_taken_by_course(session, [course_id]).get(course_id, 0)


def seats_taken_by_course(session: Session, course_ids: list[str] | None = None) -> dict[str, int]:
    """``{course id: seats taken}`` of every course (or only ``course_ids``)."""
    query = select(Enrolment.course_id, func.count()).where(Enrolment.status == ENROLLED)
    if course_ids is not None:
        query = query.where(Enrolment.course_id.in_(course_ids))
    return dict(session.execute(query.group_by(Enrolment.course_id)).all())


def active_enrolment(session: Session, course_id: str, username: str) -> Enrolment | None:
    """The learner's enrolment in the course if it is active (status ``enrolled``)."""
    return session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course_id,
            Enrolment.username == username,
            Enrolment.status == ENROLLED,
        )
    )


def is_enrolled(session: Session, course_id: str, username: str) -> bool:
    """Whether the learner is enrolled (and active) in the course."""
    return active_enrolment(session, course_id, username) is not None


def statuses_of(
    session: Session, username: str, *, include_unenrolled: bool = True
) -> dict[str, str]:
    """``{course id: enrolment status}`` of one person."""
    query = select(Enrolment.course_id, Enrolment.status).where(Enrolment.username == username)
    if not include_unenrolled:
        query = query.where(Enrolment.status != UNENROLLED)
    return dict(session.execute(query).all())


def enrolments_of(session: Session, username: str) -> list[Enrolment]:
    """One person's enrolments that are not ended (enrolled or waitlisted), cohorts loaded, in
    the courses the school still offers (a course withdrawn from the catalog keeps its
    enrolments, but they are nobody's current courses)."""
    return list(
        session.scalars(
            select(Enrolment)
            .join(CourseRecord, CourseRecord.id == Enrolment.course_id)
            .options(selectinload(Enrolment.cohort))
            .where(
                Enrolment.username == username,
                Enrolment.status != UNENROLLED,
                CourseRecord.active,
            )
            .order_by(Enrolment.id)
        )
    )


def course_enrolments(
    session: Session, course_id: str, status: str | None = None
) -> list[Enrolment]:
    """The course's enrolments (only those of ``status`` when given), cohorts loaded."""
    query = (
        select(Enrolment)
        .options(selectinload(Enrolment.cohort))
        .where(Enrolment.course_id == course_id)
    )
    if status:
        query = query.where(Enrolment.status == status)
    return list(session.scalars(query.order_by(Enrolment.id)))
