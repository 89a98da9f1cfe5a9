"""The nbcampus custom scopes, shared by the hub configuration and the service's checks.

Scopes are per course: ``custom:nbcampus:teach:<course>`` (instructors: release, extend,
enrol), ``custom:nbcampus:grade:<course>`` (TAs and instructors: grading only) and
``custom:nbcampus:report:<course>`` (training managers and instructors). Every hub user holds
``custom:nbcampus:learn`` (catalog, own enrolments, own work); admins hold ``custom:nbcampus:admin``.
"""

from __future__ import annotations

from collections.abc import Iterable

PREFIX = "custom:nbcampus"
LEARN = f"{PREFIX}:learn"
ADMIN = f"{PREFIX}:admin"
COURSE_ACTIONS = ("teach", "grade", "report")


def course_scope(action: str, course_id: str) -> str:
    """The scope allowing ``action`` (teach, grade, report) on one course."""
    if action not in COURSE_ACTIONS:
        raise ValueError(f"unknown course action {action!r}")
    return f"{PREFIX}:{action}:{course_id}"


def custom_scopes(course_ids: Iterable[str]) -> dict[str, dict[str, object]]:
    """JupyterHub ``custom_scopes`` for these courses, with teach including grade and report."""
    scopes: dict[str, dict[str, object]] = {
        LEARN: {"description": "Browse the nbcampus catalog, enrol, and work on your own courses."},
        ADMIN: {"description": "Administer every nbcampus course."},
    }
    for course_id in course_ids:
        grade, report = course_scope("grade", course_id), course_scope("report", course_id)
        scopes[grade] = {"description": f"Grade submissions of course {course_id}."}
        scopes[report] = {"description": f"Read reports of course {course_id}."}
        scopes[course_scope("teach", course_id)] = {
            "description": f"Teach course {course_id}: release, deadlines, enrolment.",
            "subscopes": [grade, report],
        }
    return scopes


class Permissions:
    """What one caller may do, from the (expanded) scopes of their hub token."""

    def __init__(self, username: str, scopes: Iterable[str], admin: bool = False):
        self.username = username
        self.scopes = frozenset(scopes)
        self.admin = admin or ADMIN in self.scopes

    def can(self, action: str, course_id: str) -> bool:
        if self.admin:
            return True
        if action == "learn":
            return LEARN in self.scopes
        wanted = {course_scope(action, course_id)}
        if action in ("grade", "report"):
            # teach implies grade and report even where the hub did not expand subscopes
            wanted.add(course_scope("teach", course_id))
        return bool(wanted & self.scopes)

    def staff_courses(self) -> set[str]:
        """Courses this caller teaches, grades or reports on."""
        found = set()
        for scope in self.scopes:
            parts = scope.split(":")
            if (
                len(parts) == 4
                and parts[:2] == ["custom", "nbcampus"]
                and parts[2] in COURSE_ACTIONS
            ):
                found.add(parts[3])
        return found
