"""Request checks by JSON Schema: a 400 whose message names the field.

The schemas (``nbcampus.service.schemas``) both validate the bodies and document them in the
OpenAPI document, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from tornado import web

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """ISO 8601 with a zone (what ``datetime.fromisoformat`` reads), e.g. 2027-03-01T17:00:00+00:00."""
    if not isinstance(value, str):
        return True  # the type keyword speaks for other types
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            "must be an ISO 8601 time with zone, e.g. 2027-03-01T17:00:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2027-03-01T17:00:00+00:00")
    return True


_validators: dict[int, Draft202012Validator] = {}


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """One compiled validator per schema (schemas are module constants)."""
    key = id(schema)
    if key not in _validators:
        Draft202012Validator.check_schema(schema)
        _validators[key] = Draft202012Validator(schema, format_checker=FORMATS)
    return _validators[key]


def field_path(error: ValidationError) -> str:
    """``events[0].kind`` for the place of an error ('' for the body itself)."""
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def explain(error: ValidationError) -> str:
    """A short message naming the field."""
    where = field_path(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in known)
        field = ".".join(filter(None, [where, extra[0] if extra else "?"]))
        return f"unknown field {field!r}"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing field {'.'.join(filter(None, [where, missing]))!r}"
    message = str(error.cause) if error.validator == "format" and error.cause else error.message
    if error.validator == "type" and error.schema.get("description"):
        message += f" ({error.schema['description']})"
    return f"{where}: {message}" if where else message


def check_body(data: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """``data`` if it fits ``schema``; else a 400 naming the first wrong field."""
    error = best_match(validator_for(schema).iter_errors(data))
    if error is not None:
        raise web.HTTPError(400, "%s", explain(error))
    return data


def check_query(name: str, value: str | None, schema: dict[str, Any]) -> None:
    """A query argument against its schema (integers are read as numbers first)."""
    if value is None:
        return
    checked: Any = value
    choices = schema.get("enum")
    if choices is not None and value not in choices:
        listed = ", ".join(map(str, choices[:-1])) + f" or {choices[-1]}"
        raise web.HTTPError(400, "%s", f"{name} must be {listed}, not {value!r}")
    if schema.get("type") == "integer":
        try:
            checked = int(value)
        except ValueError:
            raise web.HTTPError(400, "%s", f"{name}: {value!r} is not a whole number") from None
    error = best_match(validator_for(schema).iter_errors(checked))
    if error is not None:
        raise web.HTTPError(400, "%s", f"{name}: {error.message}")
