"""Reading grades: what counts for a learner is the grade of their latest graded submission."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.models import Grade


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
