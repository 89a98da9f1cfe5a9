"""Grading: queue (re)grading, follow it, grade manual parts, release feedback, learners' grades."""

from __future__ import annotations

from pathlib import Path

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.exchange import api as exchange
from nbcampus.school.grading import api as grading
from nbcampus.service.base import APIHandler


class GradingHandler(APIHandler):
    async def get(self, course_id: str, assignment_id: str) -> None:
        """GET .../grading: jobs by state and every grade of the assignment (staff)."""
        self.require("grade", course_id)
        self.write_json(await self.in_db(grading.status, course_id, assignment_id))

    async def post(self, course_id: str, assignment_id: str) -> None:
        """POST .../grading {learner?, only: latest|all|failed}: queue grading jobs."""
        self.require("grade", course_id)
        body = self.json_body()
        learner = body.get("learner")
        only = body.get("only", "latest")
        if only not in ("latest", "all", "failed"):
            raise web.HTTPError(400, "only must be one of latest, all, failed")

        def act(session):
            get_course(session, course_id)
            subs = exchange.list_submissions(
                session, course_id, assignment_id, latest=only != "all"
            )
            if learner is not None:
                subs = [s for s in subs if s.username == str(learner)]
                if not subs:
                    raise web.HTTPError(404, f"{learner} has no submission of {assignment_id}")
            if only == "failed":
                bad = grading.failed_submissions(session, course_id, assignment_id)
                subs = [s for s in subs if s.id in bad]
            jobs = grading.enqueue(session, subs, requested_by=self.username)
            return {
                "queued": len(jobs),
                "jobs": [
                    {"id": j.id, "submission_id": j.submission_id, "username": j.username}
                    for j in jobs
                ],
            }

        self.write_json(await self.in_db(act), status=202)


class CellScoreHandler(APIHandler):
    async def post(self, course_id: str, submission_id: str) -> None:
        """POST .../grades/{submission}/cells {notebook, grade_id, points, comment?, reason}."""
        self.require("grade", course_id)
        body = self.json_body()
        try:
            points = float(body["points"])
            notebook, grade_id = str(body["notebook"]), str(body["grade_id"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPError(400, "give notebook, grade_id and numeric points") from None
        reason = str(body.get("reason", "")).strip()
        if not reason:
            raise web.HTTPError(400, "an override needs a reason (it is audited)")

        def act(session):
            exchange.get_submission(session, submission_id, course_id)
            grade = grading.set_cell_score(
                session,
                submission_id,
                notebook,
                grade_id,
                points,
                body.get("comment"),
                actor=self.username,
                reason=reason,
            )
            return grading.grade_view(grade, staff=True)

        self.write_json(await self.in_db(act))


class FeedbackReleaseHandler(APIHandler):
    async def post(self, course_id: str, assignment_id: str) -> None:
        """POST .../feedback/release: give learners the feedback of graded latest attempts."""
        self.require("grade", course_id)
        root = Path(self.campus.exchange_dir)

        def act(session):
            get_course(session, course_id)
            released = grading.release_assignment(
                session, root, course_id, assignment_id, actor=self.username
            )
            return {"released": released}

        self.write_json(await self.in_db(act))


class MyGradesHandler(APIHandler):
    async def get(self) -> None:
        """GET /api/me/grades[?course=]: my grades whose feedback is released; others pending."""
        course_id = self.get_argument("course", None)
        username = self.username

        self.write_json(
            {
                "username": username,
                "grades": await self.in_db(grading.my_grades, username, course_id),
            }
        )


class GradedNotebooksHandler(APIHandler):
    async def get(self, course_id: str, submission_id: str) -> None:
        """GET .../grades/{submission}/graded: the executed notebooks with every test (staff)."""
        self.require("grade", course_id)

        await self.in_db(exchange.get_submission, submission_id, course_id)
        graded = exchange.graded_notebooks_dir(Path(self.campus.exchange_dir), submission_id)
        if not graded.is_dir():
            raise web.HTTPError(404, f"submission {submission_id} has not been graded yet")

        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="graded-{submission_id}.zip"')
        self.finish(exchange.zip_folder(graded))
