"""What other packages may use of core: everything else is private to it."""

from nbcampus.school.core.audit import AuditEvent, audit, course_audit
from nbcampus.school.core.cells import safe_row, spreadsheet_safe
from nbcampus.school.core.db import Database, default_db_url, startup_lock, upgrade
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden, NotFound
from nbcampus.school.core.events import (
    AnnouncementMade,
    CertificateIssued,
    DeadlineExtended,
    EventBus,
    FeedbackReleased,
    GradeRecorded,
    PostCreated,
    QuizAttempted,
    TrackChanged,
    publish,
)
from nbcampus.school.core.models import Base, UTCDateTime, utcnow
from nbcampus.school.core.scopes import (
    ADMIN,
    LEARN,
    Permissions,
    cohort_scope,
    course_scope,
    custom_scopes,
)
from nbcampus.school.core.secret import shared_secret
from nbcampus.school.core.state import default_state_dir
from nbcampus.school.core.times import readable, readable_if_time

__all__ = [
    "safe_row",
    "spreadsheet_safe",
    "audit",
    "course_audit",
    "ADMIN",
    "AnnouncementMade",
    "CertificateIssued",
    "DeadlineExtended",
    "FeedbackReleased",
    "PostCreated",
    "AuditEvent",
    "Base",
    "CampusError",
    "Conflict",
    "Database",
    "EventBus",
    "Forbidden",
    "GradeRecorded",
    "LEARN",
    "NotFound",
    "Permissions",
    "QuizAttempted",
    "TrackChanged",
    "UTCDateTime",
    "cohort_scope",
    "course_scope",
    "custom_scopes",
    "default_db_url",
    "publish",
    "readable",
    "readable_if_time",
    "startup_lock",
    "upgrade",
    "utcnow",
    "shared_secret",
    "default_state_dir",
]
