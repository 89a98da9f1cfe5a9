"""The OpenAPI 3.1 document of the service's API, assembled from the routes.

Each operation comes from a handler method: its docstring (first line: the summary), its
declared permission, query arguments, request body schema and answers
(``nbcampus.service.endpoints``); path parameters come from the route template. The schemas
named in ``nbcampus.service.schemas`` become components, so generated client types have names.
No service needs to run: ``openapi_document("/services/nbcampus")`` is a pure function.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import sys
from types import ModuleType
from typing import Any

from tornado import web

from nbcampus import __version__
from nbcampus.service.api import ROUTES
from nbcampus.service.endpoints import JSON, Endpoint, endpoint_of
from nbcampus.service.schemas import (
    catalog,
    certificates,
    common,
    discussion,
    enrolment,
    exchange,
    grading,
    notifications,
    peer_review,
    profiles,
    progress,
    quizzes,
    rewards,
)

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_MODULES: list[ModuleType] = [
    catalog,
    enrolment,
    exchange,
    quizzes,
    grading,
    progress,
    certificates,
    discussion,
    peer_review,
    notifications,
    rewards,
    profiles,
]
PARAMETERS = {
    "course": "a course id",
    "username": "a hub user name",
    "item": "an assignment or quiz id",
    "assignment": "an assignment id",
    "submission": "a submission id",
    "quiz": "a quiz id",
    "section": "enrolment, activity, grades, quiz_items or at_risk",
    "certificate": "a certificate id",
    "thread": "a discussion thread id",
    "post": "a discussion post id",
    "session": "a live session id",
    "allocation": "a peer-review reservation id",
    "review": "a peer review id",
}
REASONS = {
    200: "OK",
    201: "created",
    202: "accepted",
    400: "bad request: the message names the field",
    401: "not logged in",
    403: "not allowed",
    404: "not found",
    409: "conflict",
    410: "gone",
    413: "too large",
    422: "invalid: the message names the field and why",
    429: "too many requests",
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def named_schemas() -> dict[str, dict[str, Any]]:
    """Component name -> schema, for every schema constant of the concept modules."""
    names: dict[str, dict[str, Any]] = {"Error": common.ERROR}
    for module in SCHEMA_MODULES:
        for attr, value in vars(module).items():
            if not attr.isupper() or not isinstance(value, dict):
                continue
            if any(value is known for known in names.values()):
                continue  # imported from another schema module
            name = _camel(attr)
            if name in names:
                name = _camel(f"{module.__name__.rsplit('.', 1)[-1]}_{attr}")
            names[name] = value
    return names


def path_parameters(template: str) -> list[str]:
    """``/api/courses/{course}/quizzes/{quiz}`` -> ``["course", "quiz"]``."""
    return re.findall(r"\{(\w+)\}", template)


def endpoints(handler: type[web.RequestHandler]) -> dict[str, Endpoint]:
    """The handler's declared methods (those it defines or inherits from an API base)."""
    out = {}
    for name in METHODS:
        method = getattr(handler, name, None)
        spec = endpoint_of(method)
        if spec is not None:
            out[name] = spec
    return out


class _Builder:
    def __init__(self, max_upload_bytes: int) -> None:
        self.names = {id(schema): name for name, schema in named_schemas().items()}
        self.max_upload_bytes = max_upload_bytes

    def schema(self, schema: dict[str, Any] | None, media: str = JSON) -> dict[str, Any]:
        if schema is None:
            schema = common.ERROR
        name = self.names.get(id(schema))
        if name is not None:
            return {"$ref": f"#/components/schemas/{name}"}
        schema = copy.deepcopy(schema)
        if media == "application/zip":
            schema["maxLength"] = self.max_upload_bytes
        return schema

    def operation(self, template: str, handler: type, method: str, spec: Endpoint) -> dict:
        doc = inspect.cleandoc(spec.method.__doc__ or "")
        summary, _, description = doc.partition("\n")
        permission = spec.permission
        op: dict[str, Any] = {
            "operationId": method + handler.__name__.removesuffix("Handler"),
            "summary": summary.strip(),
            "tags": [handler.__module__.rsplit(".", 1)[-1]],
        }
        if permission is not None:
            op["x-nbcampus-permission"] = permission.describe()
            description = (description.strip() + f"\n\nWho: {permission.describe()}.").strip()
        if description:
            op["description"] = description
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": PARAMETERS.get(name, name),
                "schema": {"type": "string"},
            }
            for name in path_parameters(template)
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
            for name, (text, schema) in spec.query.items()
        ]
        if parameters:
            op["parameters"] = parameters
        if spec.body is not None:
            media, schema = spec.body
            op["requestBody"] = {
                "required": media != JSON,
                "content": {media: {"schema": self.schema(schema, media)}},
            }
        op["responses"] = self.responses(spec)
        if permission is not None and permission.kind == "public":
            op["security"] = []
        return op

    def responses(self, spec: Endpoint) -> dict[str, Any]:
        public = spec.permission is not None and spec.permission.kind == "public"
        out: dict[str, dict[str, Any]] = {}
        for answer in spec.answers:
            entry = out.setdefault(
                str(answer.status),
                {"description": answer.description or REASONS.get(answer.status, "")},
            )
            entry.setdefault("content", {})[answer.media] = {
                "schema": self.schema(answer.schema, answer.media)
            }
            if answer.description and answer.description not in entry["description"]:
                entry["description"] += f"; {answer.description}"
        defaults = [400, 404] if public else [400, 401, 403, 404]
        for status in defaults:
            out.setdefault(
                str(status),
                {"description": REASONS[status], "content": {JSON: {"schema": self.schema(None)}}},
            )
        return dict(sorted(out.items()))


def openapi_document(
    server_url: str, max_upload_bytes: int = common.MAX_UPLOAD_BYTES
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API served under ``server_url`` (e.g.
    ``/services/nbcampus``); deterministic, and needs no running service."""
    build = _Builder(max_upload_bytes)
    paths: dict[str, dict[str, Any]] = {}
    for template, handler in ROUTES:
        paths[template] = {
            method: build.operation(template, handler, method, spec)
            for method, spec in endpoints(handler).items()
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nbcampus service",
            "version": __version__,
            "description": "The school's API: catalog, enrolment, deadlines, exchange, grading, "
            "quizzes, progress, certificates and discussions. Authenticate with a JupyterHub token "
            "('Authorization: token ...') or the service's OAuth cookie. Errors answer "
            "{status, message}; a 400's message names the field.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": named_schemas(),
            "securitySchemes": {
                "hubToken": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
        "security": [{"hubToken": []}],
    }


def main() -> None:
    """Print the document as JSON (``python -m nbcampus.service.openapi``): the Courses panel's
    TypeScript types are generated from it when the lab extension is built."""
    json.dump(openapi_document("/services/nbcampus"), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
