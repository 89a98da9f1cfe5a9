"""Catalog: the courses a caller may see and join."""

from __future__ import annotations

from nbcampus.school.catalog.api import active_courses, get_course
from nbcampus.school.enrolment.api import seats_taken, seats_taken_by_course, statuses_of
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import answers, signed_in
from nbcampus.service.schemas import catalog as schemas
from nbcampus.service.views import public_course


class CatalogHandler(APIHandler):
    @signed_in
    @answers(200, schemas.CATALOG)
    async def get(self) -> None:
        """The catalog: published courses with seats and my status."""
        username = self.username

        def read(session):
            taken = seats_taken_by_course(session)
            mine = statuses_of(session, username)
            courses = active_courses(session)
            out = []
            for course in courses:
                view = public_course(
                    course, taken.get(course.id, 0), self.permissions.can("teach", course.id)
                )
                view["my_status"] = mine.get(course.id)
                out.append(view)
            return out

        self.write_json({"courses": await self.in_db(read)})


class CourseHandler(APIHandler):
    @signed_in
    @answers(200, schemas.COURSE)
    async def get(self, course_id: str) -> None:
        """One course (invite codes and roster for its instructors only)."""

        def read(session):
            course = get_course(session, course_id)
            return public_course(
                course, seats_taken(session, course_id), self.permissions.can("teach", course_id)
            )

        self.write_json(await self.in_db(read))


default_handlers = [
    ("/api/courses", CatalogHandler),
    ("/api/courses/{course}", CourseHandler),
]
