"""Load a course folder, refusing it whole when anything in it is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nbcampus.course.check import check_course, read_course_file
from nbcampus.course.model import Course
from nbcampus.course.problem import Problem

COURSE_FILE = "course.yml"


class CourseFileError(ValueError):
    """A course folder that failed its checks; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_course(folder: str | Path) -> Course:
    """Check ``folder`` and return its course, or raise :class:`CourseFileError`."""
    folder = Path(folder)
    problems = check_course(folder)
    if problems:
        raise CourseFileError(problems)
    data, _ = read_course_file(folder / COURSE_FILE)
    return Course(path=folder.resolve(), data=data)


def scan_courses(courses_dir: str | Path) -> Iterator[tuple[Path, Course | None, list[Problem]]]:
    """Each course folder under ``courses_dir``: (folder, course, []) or (folder, None, problems)."""
    for folder in sorted(Path(courses_dir).iterdir()):
        if not (folder / COURSE_FILE).is_file():
            continue
        try:
            yield folder, load_course(folder), []
        except CourseFileError as e:
            yield folder, None, e.problems


def load_catalog(courses_dir: str | Path) -> tuple[dict[str, Course], list[Problem]]:
    """Every valid course under ``courses_dir`` by id, and the problems of the invalid ones."""
    courses: dict[str, Course] = {}
    problems: list[Problem] = []
    for _, course, found in scan_courses(courses_dir):
        if course is None:
            problems.extend(found)
        else:
            courses[course.id] = course
    return courses, problems
