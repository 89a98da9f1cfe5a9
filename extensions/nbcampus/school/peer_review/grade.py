"""The peer grade: the median of the peer reviews per criterion (in points), their sum the
score, out of the rubric's best levels.

It exists once the submission has ``reviews_wanted`` peer reviews, or, flexible grading, once
``flexible_after_days`` have passed since it joined the review pool (the learner's submission)
and it has ``ceil(flexible_fraction * reviews_wanted)`` of them (at least one); a staff
override replaces it. The learner sees it once they have given ``reviews_required`` reviews
(or staff overrode it). A grade the learner sees is recorded as the assignment's grade
through the grading package (the manual parts of the grader's grade scaled to the peer
fraction), so THE weighted course score, certificates and reports read it as any grade.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.grading.api import Grade, set_cell_score
from nbcampus.school.peer_review.models import PEER, PeerReview, PeerSubmission
from nbcampus.school.peer_review.rubric import PeerSettings

ACTOR = "peer-review"


def peer_reviews(session: Session, entry_id: int) -> list[PeerReview]:
    return list(
        session.scalars(
            select(PeerReview)
            .where(PeerReview.peer_submission_id == entry_id, PeerReview.kind == PEER)
            .order_by(PeerReview.id)
        )
    )


def reviews_given(session: Session, course_id: str, item: str, reviewer: str) -> int:
    return session.scalar(
        select(func.count()).where(
            PeerReview.course_id == course_id,
            PeerReview.assignment_id == item,
            PeerReview.reviewer == reviewer,
            PeerReview.kind == PEER,
        )
    )


def medians(settings: PeerSettings, reviews: list[PeerReview]) -> dict[str, float | None]:
    return {
        c["id"]: (float(statistics.median(r.points[c["id"]] for r in reviews)) if reviews else None)
        for c in settings.rubric
    }


def peer_grade(
    settings: PeerSettings,
    entry: PeerSubmission,
    reviews: list[PeerReview],
    now: datetime,
) -> dict[str, Any] | None:
    """The grade of a pool entry at ``now`` (None while it has too few reviews)."""
    middle = medians(settings, reviews)
    criteria = [{"id": c, "median": m} for c, m in middle.items()]
    if entry.override_score is not None:
        return {
            "score": entry.override_score,
            "max_score": settings.max_score,
            "criteria": criteria,
            "flexible": False,
            "override": True,
            "reviews": len(reviews),
        }
    waited = now >= entry.submitted_at + timedelta(days=settings.flexible_after_days)
    if len(reviews) >= settings.reviews_wanted:
        flexible = False
    elif waited and len(reviews) >= settings.flexible_count:
        flexible = True
    else:
        return None
    return {
        "score": float(sum(m for m in middle.values() if m is not None)),
        "max_score": settings.max_score,
        "criteria": criteria,
        "flexible": flexible,
        "override": False,
        "reviews": len(reviews),
    }


def visible_grade(
    session: Session, settings: PeerSettings, entry: PeerSubmission | None, now: datetime
) -> tuple[dict[str, Any] | None, str | None]:
    """(the grade the author may see, or None and why not)."""
    if entry is None:
        return None, "submit your work to be reviewed"
    given = reviews_given(session, entry.course_id, settings.item, entry.username)
    if given < settings.reviews_required and entry.override_score is None:
        left = settings.reviews_required - given
        return None, f"give {left} more review{'s' if left > 1 else ''} to see your grade"
    grade = peer_grade(settings, entry, peer_reviews(session, entry.id), now)
    if grade is None:
        return None, "your work is waiting for reviews"
    return grade, None


def written(session: Session, entry: PeerSubmission) -> bool:
    """Whether the entry's recorded peer grade is in its submission's grade (every manual part
    given by peer review): False after a regrade reset them."""
    if entry.recorded_score is None:
        return False
    row = session.scalar(select(Grade).where(Grade.submission_id == entry.submission_id))
    cells = [c for c in (row.cells or []) if c.get("kind") == "manual"] if row else []
    return bool(cells) and all(c.get("graded_by") == ACTOR for c in cells)


def record(session: Session, settings: PeerSettings, entry: PeerSubmission, now: datetime) -> bool:
    """Write the author's visible peer grade into the grade of their submission: every manual
    part of the grader's grade gets the peer fraction of its points (audited by the grading
    package). False when there is nothing to write yet (no visible grade, not graded yet)."""
    grade, _ = visible_grade(session, settings, entry, now)
    row = session.scalar(select(Grade).where(Grade.submission_id == entry.submission_id))
    if grade is None or row is None or not grade["max_score"]:
        return False
    entry.recorded_score = grade["score"]
    fraction = min(grade["score"] / grade["max_score"], 1.0)
    reason = (
        f"staff override: {entry.override_reason}"
        if grade["override"]
        else f"median of {grade['reviews']} peer reviews"
        + (" (flexible grading)" if grade["flexible"] else "")
    )
    wrote = False
    for cell in row.cells or []:
        if cell.get("kind") != "manual":
            continue
        points = round(fraction * cell["max_points"], 6)
        if cell.get("points") == points and cell.get("graded_by") == ACTOR:
            continue
        set_cell_score(
            session,
            entry.submission_id,
            cell["notebook"],
            cell["grade_id"],
            points,
            None,
            actor=ACTOR,
            reason=reason,
        )
        wrote = True
    return wrote


def due_entries(
    session: Session, course_id: str, settings: PeerSettings, now: datetime, limit: int
) -> list[PeerSubmission]:
    """Pool entries of one item whose grade may exist but was never written: enough reviews for
    flexible grading, the wait over, their author's reviews given, no override."""
    given = (
        select(func.count())
        .where(
            PeerReview.course_id == PeerSubmission.course_id,
            PeerReview.assignment_id == PeerSubmission.assignment_id,
            PeerReview.reviewer == PeerSubmission.username,
            PeerReview.kind == PEER,
        )
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(PeerSubmission)
            .where(
                PeerSubmission.course_id == course_id,
                PeerSubmission.assignment_id == settings.item,
                PeerSubmission.recorded_score.is_(None),
                PeerSubmission.override_score.is_(None),
                PeerSubmission.reviews >= settings.flexible_count,
                PeerSubmission.submitted_at <= now - timedelta(days=settings.flexible_after_days),
                given >= settings.reviews_required,
            )
            .order_by(PeerSubmission.submitted_at, PeerSubmission.id)
            .limit(limit)
        )
    )
