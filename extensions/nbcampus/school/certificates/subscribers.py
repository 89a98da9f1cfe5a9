"""Certificates react to the school's events: a learner may have just become eligible for the
course's certificate or completed a module with a reward."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nbcampus.school.certificates.awards import award_modules
from nbcampus.school.certificates.issuance import issue_if_eligible
from nbcampus.school.core.api import EventBus, GradeRecorded, QuizAttempted, TrackChanged
from nbcampus.school.enrolment.api import VERIFIED_TRACK


def on_progress(session: Session, event: GradeRecorded | QuizAttempted) -> None:
    issue_if_eligible(session, event.course_id, event.username)
    award_modules(session, event.course_id, event.username)


def on_track_changed(session: Session, event: TrackChanged) -> None:
    # a verified-only certificate may have waited for the verified track
    if event.track == VERIFIED_TRACK:
        issue_if_eligible(session, event.course_id, event.username)


def subscribe(bus: EventBus) -> None:
    """Entry point ``nbcampus.subscribers:certificates``."""
    bus.subscribe(GradeRecorded, on_progress)
    bus.subscribe(QuizAttempted, on_progress)
    bus.subscribe(TrackChanged, on_track_changed)
