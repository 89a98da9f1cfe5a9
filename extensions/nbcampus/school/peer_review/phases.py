"""The two phases of a peer-reviewed assignment for one learner, on the server clock.

The submission phase ends at the assignment's own due date as the deadlines package resolves
it (course file offset from the cohort's or the learner's start, cohort overrides, personal
extensions). The review phase ends ``review_due_offset_days - due_offset_days`` after that, so
an extension moves both. A learner may review as soon as they have submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment.api import Enrolment
from nbcampus.school.peer_review.rubric import PeerSettings

SUBMISSION, REVIEW, CLOSED = "submission", "review", "closed"


@dataclass(frozen=True)
class Phases:
    submission_due_at: datetime
    review_due_at: datetime

    def phase(self, now: datetime) -> str:
        if now <= self.submission_due_at:
            return SUBMISSION
        return REVIEW if now <= self.review_due_at else CLOSED


def phases_of(
    session: Session, course: CourseRecord, enrolment: Enrolment, settings: PeerSettings
) -> Phases:
    """The learner's due dates of the submission and the review phases."""
    due = resolve_deadlines(session, course.data, enrolment)[settings.item].due_at
    span = timedelta(days=settings.review_due_offset_days - settings.due_offset_days)
    return Phases(due, due + span)
