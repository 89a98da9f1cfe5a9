"""Database models, one module per concept."""

from .audit import AuditEvent
from .base import Base
from .catalog import Cohort, CourseRecord
from .deadline import DeadlineOverride
from .enrolment import Enrolment, RosterEntry
from .exchange import Feedback, Release, Submission

__all__ = [
    "AuditEvent",
    "Base",
    "Cohort",
    "CourseRecord",
    "DeadlineOverride",
    "Enrolment",
    "Feedback",
    "Release",
    "RosterEntry",
    "Submission",
]
