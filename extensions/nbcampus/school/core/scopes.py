"""The nbcampus custom scopes, shared by the hub configuration and the service's checks.

Scopes are per course: ``custom:nbcampus:teach:<course>`` (instructors: release, extend,
enrol), ``custom:nbcampus:grade:<course>`` (TAs and instructors: grading only) and
``custom:nbcampus:report:<course>`` (training managers and instructors), whose subscopes
``custom:nbcampus:report:<course>:<cohort>`` let a training manager read one cohort only.
Discussions add ``custom:nbcampus:moderate:<course>`` (mentors: answer, accept, pin, close,
hide, mute) and ``custom:nbcampus:community:<course>`` (community managers: moderation plus
announcements); teach includes community, which includes moderate. Every hub user holds
``custom:nbcampus:learn`` (catalog, own enrolments, own work); admins hold ``custom:nbcampus:admin``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PREFIX = "custom:nbcampus"
LEARN = f"{PREFIX}:learn"
ADMIN = f"{PREFIX}:admin"
COURSE_ACTIONS = ("teach", "grade", "report", "community", "moderate")
#: the actions of the people who see learners' work (submissions, grades, reports)
STAFF_ACTIONS = ("teach", "grade", "report")
#: what each course action is implied by (teach implies all; hubs may not expand subscopes)
IMPLIED_BY = {
    "grade": ("teach",),
    "report": ("teach",),
    "community": ("teach",),
    # TAs and instructors moderate their course's discussions too
    "moderate": ("community", "grade", "teach"),
}


def course_scope(action: str, course_id: str) -> str:
    """The scope allowing ``action`` (teach, grade, report, community, moderate) on a course."""
    if action not in COURSE_ACTIONS:
        raise ValueError(f"unknown course action {action!r}")
    return f"{PREFIX}:{action}:{course_id}"


def cohort_scope(course_id: str, cohort: str) -> str:
    """The scope allowing to read the reports of one cohort of a course."""
    return f"{course_scope('report', course_id)}:{cohort}"


def custom_scopes(
    course_ids: Iterable[str], cohorts: Mapping[str, Iterable[str]] | None = None
) -> dict[str, dict[str, object]]:
    """JupyterHub ``custom_scopes`` for these courses, with teach including grade, report and
    community, community including moderate, and report including the report scope of each cohort in ``cohorts`` (course id -> names)."""
    scopes: dict[str, dict[str, object]] = {
        LEARN: {"description": "Browse the nbcampus catalog, enrol, and work on your own courses."},
        ADMIN: {"description": "Administer every nbcampus course."},
    }
    for course_id in course_ids:
        grade, report = course_scope("grade", course_id), course_scope("report", course_id)
        scopes[grade] = {"description": f"Grade submissions of course {course_id}."}
        per_cohort = [cohort_scope(course_id, c) for c in (cohorts or {}).get(course_id, [])]
        for cohort, scope in zip((cohorts or {}).get(course_id, []), per_cohort, strict=True):
            scopes[scope] = {
                "description": f"Read reports of cohort {cohort} of course {course_id}."
            }
        scopes[report] = {"description": f"Read reports of course {course_id}."}
        if per_cohort:
            scopes[report]["subscopes"] = per_cohort
        moderate = course_scope("moderate", course_id)
        community = course_scope("community", course_id)
        scopes[moderate] = {
            "description": f"Answer and moderate the discussions of course {course_id}."
        }
        scopes[community] = {
            "description": f"Manage the community of course {course_id}: moderation, "
            "announcements.",
            "subscopes": [moderate],
        }
        scopes[course_scope("teach", course_id)] = {
            "description": f"Teach course {course_id}: release, deadlines, enrolment.",
            "subscopes": [grade, report, community],
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
        # implied actions count even where the hub did not expand subscopes
        wanted.update(course_scope(a, course_id) for a in IMPLIED_BY.get(action, ()))
        return bool(wanted & self.scopes)

    def report_cohorts(self, course_id: str) -> frozenset[str] | None:
        """The cohorts of a course whose reports this caller may read: None for the whole course
        (report, teach or admin), else the cohorts granted one by one (maybe none)."""
        if self.can("report", course_id):
            return None
        prefix = course_scope("report", course_id) + ":"
        return frozenset(
            s[len(prefix) :]
            for s in self.scopes
            if s.startswith(prefix) and ":" not in s[len(prefix) :]
        )

    def staff_courses(self) -> set[str]:
        """Courses this caller teaches, grades or reports on (moderating discussions is not
        enough: mentors see no submissions)."""
        found = set()
        for scope in self.scopes:
            parts = scope.split(":")
            if (
                len(parts) == 4
                and parts[:2] == ["custom", "nbcampus"]
                and parts[2] in STAFF_ACTIONS
            ):
                found.add(parts[3])
        return found

    def moderated_courses(self) -> set[str]:
        """Courses whose discussions this caller moderates (mentors, community managers, TAs
        and instructors; an admin moderates every course without naming them)."""
        return {
            parts[3]
            for parts in (scope.split(":") for scope in self.scopes)
            if len(parts) == 4
            and parts[:2] == ["custom", "nbcampus"]
            and parts[2] in ("moderate", *IMPLIED_BY["moderate"])
        }
