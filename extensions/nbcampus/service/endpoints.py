"""What each API method declares: who may call it, what body it takes, what it answers.

In the spirit of JupyterHub's ``@needs_scope``, a method says its permission with a decorator
instead of checking it at its top::

    @requires("grade")                      # the course is the path argument course_id
    @accepts(schemas.QUEUE_GRADING)         # the JSON body, validated before the method runs
    @answers(202, schemas.GRADING_QUEUED)   # documents the success answer
    async def post(self, course_id, assignment_id): ...

The decorators stack in any order: the first one wraps the method once and they all fill in the
same :class:`Endpoint`, which the wrapper reads at call time (permission, then body, then the
method) and the OpenAPI document reads to describe the operation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tornado import web

from nbcampus.service.validation import check_body, check_query

if TYPE_CHECKING:
    from nbcampus.service.base import APIHandler

#: a course id read from the request: ``lookup(handler, arguments) -> course id``
CourseLookup = Callable[["APIHandler", dict[str, Any]], Awaitable[str]]

JSON = "application/json"


@dataclass(frozen=True)
class Subject:
    """Where the username a request is about comes from: a path argument, a query argument or a
    field of the JSON body. Missing means the caller."""

    where: str  # "path" | "query" | "body"
    name: str

    def read(self, handler: APIHandler, arguments: dict[str, Any]) -> str:
        if self.where == "path":
            value = arguments[self.name]
        elif self.where == "query":
            value = handler.get_argument(self.name, None)
        else:
            value = handler.body.get(self.name)
        return handler.username if value is None else str(value)


def in_path(name: str) -> Subject:
    """The request is about the user named by path argument ``name``."""
    return Subject("path", name)


def in_query(name: str) -> Subject:
    """The request is about the user named by query argument ``name`` (default: the caller)."""
    return Subject("query", name)


def in_body(name: str) -> Subject:
    """The request is about the user named by body field ``name`` (default: the caller)."""
    return Subject("body", name)


@dataclass(frozen=True)
class Permission:
    """Who may call a method.

    ``kind`` is ``public`` (no login), ``signed_in`` (any hub user; the answer is about the
    caller, or the school's rules decide), ``admin``, ``course`` (``action`` on the course
    named by ``course``) or ``report`` (reports of the course, or of one of its cohorts).
    With ``unless_self``, the course action is needed only when the request is about someone
    else; about the caller, ``self_needs`` (an action) or nothing is needed."""

    kind: str
    action: str | None = None
    course: str | CourseLookup = "course_id"
    unless_self: Subject | None = None
    self_needs: str | None = None

    @property
    def needs_body(self) -> bool:
        return self.unless_self is not None and self.unless_self.where == "body"

    def describe(self) -> str:
        """One line for the OpenAPI document."""
        if self.kind == "public":
            return "public: no login"
        if self.kind == "signed_in":
            return "any signed-in user (about themselves, or as the school's rules allow)"
        if self.kind == "admin":
            return "hub admins"
        if self.kind == "report":
            return "report scope of the course, or of the cohort asked for"
        text = f"{self.action} scope of the course"
        if self.unless_self is not None:
            own = f"{self.self_needs} scope" if self.self_needs else "nothing"
            text += f" (about oneself: {own})"
        return text

    async def check(self, handler: APIHandler, arguments: dict[str, Any]) -> None:
        """Refuse with 403 (the same messages as ``APIHandler.require``)."""
        if self.kind in ("public", "signed_in"):
            return
        if self.kind == "admin":
            handler.require_admin()
            return
        course_id = (
            arguments[self.course]
            if isinstance(self.course, str)
            else await self.course(handler, arguments)
        )
        if self.kind == "report":
            handler.report_cohorts = handler.readable_cohorts(
                course_id, handler.get_argument("cohort", None)
            )
            return
        action: str | None = self.action
        if self.unless_self is not None and self.unless_self.read(handler, arguments) == (
            handler.username
        ):
            action = self.self_needs
        if action is not None:
            handler.require(action, course_id)


@dataclass(frozen=True)
class Answer:
    """A documented answer: a status, a media type and its schema (None: the Error schema)."""

    status: int
    schema: dict[str, Any] | None
    media: str = JSON
    description: str = ""


@dataclass
class Endpoint:
    """Everything declared on one handler method."""

    method: Callable[..., Awaitable[None]]
    permission: Permission | None = None
    #: (media type, schema) of the request body; JSON bodies are validated
    body: tuple[str, dict[str, Any]] | None = None
    answers: list[Answer] = field(default_factory=list)
    #: query arguments: name -> (description, schema)
    query: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def parameters(self) -> list[str]:
        """The method's path arguments, in order."""
        return list(inspect.signature(self.method).parameters)[1:]


def endpoint_of(method: Any) -> Endpoint | None:
    """The declarations of a handler method (None when it has none)."""
    return getattr(method, "__endpoint__", None)


def _declare(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Wrap ``fn`` once; later decorators add to the same Endpoint."""
    if endpoint_of(fn) is not None:
        return fn
    spec = Endpoint(fn)
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    async def run(self: APIHandler, *args: Any, **kwargs: Any) -> None:
        arguments = signature.bind(self, *args, **kwargs).arguments
        permission = spec.permission
        if permission is None:  # tests/service/test_openapi.py keeps every method declared
            raise web.HTTPError(500, f"{type(self).__name__}.{fn.__name__} declares no permission")
        if not permission.needs_body:
            await permission.check(self, arguments)
        for name, (_, schema) in spec.query.items():
            check_query(name, self.get_argument(name, None), schema)
        if spec.body is not None and spec.body[0] == JSON:
            self.body = check_body(self.json_body(), spec.body[1])
        if permission.needs_body:
            await permission.check(self, arguments)
        await fn(self, *args, **kwargs)

    run.__endpoint__ = spec  # type: ignore[attr-defined]
    return run


def _permission(permission: Permission) -> Callable:
    def decorate(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        wrapped = _declare(fn)
        spec = endpoint_of(wrapped)
        assert spec is not None and spec.permission is None, "one permission per method"
        spec.permission = permission
        return wrapped

    return decorate


def requires(
    action: str,
    *,
    course: str | CourseLookup = "course_id",
    unless_self: Subject | None = None,
    self_needs: str | None = None,
) -> Callable:
    """The caller needs ``action`` (learn, teach, grade, report) on the course: the path argument
    ``course`` or, given a function, the course it finds (e.g. a certificate's)."""
    return _permission(Permission("course", action, course, unless_self, self_needs))


def reads_reports(course: str = "course_id") -> Callable:
    """Report scope of the course or of a cohort of it; the readable cohorts (None: all) are
    left in ``handler.report_cohorts``."""
    return _permission(Permission("report", course=course))


public = _permission(Permission("public"))
public.__doc__ = "No login needed (the OpenAPI document, certificate checks)."
signed_in = _permission(Permission("signed_in"))
signed_in.__doc__ = "Any signed-in hub user: the answer concerns the caller, or the rules decide."
admin_only = _permission(Permission("admin"))
admin_only.__doc__ = "Hub admins only."


def accepts(schema: dict[str, Any], media: str = JSON) -> Callable:
    """The request body: a JSON body is validated against ``schema`` (400 naming the field)
    and left in ``handler.body``; other media (ZIP, CSV) are documented only."""

    def decorate(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        wrapped = _declare(fn)
        endpoint_of(wrapped).body = (media, schema)
        return wrapped

    return decorate


def answers(
    status: int, schema: dict[str, Any] | None = None, media: str = JSON, description: str = ""
) -> Callable:
    """Document an answer; ``schema=None`` means the Error schema ``{status, message}``."""

    def decorate(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        wrapped = _declare(fn)
        # decorators apply bottom-up: insert at the front to keep the written order
        endpoint_of(wrapped).answers.insert(0, Answer(status, schema, media, description))
        return wrapped

    return decorate


def query(**arguments: str | tuple[str, dict[str, Any]]) -> Callable:
    """Document (and, given a schema, check) query arguments: ``name="description"`` or
    ``name=("description", schema)``."""

    def decorate(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        wrapped = _declare(fn)
        spec = endpoint_of(wrapped)
        for name, value in arguments.items():
            spec.query[name] = (value, {"type": "string"}) if isinstance(value, str) else value
        return wrapped

    return decorate
