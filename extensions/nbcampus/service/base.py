"""What every API handler does: identify the caller with the hub, check scopes, speak JSON."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Any

from jupyterhub.services.auth import HubOAuthenticated, UserNotAllowed
from tornado import web
from tornado.escape import xhtml_escape

from nbcampus.school.core.api import ADMIN, CampusError, Permissions
from nbcampus.school.enrolment.api import is_enrolled
from nbcampus.service.endpoints import endpoint_of
from nbcampus.service.pages.html import CSP

MAX_JSON_BYTES = 1024 * 1024


class APIHandler(HubOAuthenticated, web.RequestHandler):
    """Base of the JSON API. The caller is a hub user, by token (header) or by OAuth cookie."""

    #: pages that answer without a login (API methods say so with ``@public``)
    public = False
    #: the validated JSON body of a method declared with ``@accepts``
    body: dict[str, Any] = {}
    #: the cohorts a ``@reads_reports`` method may cover (None: the whole course)
    report_cohorts: frozenset[str] | None = None

    def is_public(self) -> bool:
        """Whether this request needs no login: a public page, or a ``@public`` method."""
        spec = endpoint_of(getattr(self, self.request.method.lower(), None))
        return self.public or bool(spec and spec.permission and spec.permission.kind == "public")

    @property
    def db(self):
        return self.settings["campus"].db

    @property
    def campus(self):
        return self.settings["campus"]

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def prepare(self) -> None:
        if "token" in self.request.query_arguments:
            raise web.HTTPError(
                400, "tokens in URLs are refused: send 'Authorization: token ...' instead"
            )
        self.permissions: Permissions | None = None
        model = await self.hub_auth.get_user(self, sync=False)
        if model:
            try:
                # the token must carry access to this service (access:services!service=nbcampus)
                model = self.check_hub_user(model)
            except UserNotAllowed:
                raise web.HTTPError(
                    403, "this token has no access to the nbcampus service"
                ) from None
        if model and model.get("kind", "user") == "user":
            self._hub_auth_user_cache = model
            self.permissions = Permissions(
                model["name"], model.get("scopes", []), bool(model.get("admin"))
            )
        elif not self.is_public():
            raise web.HTTPError(
                403 if model else 401, "log in to the hub (or send a hub API token) to use this API"
            )

    def get_current_user(self):
        return getattr(self, "_hub_auth_user_cache", None)

    @property
    def username(self) -> str:
        assert self.permissions is not None
        return self.permissions.username

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.get_current_user().get("groups", []))

    @property
    def hub_email(self) -> str | None:
        """The address the hub's authenticator vouches for (single sign-on), if any."""
        model = self.get_current_user() or {}
        return (
            (model.get("user_info") or {}).get("email")
            or (model.get("auth_state") or {}).get("email")
            or model.get("email")
        )

    def require(self, action: str, course_id: str) -> None:
        """Refuse with 403 unless the caller may ``action`` (learn/teach/grade/report) on the course."""
        if self.permissions is None or not self.permissions.can(action, course_id):
            raise web.HTTPError(403, f"you may not {action} in course {course_id!r}")

    def may_read_course(self, session, course_id: str) -> None:
        """Staff of the course, or a learner enrolled in it; 403 for anyone else."""
        if self.permissions.can("grade", course_id) or self.permissions.can("report", course_id):
            return
        if not is_enrolled(session, course_id, self.username):
            raise web.HTTPError(403, f"you are not enrolled in {course_id}")

    def require_admin(self) -> None:
        """Refuse with 403 unless the caller is a hub admin."""
        if not (self.permissions and self.permissions.admin):
            raise web.HTTPError(403, f"only admins ({ADMIN}) may publish the catalog")

    def readable_cohorts(self, course_id: str, cohort: str | None) -> frozenset[str] | None:
        """The cohorts the caller's report may cover (None: the whole course); 403 when the
        caller may read no cohort of the course, or not the one asked for."""
        allowed = None if self.permissions is None else self.permissions.report_cohorts(course_id)
        if self.permissions is None or allowed == frozenset():
            raise web.HTTPError(403, f"you may not read reports of course {course_id!r}")
        if cohort is None:
            return allowed
        if allowed is not None and cohort not in allowed:
            raise web.HTTPError(
                403, f"you may not read reports of cohort {cohort!r} of course {course_id!r}"
            )
        return frozenset([cohort])

    def json_body(self) -> dict[str, Any]:
        body = self.request.body
        if len(body) > MAX_JSON_BYTES:
            raise web.HTTPError(413, f"request body over {MAX_JSON_BYTES} bytes")
        if not body:
            return {}
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise web.HTTPError(400, f"request body is not valid JSON: {e}") from None
        if not isinstance(data, dict):
            raise web.HTTPError(400, "request body must be a JSON object")
        return data

    async def in_db(self, fn, *args, **kwargs):
        """Run ``fn(session, *args, **kwargs)`` in one transaction on the DB thread pool."""

        readonly = self.request.method in ("GET", "HEAD")

        def work():
            with self.db.session(readonly=readonly) as session:
                return fn(session, *args, **kwargs)

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.campus.executor, partial(work))
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data, default=str))

    def write_error(self, status_code: int, **kwargs) -> None:
        message = self._reason
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.get_message():
            # get_message, not log_message: tornado doubles the % of a message given no args
            message = exc.get_message()
        elif status_code >= 500:
            message = "internal error; the service log has the details"
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"status": status_code, "message": message}))


class PageHandler(APIHandler):
    """Base of the staff pages (HTML): a browser without the service's cookie is sent through
    the hub's login; errors are short HTML pages; no script may run (CSP)."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def prepare(self) -> None:
        if not await self.hub_auth.get_user(self, sync=False):
            self.redirect(self.get_login_url())
            return
        await super().prepare()

    def finish_page(self, page: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", CSP)
        self.finish(page)

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = (exc.get_message() if isinstance(exc, web.HTTPError) else None) or self._reason
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f"<!doctype html><h1>{status_code}</h1><p>{xhtml_escape(message)}</p>")
