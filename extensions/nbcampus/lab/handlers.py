"""The server side of the Courses panel: forward to the service, run exchange actions.

Every handler is a jupyter_server ``APIHandler``: the caller must be the server's own user
(logged in through the hub), and POSTs need the XSRF token as for any Jupyter API call.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from nbcampus.lab.assignments import ACTIONS, AssignmentActionError, exchange_message, run_action
from nbcampus.lab.forward import forward_rule
from nbcampus.lab.open_item import OpenExerciseHandler
from nbcampus.lab.settings import CampusLab
from nbcampus.school.core.api import Permissions
from nbcampus.workspace import CourseMaterials

#: largest request body the panel may forward (activity batches, enrolment, extensions)
MAX_FORWARD_BYTES = 256 * 1024
_PANEL_COURSE = r"(?!\.{1,2}/)[A-Za-z0-9._@+-]{1,64}"


class CampusHandler(APIHandler):
    """Base: the lab settings and the error format the panel shows."""

    @property
    def lab(self) -> CampusLab:
        return self.settings["nbcampus_lab"]

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"status": status, "message": message}))

    def check_ready(self) -> bool:
        if not (self.lab.api_url and self.lab.token):
            self.fail(
                503,
                "this server is not connected to an nbcampus service "
                "(NBCAMPUS_API_URL and JUPYTERHUB_API_TOKEN are set by the hub)",
            )
            return False
        return True


class ForwardHandler(CampusHandler):
    """``/nbcampus/api/<path>``: one whitelisted call to the service, with the server's token."""

    async def _forward(self, path: str) -> None:
        method = self.request.method
        if forward_rule(method, path) is None:
            self.fail(403, f"{method} {path} is not a call the Courses panel may make")
            return
        if not self.check_ready():
            return
        body = self.request.body if method in ("POST", "PUT", "PATCH") else None
        if body is not None and len(body) > MAX_FORWARD_BYTES:
            self.fail(413, f"request body over {MAX_FORWARD_BYTES} bytes")
            return
        query = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
        query.pop("token", None)  # tokens never travel in URLs
        url = self.lab.api_url.rstrip("/") + "/" + path + ("?" + urlencode(query) if query else "")
        request = HTTPRequest(
            url,
            method=method,
            body=body if body is not None else (b"" if method == "POST" else None),
            headers={
                "Authorization": f"token {self.lab.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            request_timeout=self.lab.request_timeout,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as e:
            self.fail(502, f"the nbcampus service did not answer: {e}")
            return
        if response.code == 599:
            self.fail(502, f"the nbcampus service did not answer: {response.error}")
            return
        self.set_status(response.code)
        self.set_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.finish(response.body or b"")

    @web.authenticated
    async def get(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    async def post(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    async def patch(self, path: str) -> None:
        await self._forward(path)


class WhoAmIHandler(CampusHandler):
    """``/nbcampus/whoami``: the user, the courses they staff and those whose discussions they
    moderate, from the server token's scopes."""

    @web.authenticated
    async def get(self) -> None:
        if not self.check_ready():
            return
        request = HTTPRequest(
            self.lab.hub_api_url.rstrip("/") + "/user",
            headers={"Authorization": f"token {self.lab.token}"},
            request_timeout=self.lab.request_timeout,
        )
        try:
            model = json.loads((await AsyncHTTPClient().fetch(request)).body)
        except (HTTPClientError, OSError) as e:
            self.fail(502, f"the hub did not say who you are: {e}")
            return
        permissions = Permissions(model["name"], model.get("scopes", []), bool(model.get("admin")))
        self.finish(
            {
                "username": model["name"],
                "admin": permissions.admin,
                "staff_courses": sorted(permissions.staff_courses()),
                "moderated_courses": sorted(permissions.moderated_courses()),
            }
        )


class AssignmentActionHandler(CampusHandler):
    """``POST /nbcampus/assignments/<course>/<assignment>/<action>``: fetch, submit, feedback,
    release, through nbgrader's exchange classes in this process."""

    @web.authenticated
    async def post(self, course_id: str, assignment_id: str, action: str) -> None:
        if action not in ACTIONS:
            self.fail(404, f"no assignment action {action!r}")
            return
        if not self.check_ready():
            return
        root_dir = self.settings["server_root_dir"]
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self.lab.executor,
                partial(run_action, action, root_dir, course_id, assignment_id),
            )
        except AssignmentActionError as e:
            self.fail(400, exchange_message(e))
            return
        self.finish(result)


class MaterialsHandler(CampusHandler):
    """``POST /nbcampus/courses/<course>/materials``: unpack the course's lessons into the
    workspace after enrolling from the panel (existing files are never replaced)."""

    @web.authenticated
    async def post(self, course_id: str) -> None:
        if not self.check_ready():
            return
        root = self.settings["server_root_dir"]
        materials = CourseMaterials(self.lab.api_url, self.lab.token, timeout=10)
        try:
            written = await materials.unpack_lessons(course_id, Path(root))
        except HTTPClientError as e:
            self.fail(e.code, f"lessons of {course_id}: {e.message}")
            return
        self.finish({"written": sorted(p.relative_to(root).as_posix() for p in written)})


def handlers(base_url: str) -> list[tuple[str, type]]:
    """The extension's routes under the server's base URL."""
    from jupyter_server.utils import url_path_join

    prefix = url_path_join(base_url, "nbcampus")
    return [
        (url_path_join(prefix, "api", "(.*)"), ForwardHandler),
        (url_path_join(prefix, "whoami"), WhoAmIHandler),
        (
            url_path_join(
                prefix,
                "assignments",
                f"({_PANEL_COURSE})",
                f"({_PANEL_COURSE})",
                r"(fetch|submit|fetch_feedback|release)",
            ),
            AssignmentActionHandler,
        ),
        (url_path_join(prefix, "courses", f"({_PANEL_COURSE})", "materials"), MaterialsHandler),
        # where LTI links to exercises land (docs/lti.md)
        (
            url_path_join(prefix, "open", f"({_PANEL_COURSE})", f"({_PANEL_COURSE})"),
            OpenExerciseHandler,
        ),
    ]
