"""The OpenAPI document agrees with the handlers: every route and method has an operation and
no other does, request bodies are the schemas the handlers validate with, and real answers of
a real service fit the documented response schemas."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from nbcampus.service.api import ROUTES
from nbcampus.service.endpoints import endpoint_of
from nbcampus.service.openapi import METHODS, named_schemas, openapi_document
from nbcampus.service.validation import FORMATS

from .conftest import call

DOC = openapi_document("/services/nbcampus")
COMPONENTS = DOC["components"]["schemas"]


def resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    return COMPONENTS[ref.rsplit("/", 1)[-1]] if ref else schema


def validator(schema: dict) -> Draft202012Validator:
    """A validator (formats checked) that resolves the document's component references."""
    document = {"$id": "urn:nbcampus:openapi", "components": {"schemas": COMPONENTS}}
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:nbcampus:openapi", resource)
    text = json.dumps(schema).replace('"#/components/', '"urn:nbcampus:openapi#/components/')
    return Draft202012Validator(json.loads(text), registry=registry, format_checker=FORMATS)


def test_every_route_and_method_has_an_operation_and_no_other():
    assert list(DOC["paths"]) == [template for template, _ in ROUTES]
    for template, handler in ROUTES:
        implemented = {
            m
            for m in METHODS
            if getattr(handler, m, None) is not None
            and any(
                m in vars(base)
                for base in handler.__mro__
                if base.__module__.startswith("nbcampus")
            )
        }
        assert implemented == set(DOC["paths"][template]), template


def test_every_method_declares_its_permission_and_its_parameters():
    for template, handler in ROUTES:
        params = re.findall(r"\{(\w+)\}", template)
        for method in DOC["paths"][template]:
            spec = endpoint_of(getattr(handler, method))
            assert spec is not None and spec.permission is not None, (template, method)
            # one method argument per path parameter, in order
            assert len(spec.parameters) == len(params), (template, method)
            op = DOC["paths"][template][method]
            assert [p["name"] for p in op.get("parameters", []) if p["in"] == "path"] == params
            assert op["summary"] and not op["summary"].startswith(("GET", "POST")), template
            assert any(s.startswith("2") for s in op["responses"]), (template, method)


def test_request_bodies_are_the_schemas_the_handlers_validate_with():
    bodies = 0
    for template, handler in ROUTES:
        for method, op in DOC["paths"][template].items():
            spec = endpoint_of(getattr(handler, method))
            if spec.body is None:
                assert "requestBody" not in op, (template, method)
                continue
            media, schema = spec.body
            (documented,) = op["requestBody"]["content"].items()
            assert documented[0] == media
            if media == "application/json":
                assert resolve(documented[1]["schema"]) is schema, (template, method)
            else:
                bodies += 1
    # submission, release, feedback (ZIP), the roster (CSV) and the one-click unsubscribe (form)
    assert bodies == 5


def test_zip_uploads_are_binary_bodies_with_a_size_limit():
    zips = [
        (template, method)
        for template, ops in DOC["paths"].items()
        for method, op in ops.items()
        if "application/zip" in op.get("requestBody", {}).get("content", {})
    ]
    assert len(zips) == 3
    for template, method in zips:
        schema = DOC["paths"][template][method]["requestBody"]["content"]["application/zip"][
            "schema"
        ]
        assert schema["format"] == "binary" and schema["maxLength"] == 20 * 1024 * 1024
        assert "413" in DOC["paths"][template][method]["responses"]


def test_every_schema_is_valid():
    for schema in named_schemas().values():
        Draft202012Validator.check_schema(schema)
    for ops in DOC["paths"].values():
        for op in ops.values():
            for response in op["responses"].values():
                for content in response.get("content", {}).values():
                    Draft202012Validator.check_schema(content["schema"])


def test_errors_and_special_answers_are_documented():
    verify = DOC["paths"]["/api/verify/{certificate}"]["get"]
    assert resolve(verify["responses"]["404"]["content"]["application/json"]["schema"])[
        "properties"
    ]["status"] == {"const": "unknown"}
    assert verify["security"] == []
    activity = DOC["paths"]["/api/me/activity"]["post"]
    assert "413" in activity["responses"]
    courses = DOC["paths"]["/api/courses"]["get"]["responses"]
    assert resolve(courses["401"]["content"]["application/json"]["schema"]) == COMPONENTS["Error"]


def test_the_document_is_deterministic_and_needs_no_service():
    again = openapi_document("/services/nbcampus")
    assert json.dumps(again, sort_keys=False) == json.dumps(DOC, sort_keys=False)
    assert openapi_document("/x")["servers"] == [{"url": "/x"}]


def test_schemas_refuse_what_they_should():
    """Strict-looking schemas are strict: unknown keys, wrong types, out of range."""
    grading = COMPONENTS["QueueGrading"]
    v = Draft202012Validator(grading)
    assert v.is_valid({}) and v.is_valid({"only": "all", "learner": "ana"})
    for bad in ({"only": "sometimes"}, {"colour": "red"}, {"learner": 3}, {"learner": ""}, []):
        assert not v.is_valid(bad), bad
    events = Draft202012Validator(COMPONENTS["Activity"])
    good = {"course_id": "c", "kind": "open", "notebook": "a.ipynb"}
    assert events.is_valid({"events": [good]})
    for bad in (
        {"events": []},
        {"events": [{**good, "colour": 1}]},
        {"events": [{**good, "seconds": 3601}]},
        {"events": [{**good, "kind": "keystroke"}]},
        {"events": [good], "extra": 1},
    ):
        assert not events.is_valid(bad), bad


@pytest.mark.hub
def test_real_answers_fit_the_documented_schemas(campus):
    call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    call(
        campus,
        "ana",
        "POST",
        "me/activity",
        json={
            "events": [
                {
                    "course_id": "open-mooc",
                    "kind": "active",
                    "notebook": "lessons/lesson1.ipynb",
                    "seconds": 30,
                }
            ]
        },
    )
    values = {
        "course": "open-mooc",
        "username": "ana",
        "quiz": "week1-quiz",
        "certificate": "no-such-certificate",
    }
    queries = {
        "/api/me/progress": "?course=open-mooc",
        "/api/me/activity": "?course=open-mooc",
    }
    who = {
        "/api/courses/{course}/quizzes/{quiz}": "ana",
        "/api/me/progress": "ana",
        "/api/me/activity": "ana",
        "/api/me/enrolments": "ana",
        "/api/me/grades": "ana",
    }
    checked = 0
    for template, ops in DOC["paths"].items():
        if "get" not in ops:
            continue
        names = re.findall(r"\{(\w+)\}", template)
        paths = []
        if names == ["course", "section"]:
            paths = [
                template.replace("{course}", "open-mooc").replace("{section}", s)
                for s in ("enrolment", "activity", "grades", "quiz_items", "at_risk")
            ]
        elif all(n in values for n in names):
            path = template
            for n in names:
                path = path.replace("{" + n + "}", values[n])
            paths = [path]
        for path in paths:
            r = call(
                campus,
                who.get(template, "admin"),
                "GET",
                path.removeprefix("/api/") + queries.get(template, ""),
            )
            responses = ops["get"]["responses"]
            assert str(r.status_code) in responses, (path, r.status_code, r.text)
            content = responses[str(r.status_code)].get("content", {})
            media = r.headers["Content-Type"].split(";")[0]
            assert media in content, (path, media, r.status_code, r.text[:300])
            if media != "application/json":
                continue
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator(content[media]["schema"]).iter_errors(r.json())
            ]
            assert errors == [], (path, errors[:5])
            checked += 1
    assert checked >= 20
