"""Peer review in the reports: ``peer_reviews_given``, the peer reviews each learner gave in
the course (self-assessments not counted)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.peer_review.models import PEER, PeerReview

LEARNER_MEASURES = ("peer_reviews_given",)


def reviews_given_by(
    session: Session, course_id: str, usernames: Collection[str]
) -> dict[str, dict[str, int]]:
    """``{username: {"peer_reviews_given": n}}`` for those of ``usernames`` who gave any."""
    if not usernames:
        return {}
    rows = session.execute(
        select(PeerReview.reviewer, func.count())
        .where(
            PeerReview.course_id == course_id,
            PeerReview.kind == PEER,
            PeerReview.reviewer.in_(list(usernames)),
        )
        .group_by(PeerReview.reviewer)
    ).all()
    return {name: {"peer_reviews_given": int(count)} for name, count in rows}
