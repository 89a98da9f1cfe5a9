"""LTI reacts to the school's events: a counted grade or a quiz attempt is a score to post."""

from __future__ import annotations

from nbcampus.school.core.api import EventBus, GradeRecorded, QuizAttempted
from nbcampus.school.lti.grades import on_grade, on_quiz


def subscribe(bus: EventBus) -> None:
    """Entry point ``nbcampus.subscribers:lti``."""
    bus.subscribe(GradeRecorded, on_grade)
    bus.subscribe(QuizAttempted, on_quiz)
