"""Giving a review (of a reserved submission, or of one's own work as a self-assessment) and
flagging an unfair one to staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from nbcampus.school.core.api import CampusError, Conflict, Forbidden, NotFound, Permissions, audit
from nbcampus.school.peer_review import grade
from nbcampus.school.peer_review.allocation import own_entry, sync_pool
from nbcampus.school.peer_review.members import learner
from nbcampus.school.peer_review.models import (
    PEER,
    SELF,
    PeerAllocation,
    PeerReview,
    PeerSubmission,
)
from nbcampus.school.peer_review.rubric import Assessment, assess, peer_settings


class Gone(CampusError):
    """The reservation expired: the work went back to the pool."""

    status = 410


def _review(entry: PeerSubmission, reviewer: str, kind: str, content: Assessment) -> PeerReview:
    return PeerReview(
        peer_submission_id=entry.id,
        course_id=entry.course_id,
        assignment_id=entry.assignment_id,
        reviewer=reviewer,
        kind=kind,
        levels=content.levels,
        points=content.points,
        comments=content.comments,
        comment=content.comment,
        comment_html=content.comment_html,
    )


def give_review(
    session, permissions: Permissions, allocation_id: int, body: dict, now: datetime
) -> dict:
    """Review the submission one holds: ``{"review_id", "reviews_given"}``. 404 for an unknown
    reservation, 403 for another's, 409 when already given, 410 once expired."""
    query = select(PeerAllocation).where(PeerAllocation.id == allocation_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    allocation = session.scalar(query)
    if allocation is None:
        raise NotFound(f"no reservation {allocation_id} (it may have expired and been released)")
    if allocation.reviewer != permissions.username:
        raise Forbidden(f"reservation {allocation_id} is not yours")
    course, _ = learner(session, permissions, allocation.course_id)
    settings = peer_settings(course.data, allocation.assignment_id)
    if allocation.done_at is not None:
        raise Conflict(f"you already reviewed the work of reservation {allocation_id}")
    if allocation.expires_at <= now:
        raise Gone(
            f"reservation {allocation_id} expired at {allocation.expires_at.isoformat()}; "
            "ask for another submission to review"
        )
    content = assess(settings, body["levels"], body.get("comments"), body.get("comment"))
    entry = session.get(PeerSubmission, allocation.peer_submission_id)
    review = _review(entry, permissions.username, PEER, content)
    review.allocation_id, review.created_at = allocation.id, now
    session.add(review)
    allocation.done_at = now
    entry.reviews += 1
    session.flush()
    # the author's grade may now exist, and the reviewer's may now be theirs to see (it is
    # hidden until they gave their reviews: only this review can be the one that shows it)
    grade.record(session, settings, entry, now)
    given = grade.reviews_given(session, entry.course_id, settings.item, permissions.username)
    if given == settings.reviews_required:
        mine = own_entry(session, entry.course_id, settings.item, permissions.username)
        if mine is not None:
            grade.record(session, settings, mine, now)
    return {"review_id": review.id, "reviews_given": given}


def self_assess(
    session, permissions: Permissions, course_id: str, item: str, body: dict, now: datetime
) -> dict:
    """Assess one's own submission against the rubric, once (when the course asks for it); it
    does not count in the grade."""
    course, _ = learner(session, permissions, course_id)
    settings = peer_settings(course.data, item)
    if not settings.self_assessment:
        raise Forbidden(f"{item!r} has no self-assessment")
    sync_pool(session, course_id, item, force=True)
    entry = own_entry(session, course_id, item, permissions.username)
    if entry is None:
        raise Forbidden(f"submit your work for {item!r} before assessing it")
    done = session.scalar(
        select(PeerReview.id).where(
            PeerReview.peer_submission_id == entry.id, PeerReview.kind == SELF
        )
    )
    if done is not None:
        raise Conflict(f"you already assessed your work for {item!r}")
    content = assess(settings, body["levels"], body.get("comments"), body.get("comment"))
    review = _review(entry, permissions.username, SELF, content)
    review.created_at = now
    session.add(review)
    session.flush()
    return {
        "review_id": review.id,
        "reviews_given": grade.reviews_given(session, course_id, item, permissions.username),
    }


def flag_review(
    session, permissions: Permissions, review_id: int, reason: str, now: datetime
) -> dict:
    """The learner reviewed reports a review as unfair, with a reason (to the staff queue;
    audited). 404 for a review that is not about their work."""
    review = session.get(PeerReview, review_id)
    entry = None if review is None else session.get(PeerSubmission, review.peer_submission_id)
    if entry is None or review.kind != PEER or entry.username != permissions.username:
        raise NotFound(f"no review {review_id} of your work")
    if not reason.strip():
        raise CampusError("say why the review is unfair (reason)")
    review.flagged_at, review.flag_reason = now, reason.strip()
    audit(
        session,
        permissions.username,
        "peer_review.flag",
        review.course_id,
        permissions.username,
        reason.strip(),
        review=review.id,
        item=review.assignment_id,
    )
    return {"review_id": review.id, "flagged": True, "flagged_at": now.isoformat()}
