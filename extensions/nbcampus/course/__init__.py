"""Course folders: the course file, its schema, and the checks behind ``nbcampus course check``."""

from .check import Problem, check_course
from .loader import CourseFileError, load_course

__all__ = ["CourseFileError", "Problem", "check_course", "load_course"]
