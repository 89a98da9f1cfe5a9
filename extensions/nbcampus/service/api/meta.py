"""Service information, the OpenAPI document and admin actions."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tornado import web

from nbcampus import __version__
from nbcampus.school.core.api import CampusError
from nbcampus.school.publishing.api import release_exercise, sync_catalog
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import admin_only, answers, public, requires, signed_in
from nbcampus.service.schemas import catalog as schemas


class RootHandler(APIHandler):
    @signed_in
    @answers(200, schemas.SERVICE)
    async def get(self) -> None:
        """Service version and the caller's name."""
        self.write_json({"service": "nbcampus", "version": __version__, "username": self.username})


class OpenAPIHandler(APIHandler):
    @public
    @answers(200, schemas.OPENAPI)
    async def get(self) -> None:
        """This document (no login needed)."""
        # made by the application (nbcampus.service.openapi), which knows every route
        self.write_json(self.settings["openapi_document"])


class SyncHandler(APIHandler):
    @admin_only
    @answers(200, schemas.SYNC_REPORT)
    async def post(self) -> None:
        """Publish the course folders again and release changed material (admin)."""
        loop = asyncio.get_running_loop()
        campus = self.campus
        report = await loop.run_in_executor(
            campus.executor,
            lambda: sync_catalog(
                self.db,
                campus.courses_dir,
                self.username,
                Path(campus.exchange_dir),
                campus.release_cache,
            ),
        )
        self.write_json(
            {
                "published": report.published,
                "unchanged": report.unchanged,
                "released": report.released,
                "rejected": {k: [str(p) for p in v] for k, v in report.rejected.items()},
            }
        )


class ExerciseReleaseHandler(APIHandler):
    @requires("teach")
    @answers(200, schemas.EXERCISE_RELEASE)
    async def post(self, course_id: str, assignment_id: str) -> None:
        """Release an exercise from its course folder on the service, made by nbgrader (teach):
        the instructor's Release button, which needs nothing in the instructor's home."""
        campus = self.campus
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                campus.executor,
                lambda: release_exercise(
                    self.db,
                    campus.courses_dir,
                    course_id,
                    assignment_id,
                    actor=self.username,
                    exchange_dir=Path(campus.exchange_dir),
                ),
            )
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None
        self.write_json(result)


default_handlers = [
    ("/api/", RootHandler),
    ("/api/openapi.json", OpenAPIHandler),
    ("/api/admin/sync", SyncHandler),
    ("/api/courses/{course}/assignments/{assignment}/release", ExerciseReleaseHandler),
]
