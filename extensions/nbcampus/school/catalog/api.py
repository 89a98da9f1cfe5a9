"""What other packages may use of catalog: everything else is private to it."""

from nbcampus.school.catalog.courses import SELF_PACED, get_course
from nbcampus.school.catalog.models import Cohort, CourseRecord

__all__ = [
    "Cohort",
    "CourseRecord",
    "SELF_PACED",
    "get_course",
]
