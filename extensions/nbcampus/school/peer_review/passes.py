"""What happens without anyone asking: a graded submission joins the review pool and gets the
peer grade it may already have (the grader's grade arriving after the reviews), a subscriber
of ``GradeRecorded``; flexible grades are written once their wait is over (a periodic pass the
service runs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import active_courses, get_course
from nbcampus.school.core.api import EventBus, GradeRecorded, NotFound, utcnow
from nbcampus.school.peer_review import grade
from nbcampus.school.peer_review.allocation import own_entry, sync_pool
from nbcampus.school.peer_review.rubric import peer_items


def on_grade(session: Session, event: GradeRecorded) -> None:
    """A peer-reviewed assignment's submission was graded: it joins the pool (it is shown as
    the grader executed it), and its peer grade, if the learner may see one already, goes into
    that grade (the grader leaves the manual parts empty)."""
    try:
        course = get_course(session, event.course_id)
    except NotFound:
        return
    items = {s.item: s for s in peer_items(course.data)}
    settings = items.get(event.assignment_id)
    if settings is None:
        return
    entry = own_entry(session, event.course_id, settings.item, event.username)
    if entry is None or entry.submission_id != event.submission_id:
        sync_pool(session, event.course_id, settings.item, force=True)
        entry = own_entry(session, event.course_id, settings.item, event.username)
    elif grade.written(session, entry):
        return  # the peer grade's own write, announced again
    if entry is not None and entry.submission_id == event.submission_id:
        grade.record(session, settings, entry, utcnow())


def record_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Write the peer grades that became due by waiting (flexible grading) in every active
    course, at most ``limit`` of them; how many were written."""
    written = 0
    for course in active_courses(session):
        for settings in peer_items(course.data):
            if written >= limit:
                return written
            for entry in grade.due_entries(session, course.id, settings, now, limit - written):
                grade.record(session, settings, entry, now)
                # one whose submission is not graded yet stays due (the subscriber writes it)
                written += entry.recorded_score is not None
    return written


def subscribe(bus: EventBus) -> None:
    """Entry point ``nbcampus.subscribers:peer_review``."""
    bus.subscribe(GradeRecorded, on_grade)
