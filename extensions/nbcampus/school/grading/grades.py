"""Reading grades: what counts for a learner is the grade of their best graded submission of
each assignment, or of their latest when the course file says so (``counted_attempt``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from nbcampus.school.catalog.api import get_course
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.grading.views import grade_view

#: which graded attempt of an assignment counts: the best (default, as for quizzes) or the latest
BEST, LATEST = "best", "latest"


def counted_attempt(course_data: dict[str, Any]) -> str:
    """``best`` or ``latest``: the course file's ``grading.counted_attempt``, default best."""
    return course_data.get("grading", {}).get("counted_attempt") or BEST


def counted_order(course_data: dict[str, Any]) -> tuple[ColumnElement, ...]:
    """THE rule choosing a learner's current grade of an assignment, as an ORDER BY over their
    graded attempts (Grade joined to Submission): the counted one comes first. Best: the
    highest fraction of the maximum, the later attempt on a tie; latest: the last attempt."""
    later = Submission.attempt.desc()
    if counted_attempt(course_data) == LATEST:
        return (later,)
    fraction = case((Grade.max_score > 0, Grade.score * 1.0 / Grade.max_score), else_=0.0)
    return (fraction.desc(), later)


def current_grades(
    session: Session,
    course_id: str,
    usernames: Iterable[str] | None = None,
    course_data: dict[str, Any] | None = None,
) -> dict[str, dict[str, Grade]]:
    """``{username: {assignment_id: Grade}}``: per learner and assignment, the counted grade
    (:func:`counted_order`) among the attempts graded (grades under review do not count yet)."""
    if course_data is None:
        course_data = get_course(session, course_id).data
    rank = (
        func.row_number()
        .over(
            partition_by=(Grade.username, Grade.assignment_id), order_by=counted_order(course_data)
        )
        .label("rank")
    )
    ranked = (
        select(Grade.submission_id, rank)
        .join(Submission, Submission.id == Grade.submission_id)
        .where(Grade.course_id == course_id, Grade.state == "graded")
    )
    if usernames is not None:
        ranked = ranked.where(Grade.username.in_(list(usernames)))
    ranked = ranked.subquery("ranked")
    query = select(Grade).join(ranked, ranked.c.submission_id == Grade.submission_id)
    result: dict[str, dict[str, Grade]] = {}
    for grade in session.scalars(query.where(ranked.c.rank == 1)):
        result.setdefault(grade.username, {})[grade.assignment_id] = grade
    return result


def failed_submissions(session: Session, course_id: str, assignment_id: str) -> set[str]:
    """Submissions of the assignment whose grading failed or waits for review."""
    under_review = select(Grade.submission_id).where(
        Grade.course_id == course_id,
        Grade.assignment_id == assignment_id,
        Grade.state == "review",
    )
    failed = select(GradingJob.submission_id).where(
        GradingJob.course_id == course_id,
        GradingJob.assignment_id == assignment_id,
        GradingJob.state == "failed",
    )
    return set(session.scalars(under_review)) | set(session.scalars(failed))


def my_grades(
    session: Session, username: str, course_id: str | None = None
) -> list[dict[str, Any]]:
    """A learner's submissions with their grade where its feedback is released; the others say
    only whether they are pending (graded grades wait for the release)."""
    query = (
        select(Submission, Grade)
        .outerjoin(Grade, Grade.submission_id == Submission.id)
        .where(Submission.username == username)
    )
    if course_id:
        query = query.where(Submission.course_id == course_id)
    found = list(session.execute(query.order_by(Submission.received_at)))
    counted = {
        g.submission_id
        for course in {sub.course_id for sub, _ in found}
        for g in current_grades(session, course, [username]).get(username, {}).values()
    }
    rows = []
    for sub, grade in found:
        row = {
            "course_id": sub.course_id,
            "assignment_id": sub.assignment_id,
            "submission_id": sub.id,
            "attempt": sub.attempt,
            "received_at": sub.received_at.isoformat(),
            "late": {"stage": sub.late_stage, "credit_percent": sub.credit_percent},
            "state": "pending",
            "feedback_available": False,
        }
        if grade is not None and grade.released_at is not None:
            row.update(grade_view(grade, staff=False))
            row["feedback_available"] = True
            # the grade that counts for the course (best or latest attempt, the course's rule)
            row["counted"] = grade.submission_id in counted
        elif grade is not None:
            row["state"] = "graded, feedback not released" if grade.state == "graded" else "pending"
        rows.append(row)
    return rows
