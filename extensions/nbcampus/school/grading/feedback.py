"""Feedback: the grader's reports wait on the service side until they are released to learners.

Written once: the grader releases at once when the course's policy is ``immediate``; staff
release the rest (``on_release``, the SPOC default) with :func:`release_assignment`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import FeedbackReleased, publish, utcnow
from nbcampus.school.exchange.api import (
    Submission,
    add_feedback,
    current_pending_feedback,
    list_submissions,
    new_pending_version,
    pending_feedback_dir,
    store_files,
)
from nbcampus.school.grading.models import Grade

#: feedback is released as soon as a submission is graded, or when staff release it
IMMEDIATE, ON_RELEASE = "immediate", "on_release"


def feedback_policy(course_data: dict[str, Any]) -> str:
    """``immediate`` or ``on_release``: the course file's choice, else by format."""
    policy = course_data.get("grading", {}).get("feedback")
    if policy:
        return policy
    return ON_RELEASE if course_data.get("format") == "spoc" else IMMEDIATE


def keep_pending(
    exchange_dir: Path, submission_id: str, feedback: dict[str, bytes], graded: dict[str, bytes]
) -> Path:
    """Store the grader's feedback (HTML) and executed notebooks (``graded/``) as the current
    pending version of the submission's feedback; staff only."""
    staff_dir = pending_feedback_dir(exchange_dir, submission_id)
    relative = new_pending_version()
    files = dict(feedback)
    files.update({f"graded/{name}": data for name, data in graded.items()})
    store_files(staff_dir, relative, files)
    (staff_dir / "current").unlink(missing_ok=True)
    (staff_dir / "current").symlink_to(relative)
    return staff_dir / relative


def release(
    session: Session, exchange_dir: Path, submission: Submission, grade: Grade, *, actor: str
) -> bool:
    """Give the learner the pending feedback of a graded submission; False if there is none
    to give (not graded, or already released)."""
    if grade is None or grade.state != "graded" or grade.released_at is not None:
        return False
    folder = current_pending_feedback(exchange_dir, submission.id)
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".html"}
    add_feedback(session, exchange_dir, submission, files, actor=actor)
    grade.released_at = utcnow()
    publish(
        session,
        FeedbackReleased(
            submission.course_id,
            submission.username,
            submission_id=submission.id,
            assignment_id=submission.assignment_id,
        ),
    )
    return True


def release_assignment(
    session: Session, exchange_dir: Path, course_id: str, assignment_id: str, *, actor: str
) -> list[str]:
    """Release the feedback of every graded latest attempt of an assignment; who got it."""
    released = []
    for sub in list_submissions(session, course_id, assignment_id, latest=True):
        grade = session.scalar(select(Grade).where(Grade.submission_id == sub.id))
        if release(session, Path(exchange_dir), sub, grade, actor=actor):
            released.append(sub.username)
    return sorted(released)
