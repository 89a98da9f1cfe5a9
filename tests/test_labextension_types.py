"""The Courses panel against the service's OpenAPI document, without a browser or a service.

The panel's TypeScript types are generated from the document at build time (src/schema.d.ts);
these tests keep the hand-written parts honest: a fallback shape in src/types.ts exists only
while the document still says nothing about that response, every call the panel makes is an
operation of the document and passes the server's forwarder, and the forwarder lets through
nothing the document does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nbcampus.lab.forward import RULES, forward_rule
from nbcampus.service.openapi import openapi_document

SRC = Path(__file__).resolve().parents[1] / "extensions" / "labextension" / "src"
METHODS = ("get", "post", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document("/services/nbcampus")


def success_schema(operation: dict) -> dict | None:
    """The JSON schema of an operation's 2xx answer (None when it answers no JSON)."""
    for code, response in operation["responses"].items():
        if code.startswith("2"):
            return response.get("content", {}).get("application/json", {}).get("schema")
    return None


def undocumented(schema: dict | None) -> bool:
    """True for an answer the document gives only as a bare object: openapi-typescript makes
    it ``Record<string, never>``, which is when src/types.ts falls back to its own shape."""
    return schema is None or (
        schema.get("type") == "object"
        and not schema.get("properties")
        and not schema.get("additionalProperties")
        and not any(k in schema for k in ("$ref", "allOf", "oneOf", "anyOf"))
    )


def fallbacks() -> list[tuple[str, str]]:
    """The (method, path) keys of the `Undocumented` interface in src/types.ts."""
    text = (SRC / "types.ts").read_text()
    block = text[text.index("export interface Undocumented {") :]
    block = block[: block.index("\n}\n")]
    return re.findall(r"^  '(get|post) (/api/[^']*)':", block, re.M)


def panel_calls() -> set[tuple[str, str]]:
    """The (method, document path) of every `api.get`, `api.post` and `api.patch` call of the panel."""
    calls = set()
    for path in SRC.rglob("*.ts"):
        if path.name.endswith(".d.ts"):
            continue
        calls |= set(re.findall(r"\.(get|post|patch)\(\s*'(/api/[^']*)'", path.read_text()))
    return calls


def concrete(path: str) -> str:
    """A document path with sample parameters, as the forwarder sees it (below ``api/``)."""
    return re.sub(r"\{\w+\}", "sample", path).removeprefix("/api/")


def test_fallback_shapes_are_only_for_responses_the_document_does_not_describe(document):
    keys = fallbacks()
    for method, path in keys:
        operation = document["paths"].get(path, {}).get(method)
        assert operation is not None, (
            f"src/types.ts has a fallback for {method} {path}: no such operation"
        )
        assert undocumented(success_schema(operation)), (
            f"the OpenAPI document now describes {method.upper()} {path}: delete its fallback "
            "in extensions/labextension/src/types.ts (the generated type takes over)"
        )
    # the other way round: whatever the panel reads without a fallback, the document describes
    for method, path in panel_calls() - set(keys):
        operation = document["paths"][path][method]
        assert not undocumented(success_schema(operation)), (
            f"the panel reads {method.upper()} {path}, whose answer the document does not "
            "describe: describe it (service/schemas/) or add a fallback to src/types.ts"
        )


def test_every_call_of_the_panel_is_documented_and_forwarded(document):
    calls = panel_calls()
    assert ("get", "/api/me/progress") in calls  # the course score
    for method, path in calls:
        assert method in document["paths"].get(path, {}), f"{method} {path} is not in the document"
        assert forward_rule(method.upper(), concrete(path)), (
            f"the forwarder refuses {method} {path}"
        )


def test_the_forwarder_passes_only_operations_of_the_document(document):
    operations = [
        (method.upper(), concrete(path))
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]
    for rule in RULES:
        for method in rule.methods:
            assert any(m == method and rule.pattern.match(p) for m, p in operations), (
                f"forward rule {method} {rule.pattern.pattern} ({rule.why}) matches no operation"
            )


def test_my_progress_is_forwarded_for_reading_only():
    assert forward_rule("GET", "me/progress") is not None
    assert forward_rule("POST", "me/progress") is None
    assert forward_rule("GET", "me/progress/learner2") is None
