"""Building blocks of the API's schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 255}
TEXT: Schema = {"type": "string", "maxLength": 10_000}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
ANY_OBJECT: Schema = {"type": "object"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """A closed object: unknown keys are refused. ``required`` defaults to every property
    (answers); request bodies say which they need."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def open_obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object whose other keys vary (per-course columns): the named ones are checked."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


#: the answer of every refusal
ERROR: Schema = obj({"status": INTEGER, "message": STRING})

#: what a handler with no body takes: nothing, or an empty object
NO_BODY: Schema = obj({}, [])

#: default upload limit (CampusService.max_upload_bytes)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

ZIP: Schema = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/zip",
    "maxLength": MAX_UPLOAD_BYTES,
    "description": "a ZIP archive (at most the service's max_upload_bytes; 413 above)",
}
CSV: Schema = {"type": "string", "contentMediaType": "text/csv"}
PDF: Schema = {"type": "string", "format": "binary", "contentMediaType": "application/pdf"}
JWS: Schema = {
    "type": "string",
    "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
    "description": "a compact JWS: header.payload.signature",
}
