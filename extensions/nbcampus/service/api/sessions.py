"""Announcements and live sessions of a course, and a learner's calendar feed (iCalendar at an
unguessable address that calendar apps open without a login)."""

from __future__ import annotations

from datetime import datetime

from tornado import web

from nbcampus.school.discussion import api as discussion
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, public, query, signed_in
from nbcampus.service.schemas import discussion as schemas


class AnnouncementsHandler(APIHandler):
    @signed_in
    @answers(200, schemas.ANNOUNCEMENTS)
    async def get(self, course_id: str) -> None:
        """The course's latest announcements to me (course-wide and my cohort's)."""
        found = await self.in_db(discussion.announcements, self.permissions, course_id)
        self.write_json({"announcements": found})

    @signed_in
    @accepts(schemas.NEW_ANNOUNCEMENT)
    @answers(201, schemas.ANNOUNCEMENT)
    async def post(self, course_id: str) -> None:
        """Announce to the course or one cohort (community managers and instructors; audited)."""
        body = self.body
        made = await self.in_db(
            discussion.announce,
            self.permissions,
            course_id,
            body["title"],
            body["body"],
            body.get("cohort"),
        )
        self.write_json(made, status=201)


class SessionsHandler(APIHandler):
    @signed_in
    @query(past=("true: also the sessions that have ended", {"enum": ["true", "false"]}))
    @answers(200, schemas.LIVE_SESSIONS)
    async def get(self, course_id: str) -> None:
        """Live sessions of the course I may attend (course-wide and my cohort's), soonest first."""
        past = self.get_argument("past", "false") == "true"
        found = await self.in_db(discussion.upcoming_sessions, self.permissions, course_id, past)
        self.write_json({"sessions": found})

    @signed_in
    @accepts(schemas.NEW_SESSION)
    @answers(201, schemas.LIVE_SESSION)
    async def post(self, course_id: str) -> None:
        """Schedule a live session of the course or one cohort (staff and mentors; audited)."""
        body = self.body
        made = await self.in_db(
            discussion.schedule,
            self.permissions,
            course_id,
            title=body["title"],
            starts_at=datetime.fromisoformat(body["starts_at"]),
            minutes=body["minutes"],
            meeting_url=body["meeting_url"],
            cohort=body.get("cohort"),
        )
        self.write_json(made, status=201)


class AttendanceHandler(APIHandler):
    @signed_in
    @accepts(schemas.ATTENDANCE)
    @answers(200, schemas.ATTENDED)
    async def post(self, session_id: str) -> None:
        """Record who attended a live session (staff and mentors; audited); all or nothing."""
        if not session_id.isdigit() or len(session_id) > 18:
            raise web.HTTPError(404, f"no session {session_id!r}")
        attended = await self.in_db(
            discussion.record_attendance,
            self.permissions,
            int(session_id),
            self.body["usernames"],
            self.body.get("attended", True),
        )
        self.write_json({"session_id": int(session_id), "attended": attended})


class CalendarKeyHandler(APIHandler):
    @signed_in
    @answers(201, schemas.CALENDAR_KEY)
    async def post(self) -> None:
        """A new address of my calendar feed (the former one stops working)."""
        key = await self.in_db(discussion.new_key, self.username)
        base = self.campus.base_url.rstrip("/")
        url = f"{self.request.protocol}://{self.request.host}{base}/api/me/calendar.ics?key={key}"
        self.write_json({"url": url}, status=201)


class CalendarHandler(APIHandler):
    @public
    @query(
        key=(
            "the key of the feed's address (POST /api/me/calendar-key)",
            {"type": "string", "minLength": 1, "maxLength": 100},
        )
    )
    @answers(200, schemas.CALENDAR, media="text/calendar")
    async def get(self) -> None:
        """My calendar (iCalendar): the live sessions and deadlines of my courses.

        No login: the unguessable key in the address says whose it is (404 for any other)."""
        key = self.get_argument("key", "")

        def read(session):
            return discussion.calendar(session, discussion.key_owner(session, key))

        text = await self.in_db(read)
        self.set_header("Content-Type", "text/calendar; charset=utf-8")
        self.finish(text)


default_handlers = [
    ("/api/courses/{course}/announcements", AnnouncementsHandler),
    ("/api/courses/{course}/sessions", SessionsHandler),
    ("/api/sessions/{session}/attendance", AttendanceHandler),
    ("/api/me/calendar-key", CalendarKeyHandler),
    ("/api/me/calendar.ics", CalendarHandler),
]
