"""Schemas of the catalog: courses as the API shows them, and the service's own answers."""

from __future__ import annotations

from nbcampus.course import schema as course_format
from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
    open_obj,
)

# a module's items are shown as the course file has them: the course format's own schemas
MODULE = obj(
    {
        "id": STRING,
        "title": STRING,
        "week": INTEGER,
        "objectives": array(STRING),
        "lessons": array(course_format.LESSON),
        "assignments": array(course_format.ASSIGNMENT),
        "quiz": nullable(course_format.QUIZ),
    }
)
BRANDING = obj(
    {
        "organisation": STRING,
        "logo": STRING,
        "colors": obj({"primary": STRING, "accent": STRING}, []),
    },
    [],
)

COURSE = obj(
    {
        "id": STRING,
        "title": STRING,
        "format": {"enum": ["mooc", "cooc", "spoc", "sooc"]},
        "pedagogy": STRING,
        "description": STRING,
        "language": STRING,
        "hours_per_week": NUMBER,
        "duration_weeks": INTEGER,
        "instructors": array(ANY_OBJECT),
        # invite codes and the roster only for the course's staff
        "enrolment": open_obj({"rule": STRING, "invite_only": BOOLEAN}, ["rule"]),
        "seats": obj({"cap": nullable(INTEGER), "taken": INTEGER, "left": nullable(INTEGER)}),
        "tracks": open_obj({}, []),
        "pacing": open_obj({"mode": STRING}),
        "branding": nullable(BRANDING),
        "modules": array(MODULE),
    }
)

CATALOG_ENTRY = {
    **COURSE,
    "properties": {**COURSE["properties"], "my_status": nullable(STRING)},
    "required": [*COURSE["required"], "my_status"],
}
CATALOG = obj({"courses": array(CATALOG_ENTRY)})

SERVICE = obj({"service": {"const": "nbcampus"}, "version": STRING, "username": STRING})
OPENAPI = open_obj({"openapi": STRING, "info": ANY_OBJECT, "paths": ANY_OBJECT})
SYNC_REPORT = obj(
    {
        "published": array(STRING),
        "unchanged": array(STRING),
        "released": {"type": "object", "additionalProperties": array(STRING)},
        "rejected": {"type": "object", "additionalProperties": array(STRING)},
    }
)
EXERCISE_RELEASE = obj(
    {
        "release_id": INTEGER,
        "files": array(STRING),
        "released_at": TIME,
        # False: the course folder's source is what learners already fetch
        "changed": BOOLEAN,
    }
)
