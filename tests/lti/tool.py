"""The service's LTI pages served in-process (the real handlers, database and platform client)
next to the emulated platform, for tests that need no hub."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jupyterhub.utils import url_path_join
from tornado import web

from nbcampus.school.lti.api import LtiSettings, PlatformClient
from nbcampus.service.app import route_regex
from nbcampus.service.pages.lti import LTI_PAGES
from nbcampus.testing import free_port
from tests.lti.platform import serving_platform

BASE = "/services/nbcampus/"


@dataclass
class Tool:
    """What the LTI pages read from the service (``settings["campus"]``)."""

    db: object
    executor: ThreadPoolExecutor
    lti: LtiSettings
    lti_key: object
    lti_client: PlatformClient
    url: str

    @property
    def login_url(self) -> str:
        return self.lti.url("lti/login")


@contextmanager
def serving_tool(database, state_dir: Path, platform_extra: dict | None = None):
    """(tool, platform): the tool's LTI pages and an emulated platform registered with it."""
    with serving_platform() as (platform, loop):
        port = free_port()
        platforms_file = state_dir / "lti-platforms.json"
        platforms_file.write_text(json.dumps([platform.settings(**(platform_extra or {}))]))
        settings = LtiSettings(
            platforms_file=str(platforms_file),
            state_dir=str(state_dir),
            public_url=f"http://127.0.0.1:{port}/",
            retry_base_seconds=0.0,
        )
        key = settings.key()
        tool = Tool(
            database,
            ThreadPoolExecutor(4),
            settings,
            key,
            PlatformClient(key),
            f"http://127.0.0.1:{port}/",
        )
        app = web.Application(
            [(url_path_join(BASE, route_regex(p)), h) for p, h in LTI_PAGES], campus=tool
        )
        loop.serve(app, port)
        platform.tool_jwks_url = settings.url("lti/jwks.json")
        try:
            yield tool, platform
        finally:
            tool.executor.shutdown(wait=False)
