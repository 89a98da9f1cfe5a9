"""Progress: reports for training managers and instructors (course and learners, JSON or CSV),
the instructors' dashboards, a learner's own line, and the activity learners' JupyterLab reports
(through the nbcampus server extension)."""

from __future__ import annotations

from tornado import web

from nbcampus.school.certificates import api as certificates
from nbcampus.school.core.api import CampusError
from nbcampus.school.notifications import api as notifications
from nbcampus.school.progress import api as reports
from nbcampus.school.progress.api import (
    my_lessons,
    my_notebooks,
    parse_events,
    record_activity,
    to_csv,
)
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, query, reads_reports, requires, signed_in
from nbcampus.service.schemas import progress as schemas
from nbcampus.service.schemas.common import CSV

REPORT_QUERY = {
    "cohort": "one cohort",
    "format": ("json (default), or csv for a download", {"enum": ["json", "csv"]}),
}


def _format(handler: APIHandler) -> str:
    fmt = handler.get_argument("format", "json")
    if fmt not in ("json", "csv"):
        raise web.HTTPError(400, f"format must be json or csv, not {fmt!r}")
    return fmt


def course_report(session, course_id: str, cohort: str | None, cohorts):
    """The cohort lines of the course report, certificates counted (404 for no such cohort)."""
    if cohort is not None:
        reports.cohort_id_of(session, course_id, cohort)
    counts = certificates.issued_per_cohort(session, course_id, cohorts)
    return reports.cohort_report(session, course_id, cohorts, certificates=counts)


def learner_lines(session, course_id: str, cohorts, username=None, limit=None):
    """The learners' lines of the report (or one learner's), certificates counted."""
    counts = certificates.issued_per_learner(session, course_id)
    return reports.learner_report(
        session, course_id, cohorts, username, limit=limit, certificates=counts
    )


def _learners(session, course_id, cohort, cohorts):
    if cohort is not None:
        reports.cohort_id_of(session, course_id, cohort)
    columns = reports.learner_columns(reports.report_plan(session, course_id))
    return columns, learner_lines(session, course_id, cohorts)


def _send_csv(handler: APIHandler, name: str, rows, columns) -> None:
    handler.set_header("Content-Type", "text/csv; charset=utf-8")
    handler.set_header("Content-Disposition", f'attachment; filename="{name}.csv"')
    handler.finish(to_csv(rows, columns))


class CourseReportHandler(APIHandler):
    @reads_reports()
    @query(**REPORT_QUERY)
    @answers(200, schemas.COURSE_REPORT)
    @answers(200, CSV, media="text/csv", description="with format=csv")
    async def get(self, course_id: str) -> None:
        """The course report, one line per cohort and their total.

        Enrolled, active, completion, time per module, connections, grades, certificates
        (report scope, or a cohort's)."""
        cohort = self.get_argument("cohort", None)
        fmt = _format(self)
        cohorts = self.report_cohorts
        report = await self.in_db(course_report, course_id, cohort, cohorts)
        if fmt == "csv":
            rows = report["cohorts"] + [report["total"]]
            _send_csv(self, f"{course_id}-report", rows, report["columns"])
            return
        self.write_json(report | {"cohort": cohort})


class LearnersReportHandler(APIHandler):
    @reads_reports()
    @query(**REPORT_QUERY)
    @answers(200, schemas.LEARNERS_REPORT)
    @answers(200, CSV, media="text/csv", description="with format=csv")
    async def get(self, course_id: str) -> None:
        """The learners' report, one line per learner with the last activity.

        Report scope, or a cohort's: that cohort's learners only."""
        cohort = self.get_argument("cohort", None)
        fmt = _format(self)
        cohorts = self.report_cohorts
        columns, rows = await self.in_db(_learners, course_id, cohort, cohorts)
        if fmt == "csv":
            _send_csv(self, f"{course_id}-learners", rows, columns)
            return
        self.write_json({"course": course_id, "cohort": cohort, "columns": columns, "rows": rows})


def gradebook_csv(session, course_id: str, fmt: str) -> str:
    """The course's gradebook as CSV for an LMS, with the learners' verified addresses."""
    book = reports.gradebook(session, course_id)
    emails = {
        line.username: email
        for line in book.lines
        if (email := notifications.verified_address(session, line.username))
    }
    return reports.export(book, fmt, emails=emails)


class GradebookHandler(APIHandler):
    @requires("grade")  # staff of this course only: every learner's grades
    @query(
        format=(
            "moodle (Moodle's grade import CSV, default) or canvas (Canvas's gradebook CSV)",
            {"enum": list(reports.GRADEBOOK_FORMATS)},
        )
    )
    @answers(200, CSV, media="text/csv")
    async def get(self, course_id: str) -> None:
        """The gradebook for an LMS: one line per enrolled learner, a column per exercise and
        quiz (late penalties applied) and the course score (grade scope).

        Empty cells: nothing graded or attempted yet. docs/gradebook.md describes the formats."""
        fmt = self.get_argument("format", "moodle")
        if fmt not in reports.GRADEBOOK_FORMATS:
            raise web.HTTPError(400, f"format must be moodle or canvas, not {fmt!r}")
        text = await self.in_db(gradebook_csv, course_id, fmt)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header(
            "Content-Disposition", f'attachment; filename="{course_id}-gradebook-{fmt}.csv"'
        )
        self.finish(text)


class MyProgressHandler(APIHandler):
    @signed_in
    @query(course="the course (required)")
    @answers(200, schemas.MY_PROGRESS)
    async def get(self) -> None:
        """My own line of the learners' report in a course."""
        course_id = self.get_argument("course", None)
        if not course_id:
            raise web.HTTPError(400, "give the course: /api/me/progress?course=COURSE")
        # the course is a query argument: the learn scope is checked here, as requires would
        self.require("learn", course_id)
        rows = await self.in_db(reports.learner_report, course_id, None, self.username)
        if not rows:
            raise web.HTTPError(404, f"you are not enrolled in {course_id!r}")
        self.write_json({"course": course_id, "username": self.username, "progress": rows[0]})


class DashboardHandler(APIHandler):
    @requires("grade")  # staff of this course only: teach or grade (teach includes grade)
    @query(
        cohort="one cohort",
        idle_days=(
            "at risk after this many days without activity (7)",
            {"type": "integer", "minimum": 0, "maximum": 3650},
        ),
        format=("json (default), or csv for a download", {"enum": ["json", "csv"]}),
    )
    @answers(200, schemas.DASHBOARD)
    @answers(200, CSV, media="text/csv", description="with format=csv")
    async def get(self, course_id: str, name: str) -> None:
        """Dashboard data (grade scope): enrolment, activity, grades, quiz_items or at_risk."""
        cohort = self.get_argument("cohort", None)
        idle_days = int(self.get_argument("idle_days", "7"))
        rows = await self.in_db(reports.section, course_id, name, cohort, idle_days)
        if self.get_argument("format", "json") == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="{course_id}-{name}.csv"')
            self.finish(reports.to_csv(rows))
            return
        self.write_json({"course": course_id, "section": name, "cohort": cohort, "rows": rows})


class MyActivityHandler(APIHandler):
    @signed_in  # and the learn scope of every course in the batch, checked below
    @accepts(schemas.ACTIVITY)
    @answers(202, schemas.ACCEPTED)
    @answers(413, description=f"more than {schemas.MAX_EVENTS} events in the batch")
    async def post(self) -> None:
        """Record a batch of my learning activity.

        Connections, notebooks opened, active seconds, executions; the server's clock stamps
        it, the module comes from the notebook's path."""
        try:
            events = parse_events(self.body)
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None
        for course_id in sorted({e.course_id for e in events}):
            self.require("learn", course_id)
        accepted = await self.in_db(record_activity, self.username, events)
        self.write_json({"accepted": accepted}, status=202)

    @signed_in
    @query(course="the course id (required)")
    @answers(200, schemas.NOTEBOOKS)
    async def get(self) -> None:
        """The notebooks of a course I have worked in, from my own activity, and the status of
        each of its lessons (not started, in progress, done)."""
        course_id = self.get_query_argument("course", "")
        if not course_id:
            raise web.HTTPError(400, "say which course: ?course=<course id>")
        self.require("learn", course_id)

        def read(session):
            return {
                "course": course_id,
                "notebooks": my_notebooks(session, self.username, course_id),
                "lessons": my_lessons(session, self.username, course_id),
            }

        self.write_json(await self.in_db(read))


default_handlers = [
    ("/api/courses/{course}/report", CourseReportHandler),
    ("/api/courses/{course}/report/learners", LearnersReportHandler),
    ("/api/courses/{course}/dashboard/{section}", DashboardHandler),
    ("/api/courses/{course}/gradebook", GradebookHandler),
    ("/api/me/progress", MyProgressHandler),
    ("/api/me/activity", MyActivityHandler),
]
