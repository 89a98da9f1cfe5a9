"""Deadlines: a learner's due dates, and overrides granted by instructors."""

from __future__ import annotations

from datetime import datetime

from nbcampus.school.catalog.api import find_cohort, get_course
from nbcampus.school.core.api import utcnow
from nbcampus.school.deadlines.api import grant_override, resolve_deadlines
from nbcampus.school.enrolment.api import find_enrolment
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, in_query, query, requires
from nbcampus.service.schemas import enrolment as schemas


class DeadlinesHandler(APIHandler):
    @requires("report", unless_self=in_query("username"))
    @query(username="a learner (report scope); default: me")
    @answers(200, schemas.DEADLINES)
    async def get(self, course_id: str) -> None:
        """Due dates of a learner (default: me)."""
        username = self.get_argument("username", self.username)

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
    @requires("teach")
    @accepts(schemas.OVERRIDE)
    @answers(201, schemas.OVERRIDE_GRANTED)
    async def post(self, course_id: str, item_id: str) -> None:
        """Override a due date for a learner (extension) or a cohort (staff)."""
        body = self.body
        # the schema's date-time format has checked it: ISO 8601 with a zone
        due_at = datetime.fromisoformat(body["due_at"])
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


default_handlers = [
    ("/api/courses/{course}/deadlines", DeadlinesHandler),
    ("/api/courses/{course}/deadlines/{item}", OverrideHandler),
]
