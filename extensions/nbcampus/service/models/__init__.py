"""Database models, one module per concept."""

from .activity import ActivityEvent
from .audit import AuditEvent
from .base import Base
from .catalog import Cohort, CourseRecord
from .certificate import Certificate, CertificateApproval
from .deadline import DeadlineOverride
from .enrolment import Enrolment, RosterEntry
from .exchange import Feedback, Release, Submission
from .grading import Grade, GradingJob
from .quiz import QuizAttempt, QuizRecord

__all__ = [
    "ActivityEvent",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificateApproval",
    "Cohort",
    "CourseRecord",
    "DeadlineOverride",
    "Enrolment",
    "Feedback",
    "Grade",
    "GradingJob",
    "QuizAttempt",
    "QuizRecord",
    "Release",
    "RosterEntry",
    "Submission",
]
