"""Quizzes for learners (questions only, answers scored here) and the instructor dashboards."""

from __future__ import annotations

from tornado import web

from nbcampus.school.progress import api as dashboards
from nbcampus.school.quizzes.api import attempt_json, learner_quiz, submit_attempt
from nbcampus.service.base import APIHandler


class QuizHandler(APIHandler):
    async def get(self, course_id: str, quiz_id: str) -> None:
        """GET /api/courses/{course}/quizzes/{quiz}: my questions (no key), my attempts."""
        self.require("learn", course_id)
        self.write_json(await self.in_db(learner_quiz, course_id, quiz_id, self.username))


class QuizAttemptsHandler(APIHandler):
    async def post(self, course_id: str, quiz_id: str) -> None:
        """POST /api/courses/{course}/quizzes/{quiz}/attempts {answers}: score and record."""
        self.require("learn", course_id)
        answers = self.json_body().get("answers")
        if not isinstance(answers, dict):
            raise web.HTTPError(400, 'send {"answers": {question id: answer}}')

        def act(session):
            return attempt_json(submit_attempt(session, course_id, quiz_id, self.username, answers))

        self.write_json(await self.in_db(act), status=201)


class DashboardHandler(APIHandler):
    async def get(self, course_id: str, name: str) -> None:
        """GET /api/courses/{course}/dashboard/{section}[?cohort=&idle_days=&format=csv]."""
        # staff of this course only: teach or grade (teach includes grade)
        self.require("grade", course_id)
        cohort = self.get_argument("cohort", None)
        try:
            idle_days = int(self.get_argument("idle_days", "7"))
        except ValueError:
            raise web.HTTPError(400, "idle_days must be a whole number of days") from None
        rows = await self.in_db(dashboards.section, course_id, name, cohort, idle_days)
        if self.get_argument("format", "json") == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="{course_id}-{name}.csv"')
            self.finish(dashboards.to_csv(rows))
            return
        self.write_json({"course": course_id, "section": name, "cohort": cohort, "rows": rows})
