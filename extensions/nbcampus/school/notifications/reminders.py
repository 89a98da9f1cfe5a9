"""Deadline reminders: before each learner's own due date of each assignment (the deadlines
package's rule: extensions, then cohort overrides, then the course file), at configurable
offsets; none once the learner has submitted, never twice for one learner, item and offset."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord, active_courses
from nbcampus.school.core.api import readable, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment.api import ENROLLED, course_enrolments
from nbcampus.school.exchange.api import Submission
from nbcampus.school.notifications.inbox import notify
from nbcampus.school.notifications.models import DEADLINE_REMINDER, Reminder

log = logging.getLogger("nbcampus.notifications")

DEFAULT_OFFSETS = (timedelta(hours=48), timedelta(hours=6))


def _assignments(course: CourseRecord) -> dict[str, str]:
    """The course's assignments (submitted through the exchange): id -> title."""
    return {
        a["id"]: a.get("title", a["id"])
        for module in course.data.get("modules", [])
        for a in module.get("assignments", [])
    }


def _in_words(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    return f"{hours} hours" if hours < 48 else f"{round(hours / 24)} days"


def remind_course(
    session: Session, course: CourseRecord, offsets: tuple[timedelta, ...], now: datetime
) -> int:
    """Queue the reminders now due in one course; how many learners were reminded."""
    titles = _assignments(course)
    if not titles or not offsets:
        return 0
    submitted = set(
        session.execute(
            select(Submission.username, Submission.assignment_id)
            .where(Submission.course_id == course.id)
            .distinct()
        ).all()
    )
    given = {
        (r.username, r.item_id, r.offset_minutes)
        for r in session.scalars(select(Reminder).where(Reminder.course_id == course.id))
    }
    reminded = 0
    for enrolment in course_enrolments(session, course.id, ENROLLED):
        deadlines = resolve_deadlines(session, course.data, enrolment)
        for item_id, title in titles.items():
            deadline = deadlines.get(item_id)
            if deadline is None or deadline.due_at <= now:
                continue
            if (enrolment.username, item_id) in submitted:
                continue
            # every offset whose time has come; only the nearest is told, the others recorded
            due = [o for o in offsets if deadline.due_at - o <= now]
            minutes = {o: int(o.total_seconds() // 60) for o in due}
            if not due or (enrolment.username, item_id, minutes[min(due)]) in given:
                continue
            try:
                with session.begin_nested():
                    for offset in due:
                        if (enrolment.username, item_id, minutes[offset]) in given:
                            continue
                        session.add(
                            Reminder(
                                course_id=course.id,
                                username=enrolment.username,
                                item_id=item_id,
                                offset_minutes=minutes[offset],
                                due_at=deadline.due_at,
                                created_at=now,
                                notified=offset == min(due),
                            )
                        )
                    session.flush()
            except IntegrityError:  # another replica's pass gave it first
                continue
            notify(
                session,
                enrolment.username,
                DEADLINE_REMINDER,
                course.id,
                f"{title} is due in {_in_words(deadline.due_at - now)}",
                f"Your deadline for {title} in {course.title}: {readable(deadline.due_at)}.",
                "",
            )
            reminded += 1
    return reminded


def remind(
    session: Session, offsets: tuple[timedelta, ...] = DEFAULT_OFFSETS, now: datetime | None = None
) -> int:
    """The reminder pass over every published course; how many reminders were queued."""
    now = now or utcnow()
    return sum(remind_course(session, c, tuple(offsets), now) for c in active_courses(session))
