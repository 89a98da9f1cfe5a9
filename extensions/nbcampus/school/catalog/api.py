"""What other packages may use of catalog: everything else is private to it."""

from nbcampus.school.catalog.courses import SELF_PACED, active_courses, find_cohort, get_course
from nbcampus.school.catalog.models import Cohort, CourseRecord

__all__ = [
    "active_courses",
    "find_cohort",
    "Cohort",
    "CourseRecord",
    "SELF_PACED",
    "get_course",
]
