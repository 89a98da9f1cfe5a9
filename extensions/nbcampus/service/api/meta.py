"""Service information, the OpenAPI document and admin actions."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nbcampus import __version__
from nbcampus.school.publishing.api import sync_catalog
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import admin_only, answers, public, signed_in
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


default_handlers = [
    ("/api/", RootHandler),
    ("/api/openapi.json", OpenAPIHandler),
    ("/api/admin/sync", SyncHandler),
]
