"""Course folders: the course file, its schema, and the checks behind ``nbcampus course check``."""

from nbcampus.course.check import Problem, check_course
from nbcampus.course.loader import CourseFileError, load_course

__all__ = ["CourseFileError", "Problem", "check_course", "load_course"]
