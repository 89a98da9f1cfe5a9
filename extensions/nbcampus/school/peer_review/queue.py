"""The staff's side: submissions still short of reviews (so nobody waits forever), reviews
learners flagged as unfair, and overrides of a peer grade with a reason (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, NotFound, Permissions, audit
from nbcampus.school.exchange.api import Submission, is_latest_attempt
from nbcampus.school.peer_review import grade
from nbcampus.school.peer_review.allocation import own_entry, sync_pool
from nbcampus.school.peer_review.members import grader
from nbcampus.school.peer_review.models import PeerReview, PeerSubmission
from nbcampus.school.peer_review.reviewing import reviewers

#: at most this many rows per list of the queue
QUEUE_LIMIT = 500


def staff_queue(
    session: Session, permissions: Permissions, course_id: str, item: str, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """``short``: each learner's latest submission with fewer peer reviews than wanted and no
    override, oldest first, with its age; ``flagged``: flagged reviews, oldest flag first;
    ``reviewers``: who reviewed, how many, their reviewing score (informational)."""
    _, settings = grader(session, permissions, course_id, item)
    rows = session.execute(
        select(Submission.id, Submission.username, Submission.received_at, PeerSubmission)
        .outerjoin(
            PeerSubmission,
            and_(
                PeerSubmission.course_id == Submission.course_id,
                PeerSubmission.assignment_id == Submission.assignment_id,
                PeerSubmission.username == Submission.username,
            ),
        )
        .where(
            Submission.course_id == course_id,
            Submission.assignment_id == item,
            is_latest_attempt(),
        )
        .order_by(Submission.received_at, Submission.id)
    ).all()
    short = []
    for submission_id, username, received_at, entry in rows:
        reviews = entry.reviews if entry is not None else 0
        if reviews >= settings.reviews_wanted or (entry and entry.override_score is not None):
            continue
        waiting_since = entry.submitted_at if entry is not None else received_at
        short.append(
            {
                "submission_id": submission_id,
                "username": username,
                "reviews": reviews,
                "wanted": settings.reviews_wanted,
                "age_seconds": int((now - waiting_since).total_seconds()),
            }
        )
    flagged = session.execute(
        select(PeerReview, PeerSubmission.username, PeerSubmission.submission_id)
        .join(PeerSubmission, PeerSubmission.id == PeerReview.peer_submission_id)
        .where(
            PeerReview.course_id == course_id,
            PeerReview.assignment_id == item,
            PeerReview.flagged_at.is_not(None),
        )
        .order_by(PeerReview.flagged_at, PeerReview.id)
        .limit(QUEUE_LIMIT)
    ).all()
    return {
        "short": short[:QUEUE_LIMIT],
        "flagged": [
            {
                "review_id": review.id,
                "submission_id": submission_id,
                "username": author,
                "reviewer": review.reviewer,
                "reason": review.flag_reason,
                "flagged_at": review.flagged_at.isoformat(),
                "levels": review.levels,
                "points": review.points,
                "comment": review.comment,
            }
            for review, author, submission_id in flagged
        ],
        "reviewers": reviewers(session, settings, course_id, QUEUE_LIMIT),
    }


def override(
    session: Session,
    permissions: Permissions,
    course_id: str,
    item: str,
    username: str,
    score: float,
    reason: str,
    now: datetime,
) -> dict[str, Any]:
    """Staff set a learner's peer grade (rubric points, 0 to the rubric's maximum) with a
    reason; audited, and recorded as the assignment's grade."""
    _, settings = grader(session, permissions, course_id, item)
    if not reason.strip():
        raise CampusError("say why the grade changes (reason)")
    if not 0 <= score <= settings.max_score:
        raise CampusError(f"score must be between 0 and {settings.max_score:g}")
    sync_pool(session, course_id, item, force=True)
    entry = own_entry(session, course_id, item, username)
    if entry is None:
        raise NotFound(f"{username} has no submission of {item!r} in course {course_id!r}")
    previous = entry.override_score
    entry.override_score, entry.override_by = float(score), permissions.username
    entry.override_reason = reason.strip()
    audit(
        session,
        permissions.username,
        "peer_review.override",
        course_id,
        username,
        reason.strip(),
        item=item,
        submission=entry.submission_id,
        **{"from": previous, "to": float(score)},
    )
    session.flush()
    grade.record(session, settings, entry, now)
    shown = grade.peer_grade(settings, entry, grade.peer_reviews(session, entry.id), now)
    return {"username": username, "item": item, "grade": shown}
