"""What other packages may use of deadlines: everything else is private to it."""

from nbcampus.school.deadlines.schedule import (
    grant_override,
    late_status,
    learner_start,
    module_openings,
    resolve_course_deadlines,
    resolve_deadlines,
)

__all__ = [
    "grant_override",
    "late_status",
    "learner_start",
    "module_openings",
    "resolve_course_deadlines",
    "resolve_deadlines",
]
