"""Deadlines: a learner's due dates, and overrides granted by instructors."""

from __future__ import annotations

from datetime import datetime

from tornado import web

from nbcampus.school.catalog.api import find_cohort, get_course
from nbcampus.school.core.api import utcnow
from nbcampus.school.deadlines.api import grant_override, resolve_deadlines
from nbcampus.school.enrolment.api import find_enrolment
from nbcampus.service.base import APIHandler


class DeadlinesHandler(APIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/deadlines[?username=]: due dates for a learner (default: me)."""
        username = self.get_argument("username", self.username)
        if username != self.username:
            self.require("report", course_id)

        def read(session):
            course = get_course(session, course_id)
            enrolment = find_enrolment(session, course_id, username)
            return [
                d.as_json() for d in resolve_deadlines(session, course.data, enrolment).values()
            ]

        self.write_json(
            {"username": username, "now": utcnow().isoformat(), "deadlines": await self.in_db(read)}
        )


class OverrideHandler(APIHandler):
    async def post(self, course_id: str, item_id: str) -> None:
        """POST /api/courses/{course}/deadlines/{item}: a new due date for a learner or a cohort."""
        self.require("teach", course_id)
        body = self.json_body()
        try:
            due_at = datetime.fromisoformat(str(body.get("due_at", "")))
        except ValueError:
            raise web.HTTPError(
                400, "due_at must be an ISO 8601 time with zone, e.g. 2027-03-01T17:00:00+00:00"
            ) from None
        if due_at.tzinfo is None:
            raise web.HTTPError(400, "due_at needs a time zone, e.g. 2027-03-01T17:00:00+00:00")
        username, cohort_name = body.get("username"), body.get("cohort")
        reason = str(body.get("reason", ""))

        def act(session):
            course = get_course(session, course_id)
            cohort_id = None
            if cohort_name is not None:
                cohort_id = find_cohort(session, course_id, str(cohort_name)).id
            if username is not None:
                find_enrolment(session, course_id, str(username))
            override = grant_override(
                session,
                course.data,
                item_id,
                due_at,
                granted_by=self.username,
                reason=reason,
                username=None if username is None else str(username),
                cohort_id=cohort_id,
            )
            return {
                "id": override.id,
                "item": item_id,
                "username": override.username,
                "cohort": cohort_name,
                "due_at": override.due_at.isoformat(),
                "granted_by": override.granted_by,
                "granted_at": override.granted_at.isoformat(),
                "reason": override.reason,
            }

        self.write_json(await self.in_db(act), status=201)
