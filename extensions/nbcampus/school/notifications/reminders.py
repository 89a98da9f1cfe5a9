"""Deadline reminders: before each learner's own due date of each assignment and dated quiz
(the deadlines package's rule: extensions, then cohort overrides, then the course file), at
configurable offsets; none once the learner has submitted (a quiz: attempted), never twice for
one learner, item and offset.

A pass works a course at a time in bulk: the deadlines of all its learners from one query of
its overrides, the reminders given recorded with one INSERT that skips those already there (a
unique constraint: two replicas running the pass at once give each reminder once), the
notifications written together."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord, active_courses, dated_items
from nbcampus.school.core.api import readable, utcnow
from nbcampus.school.deadlines.api import resolve_course_deadlines
from nbcampus.school.enrolment.api import ENROLLED, course_enrolments
from nbcampus.school.exchange.api import Submission
from nbcampus.school.notifications.inbox import notify_many
from nbcampus.school.notifications.models import DEADLINE_REMINDER, Reminder
from nbcampus.school.quizzes.api import QuizAttempt

DEFAULT_OFFSETS = (timedelta(hours=48), timedelta(hours=6))
CHUNK = 2000


def _dated(course: CourseRecord) -> dict[str, str]:
    """The course's dated items (assignments, and quizzes with a due date): id -> title."""
    return {
        item_id: item.get("title", item_id) for item_id, item in dated_items(course.data).items()
    }


def _done(session: Session, course_id: str) -> set[tuple[str, str]]:
    """(learner, item) of every assignment submitted and every quiz attempted in the course."""
    submitted = session.execute(
        select(Submission.username, Submission.assignment_id)
        .where(Submission.course_id == course_id)
        .distinct()
    ).all()
    attempted = session.execute(
        select(QuizAttempt.username, QuizAttempt.quiz_id)
        .where(QuizAttempt.course_id == course_id)
        .distinct()
    ).all()
    return {tuple(r) for r in submitted} | {tuple(r) for r in attempted}


def _in_words(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    return f"{hours} hours" if hours < 48 else f"{round(hours / 24)} days"


def insert_new(session: Session, model, key: tuple, rows: list[dict]) -> set[tuple]:
    """Insert the rows of ``model`` not there yet (its unique constraint decides, so two
    replicas never both insert one); the ``key`` columns of those this call inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).on_conflict_do_nothing().returning(*key)
    inserted: set[tuple] = set()
    for start in range(0, len(rows), CHUNK):
        result = session.execute(statement, rows[start : start + CHUNK])
        inserted |= {tuple(r) for r in result.all()}
    return inserted


def record_new(session: Session, rows: list[dict]) -> set[tuple[str, str, int]]:
    """Insert the reminder rows not there yet; the (username, item, offset) of those inserted."""
    key = (Reminder.username, Reminder.item_id, Reminder.offset_minutes)
    return insert_new(session, Reminder, key, rows)


def remind_course(
    session: Session, course: CourseRecord, offsets: tuple[timedelta, ...], now: datetime
) -> int:
    """Queue the reminders now due in one course; how many learners were reminded."""
    titles = _dated(course)
    if not titles or not offsets:
        return 0
    submitted = _done(session, course.id)
    given = set(
        session.execute(
            select(Reminder.username, Reminder.item_id, Reminder.offset_minutes).where(
                Reminder.course_id == course.id
            )
        ).all()
    )
    enrolments = course_enrolments(session, course.id, ENROLLED)
    deadlines = resolve_course_deadlines(session, course.data, enrolments)
    rows, nearest = [], {}
    for username, mine in deadlines.items():
        for item_id, title in titles.items():
            deadline = mine.get(item_id)
            if deadline is None or deadline.due_at <= now or (username, item_id) in submitted:
                continue
            # every offset whose time has come; only the nearest is told, the others recorded
            due = [o for o in offsets if deadline.due_at - o <= now]
            if not due:
                continue
            closest = int(min(due).total_seconds() // 60)
            if (username, item_id, closest) in given:
                continue
            nearest[(username, item_id, closest)] = (title, deadline.due_at)
            for offset in due:
                minutes = int(offset.total_seconds() // 60)
                if (username, item_id, minutes) not in given:
                    rows.append(
                        {
                            "course_id": course.id,
                            "username": username,
                            "item_id": item_id,
                            "offset_minutes": minutes,
                            "due_at": deadline.due_at,
                            "created_at": now,
                            "notified": minutes == closest,
                        }
                    )
    if not rows:
        return 0
    inserted = record_new(session, rows)  # another replica's pass may have given some
    messages = [
        (
            username,
            f"{title} is due in {_in_words(due_at - now)}",
            f"Your deadline for {title} in {course.title}: {readable(due_at)}.",
            "",
        )
        for (username, item_id, minutes), (title, due_at) in sorted(nearest.items())
        if (username, item_id, minutes) in inserted
    ]
    notify_many(session, DEADLINE_REMINDER, course.id, messages)
    return len(messages)


def remind(
    session: Session, offsets: tuple[timedelta, ...] = DEFAULT_OFFSETS, now: datetime | None = None
) -> int:
    """The reminder pass over every published course; how many reminders were queued."""
    now = now or utcnow()
    return sum(remind_course(session, c, tuple(offsets), now) for c in active_courses(session))
