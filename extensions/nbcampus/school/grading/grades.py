"""Reading grades: what counts for a learner is the grade of their latest graded submission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.grading.views import grade_view


def current_grades(
    session: Session, course_id: str, usernames: Iterable[str] | None = None
) -> dict[str, dict[str, Grade]]:
    """``{username: {assignment_id: Grade}}``: per learner and assignment, the grade of the latest
    attempt that has one in state ``graded`` (grades under review do not count yet)."""
    query = (
        select(Grade, Submission.attempt)
        .join(Submission, Submission.id == Grade.submission_id)
        .where(Grade.course_id == course_id, Grade.state == "graded")
        .order_by(Submission.attempt)
    )
    if usernames is not None:
        query = query.where(Grade.username.in_(list(usernames)))
    result: dict[str, dict[str, Grade]] = {}
    for grade, _attempt in session.execute(query):
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
    rows = []
    for sub, grade in session.execute(query.order_by(Submission.received_at)):
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
        elif grade is not None:
            row["state"] = "graded, feedback not released" if grade.state == "graded" else "pending"
        rows.append(row)
    return rows
