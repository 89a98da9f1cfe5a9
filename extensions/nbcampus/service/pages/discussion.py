"""The discussion pages: a course's threads and one thread, in a browser or on a phone, without
JupyterLab. Thin adapters over ``school.discussion``: every rule (who is a member, which
threads and posts one sees, closed threads, rate limits) is the school's, applied with the same
Permissions the API's handlers use; a form's input is checked with the API's own schemas.

The forms post with the hub's XSRF token (``_xsrf``): a cross-site form has none and is refused.
"""

from __future__ import annotations

from typing import Any

from tornado import web
from tornado.escape import url_escape

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, NotFound
from nbcampus.school.discussion import api as discussion
from nbcampus.service.api.discussion import DiscussionHandler, ThreadsHandler, number
from nbcampus.service.base import PageHandler
from nbcampus.service.endpoints import endpoint_of
from nbcampus.service.pages import discussion_html as views
from nbcampus.service.schemas import discussion as schemas
from nbcampus.service.validation import check_body, check_query

#: the list's query arguments, checked as the API checks them
QUERY = endpoint_of(ThreadsHandler.get).query
PAGE_SIZE = 50


def course_facts(session, course_id: str) -> dict[str, Any]:
    course = get_course(session, course_id)
    modules = [(m["id"], m.get("title") or m["id"]) for m in course.data.get("modules", [])]
    return {"title": course.title, "modules": modules}


class DiscussionPage(PageHandler, DiscussionHandler):
    """What both pages share: XSRF on posts, form input, errors as pages."""

    async def prepare(self) -> None:
        if self.request.method == "POST" and "Authorization" not in self.request.headers:
            # a form without the hub's _xsrf token: 403 with the reason (the hub's OAuth would
            # quietly ignore the cookie and send the browser to log in again)
            self.check_xsrf_cookie()
        await super().prepare()

    def list_url(self, course_id: str) -> str:
        return f"{self.campus.base_url}courses/{url_escape(course_id, plus=False)}/discussion"

    def form_text(self, name: str) -> str:
        return self.get_body_argument(name, "", strip=False)

    def checked_body(self, data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        """``data`` checked with the API's schema; an oversized body says so briefly."""
        size = len(data.get("body", ""))
        if size > schemas.BODY_CHARS:
            raise web.HTTPError(400, f"body: at most {schemas.BODY_CHARS} characters, not {size}")
        return check_body(data, schema)

    async def in_db_write(self, fn, *args):
        """``fn(session, *args)`` in one read-write transaction (CampusError as its 4xx)."""

        def work():
            with self.db.session() as session:
                return fn(session, *args)

        try:
            return await self.campus.run(work)
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None

    def show(self, page: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", views.CSP)
        self.finish(page)

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = (exc.get_message() if isinstance(exc, web.HTTPError) else None) or self._reason
        if status_code >= 500:
            message = "internal error; the service log has the details"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", views.CSP)
        self.finish(views.error_page(status_code, message, self.campus.base_url))


class DiscussionListPage(DiscussionPage):
    """GET /services/nbcampus/courses/{course}/discussion: the threads I may see, with the
    API's filters, announcements and upcoming sessions; POST starts a thread."""

    def filters(self) -> dict[str, str]:
        found = {}
        for name in views.FILTERS:
            value = self.get_query_argument(name, "").strip()
            if value:
                check_query(name, value, QUERY[name][1])
                found[name] = value
        return found

    def window(self) -> tuple[int, int]:
        limit = self.get_query_argument("limit", "") or str(PAGE_SIZE)
        offset = self.get_query_argument("offset", "") or "0"
        check_query("limit", limit, QUERY["limit"][1])
        check_query("offset", offset, QUERY["offset"][1])
        return int(limit), int(offset)

    async def render_list(self, course_id: str, form=None, error=None, status=200) -> None:
        filters = self.filters()
        limit, offset = self.window()
        permissions = self.permissions

        def read(session):
            listing = discussion.list_threads(
                session,
                permissions,
                course_id,
                module=filters.get("module"),
                item=filters.get("item"),
                kind=filters.get("kind"),
                unanswered=filters.get("unanswered") == "true",
                followed=filters.get("followed") == "true",
                q=filters.get("q"),
                limit=limit,
                offset=offset,
            )
            return {
                **course_facts(session, course_id),
                "listing": listing,
                "announcements": discussion.announcements(session, permissions, course_id),
                "sessions": discussion.upcoming_sessions(session, permissions, course_id),
            }

        data = await self.in_db(read)
        data |= {
            "filters": filters,
            "limit": limit,
            "offset": offset,
            "form": form,
            "username": self.username,
            "home": self.campus.base_url,
        }
        page = views.list_page(
            data, base=self.list_url(course_id), xsrf=self.xsrf_form_html(), error=error
        )
        self.show(page, status)

    async def get(self, course_id: str) -> None:
        await self.render_list(course_id)

    async def post(self, course_id: str) -> None:
        form = {name: self.form_text(name) for name in ("title", "body", "kind", "module")}
        form["private"] = "true" if self.get_body_argument("private", "") == "true" else ""
        try:
            # the API's JSON body, checked with its schema
            body: dict[str, Any] = {k: form[k] for k in ("title", "body", "kind")}
            if form["module"]:
                body["module"] = form["module"]
            if form["private"]:
                body["private"] = True
            body = self.checked_body(body, schemas.NEW_THREAD)
            permissions, limit = self.permissions, self.rate_limit

            def act(session):
                thread = discussion.start_thread(
                    session,
                    permissions,
                    course_id,
                    title=body["title"],
                    body=body["body"],
                    kind=body["kind"],
                    module=body.get("module"),
                    private=body.get("private", False),
                    limit=limit,
                )
                session.flush()
                return thread.id

            thread_id = await self.in_db_write(act)
        except web.HTTPError as e:
            # shown with the form as it was filled in; a caller who may not read the course
            # gets the course's own 403 or 404 from the list instead
            await self.render_list(course_id, form, e.get_message(), e.status_code)
            return
        self.redirect(f"{self.list_url(course_id)}/{thread_id}", status=303)


class ThreadPage(DiscussionPage):
    """GET /services/nbcampus/courses/{course}/discussion/{thread}: one thread with its posts
    (opening it marks it read); POST replies, or comments under a reply."""

    async def render_thread(
        self, course_id: str, thread_id: str, error=None, draft="", status=200
    ) -> None:
        number_ = number(thread_id, "thread")
        permissions = self.permissions
        mark = error is None  # a page viewed marks the thread read; a failed post does not

        def read(session):
            thread = discussion.open_thread(session, permissions, number_)
            if thread["course_id"] != course_id:
                raise NotFound(f"no thread {number_}")
            if mark:
                discussion.read_thread(session, permissions, number_)
            return {**course_facts(session, course_id), "thread": thread}

        data = await self.in_db_write(read)
        page = views.thread_page(
            data,
            list_url=self.list_url(course_id),
            xsrf=self.xsrf_form_html(),
            error=error,
            draft=draft,
        )
        self.show(page, status)

    async def get(self, course_id: str, thread_id: str) -> None:
        await self.render_thread(course_id, thread_id)

    async def post(self, course_id: str, thread_id: str) -> None:
        number_ = number(thread_id, "thread")
        text = self.form_text("body")
        parent = self.get_body_argument("parent_id", "")
        try:
            body: dict[str, Any] = {"body": text}
            if parent:
                body["parent_id"] = int(parent) if parent.isdigit() else parent
            body = self.checked_body(body, schemas.NEW_POST)
            permissions, limit = self.permissions, self.rate_limit

            def act(session):
                thread = discussion.open_thread(session, permissions, number_)
                if thread["course_id"] != course_id:
                    raise NotFound(f"no thread {number_}")
                _, post = discussion.reply(
                    session, permissions, number_, body["body"], body.get("parent_id"), limit=limit
                )
                session.flush()
                return post.id

            post_id = await self.in_db_write(act)
        except web.HTTPError as e:
            if e.status_code == 404:
                raise  # the thread is not there for this caller: nothing to show
            await self.render_thread(course_id, thread_id, e.get_message(), text, e.status_code)
            return
        self.redirect(f"{self.list_url(course_id)}/{number_}#post-{post_id}", status=303)
