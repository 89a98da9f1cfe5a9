"""Reports for training managers and instructors (course and learners, JSON or CSV), the report
page, and a learner's own line."""

from __future__ import annotations

from tornado import web

from nbcampus.school.certificates import api as certificates
from nbcampus.school.progress import api as reports
from nbcampus.school.progress.api import to_csv
from nbcampus.service.base import APIHandler


class ReportAccess:
    """The report scope check shared by the report API and the report page."""

    def readable_cohorts(self, course_id: str, cohort: str | None) -> frozenset[str] | None:
        """The cohorts the caller's report may cover (None: the whole course); 403 when the
        caller may read no cohort of the course, or not the one asked for."""
        allowed = None if self.permissions is None else self.permissions.report_cohorts(course_id)
        if self.permissions is None or allowed == frozenset():
            raise web.HTTPError(403, f"you may not read reports of course {course_id!r}")
        if cohort is None:
            return allowed
        if allowed is not None and cohort not in allowed:
            raise web.HTTPError(
                403, f"you may not read reports of cohort {cohort!r} of course {course_id!r}"
            )
        return frozenset([cohort])


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


class CourseReportHandler(ReportAccess, APIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/report[?cohort=&format=csv]: one line per cohort, and total."""
        cohort = self.get_argument("cohort", None)
        fmt = _format(self)
        cohorts = self.readable_cohorts(course_id, cohort)
        report = await self.in_db(course_report, course_id, cohort, cohorts)
        if fmt == "csv":
            rows = report["cohorts"] + [report["total"]]
            _send_csv(self, f"{course_id}-report", rows, report["columns"])
            return
        self.write_json(report | {"cohort": cohort})


class LearnersReportHandler(ReportAccess, APIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/report/learners[?cohort=&format=csv]: one line per learner."""
        cohort = self.get_argument("cohort", None)
        fmt = _format(self)
        cohorts = self.readable_cohorts(course_id, cohort)
        columns, rows = await self.in_db(_learners, course_id, cohort, cohorts)
        if fmt == "csv":
            _send_csv(self, f"{course_id}-learners", rows, columns)
            return
        self.write_json({"course": course_id, "cohort": cohort, "columns": columns, "rows": rows})


class MyProgressHandler(APIHandler):
    async def get(self) -> None:
        """GET /api/me/progress?course=C: my own line of the learners' report."""
        course_id = self.get_argument("course", None)
        if not course_id:
            raise web.HTTPError(400, "give the course: /api/me/progress?course=COURSE")
        self.require("learn", course_id)
        rows = await self.in_db(reports.learner_report, course_id, None, self.username)
        if not rows:
            raise web.HTTPError(404, f"you are not enrolled in {course_id!r}")
        self.write_json({"course": course_id, "username": self.username, "progress": rows[0]})
