"""Grading: queue (re)grading, follow it, grade manual parts, release feedback, learners' grades."""

from __future__ import annotations

from pathlib import Path

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.exchange import api as exchange
from nbcampus.school.grading import api as grading
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, query, requires, signed_in
from nbcampus.service.schemas import grading as schemas
from nbcampus.service.schemas.common import ZIP


class GradingHandler(APIHandler):
    @requires("grade")
    @answers(200, schemas.GRADING_STATUS)
    async def get(self, course_id: str, assignment_id: str) -> None:
        """Grading jobs by state and every grade of an assignment (grade scope)."""
        self.write_json(await self.in_db(grading.status, course_id, assignment_id))

    @requires("grade")
    @accepts(schemas.QUEUE_GRADING)
    @answers(202, schemas.QUEUED)
    async def post(self, course_id: str, assignment_id: str) -> None:
        """Queue grading: latest attempts, all attempts or only failed ones, for everyone or
        one learner (grade scope)."""
        body = self.body
        learner = body.get("learner")
        only = body.get("only", "latest")

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
    @requires("grade")
    @accepts(schemas.CELL_SCORE)
    @answers(200, schemas.STAFF_GRADE)
    async def post(self, course_id: str, submission_id: str) -> None:
        """Grade a manual part or override a score; audited (grade scope)."""
        body = self.body
        points = float(body["points"])
        notebook, grade_id = body["notebook"], body["grade_id"]
        reason = body["reason"].strip()

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
    @requires("grade")
    @answers(200, schemas.FEEDBACK_RELEASE)
    async def post(self, course_id: str, assignment_id: str) -> None:
        """Release the feedback of graded latest attempts to learners (grade scope)."""
        root = Path(self.campus.exchange_dir)

        def act(session):
            get_course(session, course_id)
            released = grading.release_assignment(
                session, root, course_id, assignment_id, actor=self.username
            )
            return {"released": released}

        self.write_json(await self.in_db(act))


class MyGradesHandler(APIHandler):
    @signed_in
    @query(course="only this course")
    @answers(200, schemas.MY_GRADES)
    async def get(self) -> None:
        """My submissions with their grade once feedback is released; the others pending."""
        course_id = self.get_argument("course", None)
        username = self.username

        self.write_json(
            {
                "username": username,
                "grades": await self.in_db(grading.my_grades, username, course_id),
            }
        )


class GradedNotebooksHandler(APIHandler):
    @requires("grade")
    @answers(200, ZIP, media="application/zip", description="the graded notebooks")
    async def get(self, course_id: str, submission_id: str) -> None:
        """The graded notebooks of a submission, hidden tests included (grade scope)."""

        await self.in_db(exchange.get_submission, submission_id, course_id)
        graded = exchange.graded_notebooks_dir(Path(self.campus.exchange_dir), submission_id)
        if not graded.is_dir():
            raise web.HTTPError(404, f"submission {submission_id} has not been graded yet")

        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="graded-{submission_id}.zip"')
        self.finish(exchange.zip_folder(graded))


default_handlers = [
    ("/api/courses/{course}/assignments/{assignment}/grading", GradingHandler),
    ("/api/courses/{course}/assignments/{assignment}/feedback/release", FeedbackReleaseHandler),
    ("/api/courses/{course}/grades/{submission}/cells", CellScoreHandler),
    ("/api/courses/{course}/grades/{submission}/graded", GradedNotebooksHandler),
    ("/api/me/grades", MyGradesHandler),
]
