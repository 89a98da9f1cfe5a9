"""What other packages may use of catalog: everything else is private to it."""

from nbcampus.school.catalog.courses import SELF_PACED, active_courses, find_cohort, get_course
from nbcampus.school.catalog.models import Cohort, CourseRecord
from nbcampus.school.catalog.schedule import (
    QUIZ_LATE_POLICY,
    dated_items,
    module_offsets,
    run_closes_at,
)

__all__ = [
    "active_courses",
    "find_cohort",
    "Cohort",
    "CourseRecord",
    "SELF_PACED",
    "get_course",
    "QUIZ_LATE_POLICY",
    "dated_items",
    "module_offsets",
    "run_closes_at",
]
