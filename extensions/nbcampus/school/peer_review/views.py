"""What a learner sees: their peer-reviewed items, a reservation with the anonymous
notebook, and the reviews their work received (numbered reviewers, never names)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import Conflict, Permissions
from nbcampus.school.discussion.api import render
from nbcampus.school.exchange.api import Submission
from nbcampus.school.peer_review import grade
from nbcampus.school.peer_review.allocation import allocate, held, own_entry
from nbcampus.school.peer_review.calibration import calibration_status
from nbcampus.school.peer_review.members import learner
from nbcampus.school.peer_review.models import SELF, PeerReview
from nbcampus.school.peer_review.notebook import anonymous_notebook, notebook_html
from nbcampus.school.peer_review.phases import CLOSED, phases_of
from nbcampus.school.peer_review.reviewing import reviewing_of
from nbcampus.school.peer_review.rubric import peer_items, peer_settings, rubric_view


def _submitted(session: Session, course_id: str, item: str, username: str) -> bool:
    return (
        session.scalar(
            select(Submission.id)
            .where(
                Submission.course_id == course_id,
                Submission.assignment_id == item,
                Submission.username == username,
            )
            .limit(1)
        )
        is not None
    )


def my_peer_reviews(
    session: Session, permissions: Permissions, course_id: str, now: datetime
) -> dict[str, Any]:
    """Every peer-reviewed item of the course as the caller (an enrolled learner) stands,
    with their calibration (None without one) and their reviewing score (None until one of
    their reviews is compared): their own, never another learner's."""
    course, enrolment = learner(session, permissions, course_id)
    me = permissions.username
    items = []
    for settings in peer_items(course.data):
        phases = phases_of(session, course, enrolment, settings)
        entry = own_entry(session, course_id, settings.item, me)
        shown, why = grade.visible_grade(session, settings, entry, now)
        holding = held(session, course_id, settings.item, me, now)
        items.append(
            {
                "item": settings.item,
                "title": settings.title,
                "module": settings.module,
                "rubric": rubric_view(settings),
                "reviews_required": settings.reviews_required,
                "reviews_wanted": settings.reviews_wanted,
                "self_assessment": settings.self_assessment,
                "phase": phases.phase(now),
                "submission_due_at": phases.submission_due_at.isoformat(),
                "review_due_at": phases.review_due_at.isoformat(),
                "submitted": _submitted(session, course_id, settings.item, me),
                "reviews_given": grade.reviews_given(session, course_id, settings.item, me),
                "reviews_received": entry.reviews if entry is not None else 0,
                "grade": shown,
                "why": why,
                "held": None
                if holding is None
                else {"allocation_id": holding.id, "expires_at": holding.expires_at.isoformat()},
                "calibration": calibration_status(session, settings, course_id, me),
                "reviewing": reviewing_of(session, settings, course_id, me),
            }
        )
    return {"items": items}


def ask_for_work(
    session: Session,
    permissions: Permissions,
    course_id: str,
    item: str,
    exchange_dir: Path,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """A reservation (the one held, or a new one: True) with the rubric and the submission
    as the grader executed it, anonymous: ``notebook`` (nbformat JSON) and inert ``html``."""
    course, enrolment = learner(session, permissions, course_id)
    settings = peer_settings(course.data, item)
    phases = phases_of(session, course, enrolment, settings)
    if phases.phase(now) == CLOSED:
        raise Conflict(f"the review phase of {item!r} closed at {phases.review_due_at.isoformat()}")
    allocation, created = allocate(session, enrolment, settings, now)
    notebook = anonymous_notebook(exchange_dir, session.get(Submission, allocation.submission_id))
    return (
        {
            "allocation_id": allocation.id,
            "expires_at": allocation.expires_at.isoformat(),
            "item": item,
            "rubric": rubric_view(settings),
            "notebook": notebook,
            "html": notebook_html(notebook, render),
        },
        created,
    )


def _review_view(review: PeerReview, reviewer: str) -> dict[str, Any]:
    return {
        "review_id": review.id,
        "reviewer": reviewer,
        "levels": review.levels,
        "points": review.points,
        "comments": review.comments,
        "comments_html": {c: render(t) for c, t in review.comments.items()},
        "comment": review.comment,
        "comment_html": review.comment_html,
        "created_at": review.created_at.isoformat(),
        "flagged": review.flagged_at is not None,
    }


def received(
    session: Session, permissions: Permissions, course_id: str, item: str, now: datetime
) -> dict[str, Any]:
    """The peer reviews of the caller's work (``Reviewer 1``, ``Reviewer 2``... in the order
    given), their self-assessment, and the grade once they may see it (else ``why``)."""
    course, _ = learner(session, permissions, course_id)
    settings = peer_settings(course.data, item)
    entry = own_entry(session, course_id, item, permissions.username)
    reviews = [] if entry is None else grade.peer_reviews(session, entry.id)
    own = None
    if entry is not None:
        own = session.scalar(
            select(PeerReview).where(
                PeerReview.peer_submission_id == entry.id, PeerReview.kind == SELF
            )
        )
    shown, why = grade.visible_grade(session, settings, entry, now)
    return {
        "item": item,
        "reviews": [_review_view(r, f"Reviewer {i}") for i, r in enumerate(reviews, start=1)],
        "self": None if own is None else _review_view(own, "You"),
        "grade": shown,
        "why": why,
    }
