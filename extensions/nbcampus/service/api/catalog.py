"""Catalog: the courses a caller may see and join."""

from __future__ import annotations

from sqlalchemy import func, select

from nbcampus.school.catalog.api import CourseRecord, get_course
from nbcampus.school.enrolment.api import ENROLLED, Enrolment, seats_taken
from nbcampus.service.base import APIHandler
from nbcampus.service.views import public_course


class CatalogHandler(APIHandler):
    async def get(self) -> None:
        """GET /api/courses: every published course, with seats and the caller's status."""
        username = self.username

        def read(session):
            taken = dict(
                session.execute(
                    select(Enrolment.course_id, func.count())
                    .where(Enrolment.status == ENROLLED)
                    .group_by(Enrolment.course_id)
                ).all()
            )
            mine = dict(
                session.execute(
                    select(Enrolment.course_id, Enrolment.status).where(
                        Enrolment.username == username
                    )
                ).all()
            )
            courses = session.scalars(
                select(CourseRecord).where(CourseRecord.active).order_by(CourseRecord.id)
            )
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
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}: one course."""

        def read(session):
            course = get_course(session, course_id)
            return public_course(
                course, seats_taken(session, course_id), self.permissions.can("teach", course_id)
            )

        self.write_json(await self.in_db(read))
