"""Learning activity reported by learners' JupyterLab (through the nbcampus server extension)."""

from __future__ import annotations

from tornado import web

from nbcampus.school.core.api import CampusError
from nbcampus.school.progress.api import my_notebooks, parse_events, record_activity
from nbcampus.service.base import APIHandler


class MyActivityHandler(APIHandler):
    async def post(self) -> None:
        """POST /api/me/activity {"events": [...]}: record a batch of my activity (202)."""
        try:
            events = parse_events(self.json_body())
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None
        for course_id in {e.course_id for e in events}:
            self.require("learn", course_id)
        accepted = await self.in_db(record_activity, self.username, events)
        self.write_json({"accepted": accepted}, status=202)

    async def get(self) -> None:
        """GET /api/me/activity?course=C: the notebooks of course C I have worked in."""
        course_id = self.get_query_argument("course", "")
        if not course_id:
            raise web.HTTPError(400, "say which course: ?course=<course id>")
        self.require("learn", course_id)
        notebooks = await self.in_db(my_notebooks, self.username, course_id)
        self.write_json({"course": course_id, "notebooks": notebooks})
