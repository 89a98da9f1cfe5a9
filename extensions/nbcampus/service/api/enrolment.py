"""Enrolment: join, leave, waitlist, cohorts, tracks, rosters."""

from __future__ import annotations

import csv
import io

from tornado import web

from nbcampus.course.packages import package_hosts, package_index
from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import course_audit, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment import api as rules
from nbcampus.school.notifications import api as notifications
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import (
    accepts,
    answers,
    in_body,
    in_path,
    query,
    requires,
    signed_in,
)
from nbcampus.service.schemas import enrolment as schemas
from nbcampus.service.schemas.common import CSV
from nbcampus.service.views import enrolment_view


class EnrolmentsHandler(APIHandler):
    @requires("report")
    @query(
        status=(
            "enrolled, waitlisted or unenrolled",
            {"enum": ["enrolled", "waitlisted", "unenrolled"]},
        )
    )
    @answers(200, schemas.ENROLMENTS)
    async def get(self, course_id: str) -> None:
        """Learners of the course (report scope)."""
        status = self.get_argument("status", None)

        def read(session):
            get_course(session, course_id)
            return [enrolment_view(e) for e in rules.course_enrolments(session, course_id, status)]

        self.write_json({"enrolments": await self.in_db(read)})

    @requires("teach", unless_self=in_body("username"), self_needs="learn")
    @accepts(schemas.ENROL)
    @answers(201, schemas.ENROLMENT, description="enrolled")
    @answers(202, schemas.ENROLMENT, description="waitlisted")
    @answers(409, description="the course is full")
    async def post(self, course_id: str) -> None:
        """Enrol myself (with an invite code for a SPOC), or as staff enrol someone.

        Staff enrol others with ``{"username", "reason"}``: admitted past the course's rule."""
        body = self.body
        code = body.get("code")
        target = body.get("username", self.username)
        admit = target != self.username
        reason = str(body.get("reason", ""))

        def act(session):
            # admission by e-mail domain reads a verified address only (never the username);
            # the hub's (single sign-on) is one, recorded before it is read
            if not admit:
                notifications.record_hub_address(session, self.username, self.hub_email)
            learner = (
                rules.Learner(target)
                if admit
                else rules.Learner(
                    self.username,
                    self.groups,
                    email=notifications.verified_address(session, self.username),
                )
            )
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
    @requires("report", unless_self=in_path("username"))
    @answers(200, schemas.ENROLMENT_WITH_DEADLINES)
    async def get(self, course_id: str, username: str) -> None:
        """One enrolment with its deadlines (mine, or with report scope)."""

        def read(session):
            course = get_course(session, course_id)
            enrolment = rules.find_enrolment(session, course_id, username)
            view = enrolment_view(enrolment)
            view["deadlines"] = [
                d.as_json() for d in resolve_deadlines(session, course.data, enrolment).values()
            ]
            return view

        self.write_json(await self.in_db(read))

    @requires("teach", unless_self=in_path("username"))
    @query(reason="why, for the audit trail")
    @answers(200, schemas.ENROLMENT)
    async def delete(self, course_id: str, username: str) -> None:
        """Unenrol (myself, or as staff)."""
        reason = self.get_argument("reason", "")

        def act(session):
            return enrolment_view(
                rules.unenrol(session, course_id, username, actor=self.username, reason=reason)
            )

        self.write_json(await self.in_db(act))

    @requires("teach")
    @accepts(schemas.CHANGE_ENROLMENT)
    @answers(200, schemas.ENROLMENT)
    async def patch(self, course_id: str, username: str) -> None:
        """Move a learner to another cohort or track (staff; audited).

        ``{"cohort"}`` or ``{"track": "verified"}``, with a reason."""
        body = self.body
        reason = body["reason"]
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
    @requires("teach")
    @accepts(CSV, media="text/csv")
    @query(reason="why, for the audit trail")
    @answers(200, schemas.ROSTER_ADDED)
    @answers(413, description="roster over 2 MB")
    async def post(self, course_id: str) -> None:
        """Invite people by name: a CSV with a username column (staff)."""
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
    @signed_in
    @answers(200, schemas.MY_ENROLMENTS)
    async def get(self) -> None:
        """My courses, cohorts, tracks and deadlines."""
        username = self.username

        def read(session):
            out = []
            for enrolment in rules.enrolments_of(session, username):
                course = get_course(session, enrolment.course_id)
                view = enrolment_view(enrolment)
                view["title"] = course.title
                view["packages"] = {
                    "hosts": package_hosts(course.data),
                    "index_url": package_index(course.data),
                }
                view["deadlines"] = [
                    d.as_json() for d in resolve_deadlines(session, course.data, enrolment).values()
                ]
                out.append(view)
            return out

        self.write_json({"username": username, "enrolments": await self.in_db(read)})


class AuditHandler(APIHandler):
    @requires("teach")
    @query(
        limit=(
            "at most this many records, newest first (500; at most 5000)",
            {"type": "integer", "minimum": 1},
        )
    )
    @answers(200, schemas.AUDIT)
    async def get(self, course_id: str) -> None:
        """The course's audit trail (staff)."""
        limit = min(int(self.get_argument("limit", "500")), 5000)

        def read(session):
            return course_audit(session, course_id, limit)

        self.write_json({"events": await self.in_db(read)})


class VouchersHandler(APIHandler):
    @requires("teach")
    @accepts(schemas.NEW_VOUCHERS)
    @answers(201, schemas.VOUCHERS)
    async def post(self, course_id: str) -> None:
        """Make upgrade codes for the verified track (staff; shown this once, audited)."""
        count, note = int(self.body["count"]), str(self.body.get("note", ""))

        def act(session):
            return rules.make_vouchers(session, course_id, count, actor=self.username, note=note)

        self.write_json({"course": course_id, "codes": await self.in_db(act)}, status=201)


class UpgradeHandler(APIHandler):
    @requires("learn")
    @answers(200, schemas.MY_UPGRADE)
    async def get(self, course_id: str) -> None:
        """My track and my upgrade to the verified track (null: none asked for)."""

        def read(session):
            enrolment = rules.find_enrolment(session, course_id, self.username, active=True)
            upgrade = rules.my_upgrade(session, course_id, self.username)
            return {
                "course": course_id,
                "track": enrolment.track,
                "upgrade": rules.upgrade_view(upgrade),
            }

        self.write_json(await self.in_db(read))

    @requires("learn")
    @accepts(schemas.REDEEM)
    @answers(201, schemas.MY_UPGRADE)
    async def post(self, course_id: str) -> None:
        """Redeem an upgrade code: my upgrade then awaits identity verification by staff."""
        code = str(self.body["code"])

        def act(session):
            upgrade = rules.redeem(session, course_id, self.username, code, utcnow())
            return {"course": course_id, "track": "audit", "upgrade": rules.upgrade_view(upgrade)}

        self.write_json(await self.in_db(act), status=201)


class UpgradesHandler(APIHandler):
    @requires("teach")
    @answers(200, schemas.UPGRADES)
    async def get(self, course_id: str) -> None:
        """Upgrades awaiting identity verification, oldest first (staff)."""

        def read(session):
            get_course(session, course_id)
            return [rules.upgrade_view(u) for u in rules.awaiting(session, course_id)]

        self.write_json({"course": course_id, "upgrades": await self.in_db(read)})


class UpgradeDecisionHandler(APIHandler):
    @requires("teach")
    @accepts(schemas.DECISION)
    @answers(200, schemas.UPGRADE)
    async def post(self, course_id: str, username: str) -> None:
        """Approve (identity verified: the learner's track becomes verified) or refuse, with
        how or why (staff; audited)."""
        approve, reason = bool(self.body["approve"]), str(self.body["reason"])

        def act(session):
            upgrade = rules.decide(
                session,
                course_id,
                username,
                approve,
                actor=self.username,
                reason=reason,
                now=utcnow(),
            )
            return rules.upgrade_view(upgrade)

        self.write_json(await self.in_db(act))


default_handlers = [
    ("/api/courses/{course}/enrolments", EnrolmentsHandler),
    ("/api/courses/{course}/enrolments/{username}", EnrolmentHandler),
    ("/api/courses/{course}/roster", RosterHandler),
    ("/api/courses/{course}/audit", AuditHandler),
    ("/api/me/enrolments", MyEnrolmentsHandler),
    ("/api/courses/{course}/vouchers", VouchersHandler),
    ("/api/courses/{course}/upgrade", UpgradeHandler),
    ("/api/courses/{course}/upgrades", UpgradesHandler),
    ("/api/courses/{course}/upgrades/{username}", UpgradeDecisionHandler),
]
