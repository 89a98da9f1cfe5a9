"""Enrolment: join, leave, waitlist, cohorts, tracks, rosters."""

from __future__ import annotations

import csv
import io

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import course_audit
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment import api as rules
from nbcampus.service.base import APIHandler
from nbcampus.service.views import enrolment_view


class EnrolmentsHandler(APIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/enrolments: the course's learners (staff and report readers)."""
        self.require("report", course_id)
        status = self.get_argument("status", None)

        def read(session):
            get_course(session, course_id)
            return [enrolment_view(e) for e in rules.course_enrolments(session, course_id, status)]

        self.write_json({"enrolments": await self.in_db(read)})

    async def post(self, course_id: str) -> None:
        """POST /api/courses/{course}/enrolments: enrol yourself ({"code": ...} for a SPOC), or,
        as staff, someone else ({"username": ..., "reason": ...})."""
        body = self.json_body()
        code = body.get("code")
        if code is not None and not isinstance(code, str):
            raise web.HTTPError(400, "code must be a string")
        target = body.get("username", self.username)
        if target != self.username:
            self.require("teach", course_id)
            learner = rules.Learner(target)
            admit = True
        else:
            self.require("learn", course_id)
            learner = rules.Learner(self.username, self.groups)
            admit = False
        reason = str(body.get("reason", ""))

        def act(session):
            enrolment = rules.enrol(
                session,
                course_id,
                learner,
                code=code,
                actor=self.username,
                admit=admit,
                reason=reason,
            )
            return enrolment_view(enrolment)

        view = await self.in_db(act)
        self.write_json(view, status=201 if view["status"] == "enrolled" else 202)


class EnrolmentHandler(APIHandler):
    def _may_act(self, course_id: str, username: str) -> None:
        if username != self.username:
            self.require("teach", course_id)

    async def get(self, course_id: str, username: str) -> None:
        """GET /api/courses/{course}/enrolments/{username}: one enrolment with its deadlines."""
        if username != self.username:
            self.require("report", course_id)

        def read(session):
            course = get_course(session, course_id)
            enrolment = rules.find_enrolment(session, course_id, username)
            view = enrolment_view(enrolment)
            view["deadlines"] = [
                d.as_json() for d in resolve_deadlines(session, course.data, enrolment).values()
            ]
            return view

        self.write_json(await self.in_db(read))

    async def delete(self, course_id: str, username: str) -> None:
        """DELETE /api/courses/{course}/enrolments/{username}: unenrol (yourself, or as staff)."""
        self._may_act(course_id, username)
        reason = self.get_argument("reason", "")

        def act(session):
            return enrolment_view(
                rules.unenrol(session, course_id, username, actor=self.username, reason=reason)
            )

        self.write_json(await self.in_db(act))

    async def patch(self, course_id: str, username: str) -> None:
        """PATCH /api/courses/{course}/enrolments/{username}: staff move a learner to another
        cohort ({"cohort"}) or track ({"track": "verified"}), with a reason."""
        self.require("teach", course_id)
        body = self.json_body()
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise web.HTTPError(400, "say why (reason): moves and track changes are audited")
        if not ({"cohort", "track"} & body.keys()):
            raise web.HTTPError(400, "give a new cohort or track")

        def act(session):
            enrolment = None
            if "cohort" in body:
                enrolment = rules.move(
                    session,
                    course_id,
                    username,
                    str(body["cohort"]),
                    actor=self.username,
                    reason=reason,
                )
            if "track" in body:
                enrolment = rules.set_track(
                    session,
                    course_id,
                    username,
                    str(body["track"]),
                    actor=self.username,
                    reason=reason,
                )
            return enrolment_view(enrolment)

        self.write_json(await self.in_db(act))


class RosterHandler(APIHandler):
    async def post(self, course_id: str) -> None:
        """POST /api/courses/{course}/roster: add invited people from a CSV with a username column."""
        self.require("teach", course_id)
        if len(self.request.body) > 2 * 1024 * 1024:
            raise web.HTTPError(413, "roster over 2 MB")
        try:
            text = self.request.body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise web.HTTPError(400, "the roster is not UTF-8 text") from None
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "username" not in [f.strip() for f in reader.fieldnames]:
            raise web.HTTPError(400, "roster line 1: the CSV needs a 'username' column")
        names = []
        for line, row in enumerate(reader, start=2):
            name = (row.get("username") or "").strip()
            if not name or "/" in name or len(name) > 255:
                raise web.HTTPError(400, f"roster line {line}: invalid username {name!r}")
            names.append(name)
        reason = self.get_argument("reason", "roster upload")

        def act(session):
            return rules.add_to_roster(
                session, course_id, names, actor=self.username, reason=reason
            )

        self.write_json({"added": await self.in_db(act)})


class MyEnrolmentsHandler(APIHandler):
    async def get(self) -> None:
        """GET /api/me/enrolments: my courses, cohorts, tracks and deadlines."""
        username = self.username

        def read(session):
            out = []
            for enrolment in rules.enrolments_of(session, username):
                course = get_course(session, enrolment.course_id)
                view = enrolment_view(enrolment)
                view["title"] = course.title
                view["deadlines"] = [
                    d.as_json() for d in resolve_deadlines(session, course.data, enrolment).values()
                ]
                out.append(view)
            return out

        self.write_json({"username": username, "enrolments": await self.in_db(read)})


class AuditHandler(APIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/audit: the course's audit trail (instructors)."""
        self.require("teach", course_id)
        limit = min(int(self.get_argument("limit", "500")), 5000)

        def read(session):
            return course_audit(session, course_id, limit)

        self.write_json({"events": await self.in_db(read)})
