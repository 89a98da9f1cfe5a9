"""Live-session reminders: a notification shortly before each live session to the learners it
is for (the discussion package's rule: the course's, or its cohort's), once per learner and
session, also with two replicas running the pass (the deadline reminders' table and its unique
constraint: the session is the item, the lead time the offset)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import readable, utcnow
from nbcampus.school.discussion.api import sessions_starting
from nbcampus.school.notifications.inbox import notify_many
from nbcampus.school.notifications.models import SESSION_STARTING
from nbcampus.school.notifications.reminders import record_new

DEFAULT_LEAD = timedelta(minutes=30)


def session_item(session_id: int) -> str:
    """How a live session is named among the reminders' items."""
    return f"live-session-{session_id}"


def remind_sessions(
    session: Session, lead: timedelta = DEFAULT_LEAD, now: datetime | None = None
) -> int:
    """Tell the learners of every live session starting within ``lead``; how many were told."""
    now = now or utcnow()
    minutes = int(lead.total_seconds() // 60)
    if minutes <= 0:
        return 0
    told = 0
    for live in sessions_starting(session, now, now + lead):
        if not live.learners:
            continue
        item = session_item(live.id)
        rows = [
            {
                "course_id": live.course_id,
                "username": username,
                "item_id": item,
                "offset_minutes": minutes,
                "due_at": live.starts_at,
                "created_at": now,
                "notified": True,
            }
            for username in live.learners
        ]
        inserted = {u for u, _, _ in record_new(session, rows)}  # another replica may have
        course = get_course(session, live.course_id)
        left = max(1, round((live.starts_at - now).total_seconds() / 60))
        messages = [
            (
                username,
                f"{live.title} starts in {left} min",
                f"Live session of {course.title} at {readable(live.starts_at)}. "
                f"Join: {live.meeting_url}",
                f"courses/{live.course_id}/",
            )
            for username in live.learners
            if username in inserted
        ]
        told += notify_many(session, SESSION_STARTING, live.course_id, messages)
    return told
