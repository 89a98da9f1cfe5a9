"""The HTTP exchange used by nbgrader inside learners' and instructors' servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, utcnow
from nbcampus.school.exchange import api as exchange
from nbcampus.school.exchange.api import LESSONS, Submission, read_archive, zip_folder
from nbcampus.school.grading import api as grading
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, query, requires, signed_in
from nbcampus.service.schemas import exchange as schemas
from nbcampus.service.schemas.common import ZIP

ZIP_MEDIA = "application/zip"


def zip_answer(description: str):
    """Document a ZIP archive answer."""
    return answers(200, ZIP, media=ZIP_MEDIA, description=description)


async def submission_course(handler: SubmissionHandler, arguments: dict[str, Any]) -> str:
    """The course of the submission in the path; 404 unless it is the caller's or they grade
    its course (no probing other learners' work)."""
    sub = await handler.in_db(handler._load, arguments["submission_id"])
    return sub.course_id


class ExchangeHandler(APIHandler):
    """Shared by the exchange handlers: archive limits and storage."""

    @property
    def storage_root(self) -> Path:
        return Path(self.campus.exchange_dir)

    async def prepare(self) -> None:
        await super().prepare()
        length = self.request.headers.get("Content-Length")
        limit = self.campus.limits.max_bytes
        if length and length.isdigit() and int(length) > limit:
            raise web.HTTPError(413, f"the upload is {length} bytes; the limit is {limit}")

    def archive(self) -> dict[str, bytes]:
        try:
            return read_archive(self.request.body, self.campus.limits)
        except CampusError as e:  # ArchiveError
            raise web.HTTPError(e.status, e.message) from None

    def send_zip(self, data: bytes, name: str) -> None:
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="{name}.zip"')
        self.finish(data)

    async def send_release(self, course_id: str, item: str, missing: str, name: str) -> None:
        """Answer with the current release of ``item`` (an assignment or the lessons) as a ZIP."""

        def read(session):
            get_course(session, course_id)
            self.may_read_course(session, course_id)
            rel = exchange.current_release(session, course_id, item)
            if rel is None:
                raise web.HTTPError(404, missing)
            return rel.storage

        storage = await self.in_db(read)
        self.send_zip(zip_folder(self.storage_root / storage), name)


class LessonsHandler(ExchangeHandler):
    @signed_in
    @zip_answer("the lesson files")
    async def get(self, course_id: str) -> None:
        """The course's lesson files (enrolled or staff)."""

        await self.send_release(
            course_id, LESSONS, f"{course_id} has no lessons", f"{course_id}-lessons"
        )


class AssignmentsHandler(ExchangeHandler):
    @signed_in
    @query(course="one course")
    @answers(200, schemas.ASSIGNMENTS)
    async def get(self) -> None:
        """Released assignments of my courses, with my submissions and feedback."""
        course = self.get_argument("course", None)
        staff = self.permissions.staff_courses()

        def read(session):
            rows = exchange.assignments_for(session, self.username, staff, course)
            for row in rows:
                # shown before the learner submits: does a later, worse attempt replace a grade?
                row["counted_attempt"] = grading.counted_attempt(
                    get_course(session, row["course_id"]).data
                )
            return rows

        self.write_json({"assignments": await self.in_db(read)})


class ReleaseHandler(ExchangeHandler):
    @signed_in
    @zip_answer("the released files")
    async def get(self, course_id: str, assignment_id: str) -> None:
        """The current release of an assignment (enrolled or staff)."""

        await self.send_release(
            course_id,
            assignment_id,
            f"{course_id}/{assignment_id} has not been released",
            assignment_id,
        )

    @requires("teach")
    @accepts(ZIP, media=ZIP_MEDIA)
    @answers(201, schemas.RELEASED)
    @answers(413, description="the upload is over the limit")
    async def post(self, course_id: str, assignment_id: str) -> None:
        """Release an assignment from a ZIP of its files (teach)."""
        files = self.archive()

        def act(session):
            rel = exchange.release(
                session, self.storage_root, course_id, assignment_id, files, actor=self.username
            )
            return {
                "release_id": rel.id,
                "files": sorted(rel.files),
                "released_at": rel.released_at.isoformat(),
            }

        self.write_json(await self.in_db(act), status=201)


class SubmissionsHandler(ExchangeHandler):
    @requires("learn")
    @accepts(ZIP, media=ZIP_MEDIA)
    @answers(201, schemas.SUBMITTED)
    @answers(413, description="the upload is over the limit")
    async def post(self, course_id: str, assignment_id: str) -> None:
        """Submit: a new immutable attempt, timestamped by the server."""
        received_at = utcnow()  # the body is complete when the handler runs
        files = self.archive()

        def act(session):
            sub = exchange.submit(
                session,
                self.storage_root,
                course_id,
                assignment_id,
                self.username,
                files,
                received_at,
            )
            view = exchange.submission_view(sub)
            if self.campus.auto_grade:
                (job,) = grading.enqueue(session, [sub], requested_by="submission")
                view["grading"] = {"job_id": job.id, "state": job.state}
            return view

        self.write_json(await self.in_db(act), status=201)

    @requires("grade")
    @query(latest="1: each learner's newest only")
    @answers(200, schemas.SUBMISSIONS)
    async def get(self, course_id: str, assignment_id: str) -> None:
        """Submissions to grade (grade scope)."""
        latest = self.get_argument("latest", "0") in ("1", "true")

        def read(session):
            get_course(session, course_id)
            return [
                exchange.submission_view(s)
                for s in exchange.list_submissions(session, course_id, assignment_id, latest)
            ]

        self.write_json({"submissions": await self.in_db(read)})


class SubmissionHandler(ExchangeHandler):
    def _load(self, session, submission_id: str) -> Submission:
        try:
            sub = exchange.get_submission(session, submission_id)
        except CampusError:
            sub = None
        if sub is None or (
            sub.username != self.username and not self.permissions.can("grade", sub.course_id)
        ):
            # the same answer whether it exists or not: no probing other learners' work
            raise web.HTTPError(404, f"no submission {submission_id!r}")
        return sub

    @signed_in
    @zip_answer("the submitted files and timestamp.txt")
    async def get(self, submission_id: str) -> None:
        """A submission's files with the server's timestamp.txt (owner or grader)."""

        def read(session):
            sub = self._load(session, submission_id)
            return sub.storage, sub.received_at

        storage, received_at = await self.in_db(read)
        # nbgrader reads timestamp.txt to judge lateness: it gets the server's receive time
        stamp = received_at.strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        self.send_zip(
            zip_folder(self.storage_root / storage, {"timestamp.txt": stamp.encode()}),
            submission_id,
        )


class FeedbackHandler(SubmissionHandler):
    @signed_in
    @zip_answer("the feedback files")
    async def get(self, submission_id: str) -> None:
        """Released feedback of a submission (owner or grader)."""

        def read(session):
            sub = self._load(session, submission_id)
            feedback = exchange.latest_feedback(session, sub.id)
            if feedback is None:
                raise web.HTTPError(404, f"no feedback released for submission {submission_id!r}")
            return feedback.storage

        storage = await self.in_db(read)
        self.send_zip(zip_folder(self.storage_root / storage), f"feedback-{submission_id}")

    @requires("grade", course=submission_course)
    @accepts(ZIP, media=ZIP_MEDIA)
    @answers(201, schemas.FEEDBACK_RELEASED)
    @answers(413, description="the upload is over the limit")
    async def post(self, submission_id: str) -> None:
        """Release feedback files for a submission (grade scope)."""
        files = self.archive()

        def act(session):
            sub = self._load(session, submission_id)
            feedback = exchange.add_feedback(
                session, self.storage_root, sub, files, actor=self.username
            )
            return {"submission_id": sub.id, "released_at": feedback.released_at.isoformat()}

        self.write_json(await self.in_db(act), status=201)


default_handlers = [
    ("/api/courses/{course}/lessons", LessonsHandler),
    ("/api/exchange/assignments", AssignmentsHandler),
    ("/api/exchange/courses/{course}/assignments/{assignment}/release", ReleaseHandler),
    ("/api/exchange/courses/{course}/assignments/{assignment}/submissions", SubmissionsHandler),
    ("/api/exchange/submissions/{submission}", SubmissionHandler),
    ("/api/exchange/submissions/{submission}/feedback", FeedbackHandler),
]
