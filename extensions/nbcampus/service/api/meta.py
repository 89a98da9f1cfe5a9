"""Service information, the OpenAPI document and admin actions."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nbcampus import __version__
from nbcampus.school.core.api import ADMIN
from nbcampus.school.publishing.api import sync_catalog
from nbcampus.service.base import APIHandler
from nbcampus.service.openapi import openapi_document


class RootHandler(APIHandler):
    async def get(self) -> None:
        """GET /api/: version and who is asking."""
        self.write_json({"service": "nbcampus", "version": __version__, "username": self.username})


class OpenAPIHandler(APIHandler):
    public = True

    async def get(self) -> None:
        """GET /api/openapi.json: the API description."""
        self.write_json(openapi_document(self.campus.base_url.rstrip("/")))


class SyncHandler(APIHandler):
    async def post(self) -> None:
        """POST /api/admin/sync: publish the course folders again."""
        if not (self.permissions and self.permissions.admin):
            from tornado import web

            raise web.HTTPError(403, f"only admins ({ADMIN}) may publish the catalog")
        loop = asyncio.get_running_loop()
        campus = self.campus
        report = await loop.run_in_executor(
            campus.executor,
            lambda: sync_catalog(
                self.db, campus.courses_dir, self.username, Path(campus.exchange_dir)
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
