"""Notifications react to the school's events: each fact becomes a notification for the
learners it concerns. A subscriber never breaks the publisher: it runs in a savepoint and logs
its failures, so the grade, post or certificate is kept."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.certificates.api import BADGE, Certificate
from nbcampus.school.core.api import (
    AnnouncementMade,
    CertificateIssued,
    DeadlineExtended,
    EventBus,
    FeedbackReleased,
    GradeRecorded,
    PostCreated,
    readable,
)
from nbcampus.school.discussion.api import announcement_audience, post_audience
from nbcampus.school.grading.api import Grade
from nbcampus.school.notifications.inbox import notify
from nbcampus.school.notifications.models import (
    ANNOUNCEMENT,
    CERTIFICATE_ISSUED,
    DEADLINE_EXTENDED,
    FEEDBACK_RELEASED,
    GRADE_CHANGED,
    MENTION,
    PRIVATE_ANSWER,
    REPLY,
)

log = logging.getLogger("nbcampus.notifications")


def safely(fn: Callable[[Session, object], None]) -> Callable[[Session, object], None]:
    @functools.wraps(fn)
    def run(session: Session, event) -> None:
        try:
            with session.begin_nested():
                fn(session, event)
        except Exception:
            log.exception("notifying %s failed; the %s is kept", event, type(event).__name__)

    return run


def _course_title(session: Session, course_id: str) -> str:
    course = session.get(CourseRecord, course_id)
    return course.title if course is not None else course_id


def _score(grade: Grade) -> str:
    return f"{grade.score:g} of {grade.max_score:g} points"


@safely
def on_feedback_released(session: Session, event: FeedbackReleased) -> None:
    grade = session.scalar(select(Grade).where(Grade.submission_id == event.submission_id))
    score = f" Your grade: {_score(grade)}." if grade is not None else ""
    notify(
        session,
        event.username,
        FEEDBACK_RELEASED,
        event.course_id,
        f"Feedback on {event.assignment_id} is ready",
        f"Your feedback on {event.assignment_id} in {_course_title(session, event.course_id)} "
        f"is released.{score} Fetch it from the Courses panel.",
        "",
    )


@safely
def on_grade_recorded(session: Session, event: GradeRecorded) -> None:
    # a grade the learner has not been shown yet is news only when its feedback is released
    grade = session.scalar(select(Grade).where(Grade.submission_id == event.submission_id))
    if grade is None or grade.released_at is None:
        return
    notify(
        session,
        event.username,
        GRADE_CHANGED,
        event.course_id,
        f"Your grade on {event.assignment_id} changed",
        f"Your grade on {event.assignment_id} in {_course_title(session, event.course_id)} "
        f"is now {_score(grade)}.",
        "",
    )


@safely
def on_certificate_issued(session: Session, event: CertificateIssued) -> None:
    course = _course_title(session, event.course_id)
    cert = session.get(Certificate, event.certificate_id)
    title = f"Your certificate of {course}"
    body = "Congratulations: your certificate is issued. Download it from the Courses panel."
    if cert is not None and cert.module_id:
        what = "badge" if cert.award == BADGE else "module certificate"
        title = f"Your {what} for {cert.module_title} of {course}"
        body = f"Congratulations: you completed {cert.module_title}; your {what} is issued."
    notify(
        session,
        event.username,
        CERTIFICATE_ISSUED,
        event.course_id,
        title,
        body,
        f"verify/{event.certificate_id}",
    )


@safely
def on_deadline_extended(session: Session, event: DeadlineExtended) -> None:
    notify(
        session,
        event.username,
        DEADLINE_EXTENDED,
        event.course_id,
        f"New deadline for {event.item_id}",
        f"Your deadline for {event.item_id} in {_course_title(session, event.course_id)} "
        f"is now {readable(event.due_at)}.",
        "",
    )


@safely
def on_post_created(session: Session, event: PostCreated) -> None:
    audience = post_audience(session, event.post_id)
    if audience is None:
        return
    link = f"courses/{audience.course_id}/discussion/{audience.thread_id}"
    title = audience.thread_title
    for username in audience.mentioned:
        notify(
            session,
            username,
            MENTION,
            audience.course_id,
            f"{audience.author} mentioned you in “{title}”",
            audience.body,
            link,
        )
    for username in audience.followers:
        answered = username == audience.private_asker and audience.author_is_staff
        notify(
            session,
            username,
            PRIVATE_ANSWER if answered else REPLY,
            audience.course_id,
            f"{audience.author} answered your private question “{title}”"
            if answered
            else f"{audience.author} replied in “{title}”",
            audience.body,
            link,
        )


@safely
def on_announcement(session: Session, event: AnnouncementMade) -> None:
    audience = announcement_audience(session, event.announcement_id)
    if audience is None:
        return
    for username in audience.learners:
        if username != event.username:
            notify(
                session,
                username,
                ANNOUNCEMENT,
                audience.course_id,
                audience.title,
                audience.body,
                f"courses/{audience.course_id}/discussion",
            )


def subscribe(bus: EventBus) -> None:
    """Entry point ``nbcampus.subscribers:notifications``."""
    bus.subscribe(FeedbackReleased, on_feedback_released)
    bus.subscribe(GradeRecorded, on_grade_recorded)
    bus.subscribe(CertificateIssued, on_certificate_issued)
    bus.subscribe(DeadlineExtended, on_deadline_extended)
    bus.subscribe(PostCreated, on_post_created)
    bus.subscribe(AnnouncementMade, on_announcement)
