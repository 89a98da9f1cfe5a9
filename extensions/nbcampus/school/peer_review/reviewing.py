"""The reviewing score: how close a learner's peer reviews come to the other reviewers'.

Only submissions with at least two peer reviews are compared. Per review, the distance is the
mean over the rubric's criteria of ``|its points - the median points of that submission's peer
reviews| / the criterion's best points``; the score is ``100 * (1 - mean distance)``, rounded to
one decimal, with the number of reviews compared. A staff override is one score, not one per
criterion, so the medians stay the reference. The score is informational: it is not part of
any grade or of the course score.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.peer_review.grade import medians
from nbcampus.school.peer_review.models import PEER, PeerReview
from nbcampus.school.peer_review.rubric import PeerSettings

#: a submission needs this many peer reviews for its reviews to be compared
COMPARED_FROM = 2


def _distance(settings: PeerSettings, review: PeerReview, middle: dict[str, float | None]) -> float:
    best = {c["id"]: max(float(level["points"]) for level in c["levels"]) for c in settings.rubric}
    return statistics.fmean(abs(review.points[c] - middle[c]) / best[c] for c in best)


def reviewing_scores(
    session: Session, settings: PeerSettings, course_id: str, reviewer: str | None = None
) -> dict[str, dict[str, Any]]:
    """``{reviewer: {"score", "compared"}}`` for the reviewers of ``settings.item`` with at
    least one review compared (only ``reviewer``'s when given)."""
    reviews = select(PeerReview).where(
        PeerReview.course_id == course_id,
        PeerReview.assignment_id == settings.item,
        PeerReview.kind == PEER,
    )
    if reviewer is not None:
        theirs = select(PeerReview.peer_submission_id).where(
            PeerReview.course_id == course_id,
            PeerReview.assignment_id == settings.item,
            PeerReview.kind == PEER,
            PeerReview.reviewer == reviewer,
        )
        reviews = reviews.where(PeerReview.peer_submission_id.in_(theirs))
    by_entry: dict[int, list[PeerReview]] = defaultdict(list)
    for review in session.scalars(reviews.order_by(PeerReview.id)):
        by_entry[review.peer_submission_id].append(review)
    distances: dict[str, list[float]] = defaultdict(list)
    criteria = {c["id"] for c in settings.rubric}
    for entry_reviews in by_entry.values():
        # reviews given against another rubric (the course file changed since) are left out
        entry_reviews = [r for r in entry_reviews if criteria <= set(r.points)]
        if len(entry_reviews) < COMPARED_FROM:
            continue
        middle = medians(settings, entry_reviews)
        for review in entry_reviews:
            if reviewer is None or review.reviewer == reviewer:
                distances[review.reviewer].append(_distance(settings, review, middle))
    return {
        name: {"score": round(100 * (1 - statistics.fmean(found)), 1), "compared": len(found)}
        for name, found in distances.items()
    }


def reviewing_of(
    session: Session, settings: PeerSettings, course_id: str, reviewer: str
) -> dict[str, Any] | None:
    """The learner's own reviewing score of the item, or None while none is compared."""
    return reviewing_scores(session, settings, course_id, reviewer).get(reviewer)


def reviewers(
    session: Session, settings: PeerSettings, course_id: str, limit: int
) -> list[dict[str, Any]]:
    """Staff: every reviewer of the item with the peer reviews they gave and their reviewing
    score (None while none is compared), by name."""
    given = session.execute(
        select(PeerReview.reviewer, func.count())
        .where(
            PeerReview.course_id == course_id,
            PeerReview.assignment_id == settings.item,
            PeerReview.kind == PEER,
        )
        .group_by(PeerReview.reviewer)
        .order_by(PeerReview.reviewer)
        .limit(limit)
    ).all()
    scores = reviewing_scores(session, settings, course_id)
    return [
        {
            "username": name,
            "reviews_given": int(count),
            "reviewing_score": scores[name]["score"] if name in scores else None,
            "compared": scores[name]["compared"] if name in scores else 0,
        }
        for name, count in given
    ]
