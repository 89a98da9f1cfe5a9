"""The JSON Schema of a course file (course.yml). Strict: unknown keys are errors."""

from __future__ import annotations

from typing import Any

from nbcampus.course.engagement import NUDGES_SCHEMA, REWARDS_SCHEMA
from nbcampus.course.packages import PACKAGES_SCHEMA
from nbcampus.course.peer_review import PEER_REVIEW_SCHEMA

FORMATS = ("mooc", "cooc", "spoc", "sooc")
PEDAGOGIES = ("xmooc", "cmooc")
ENROLMENT_RULES = ("open", "organisation", "invite")

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}
_RELPATH = {"type": "string", "minLength": 1, "pattern": r"^(?!/)(?!.*(^|/)\.\.(/|$)).+$"}
_DATE = {"type": "string", "format": "date"}
_COLOR = {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}
_USERNAME = {"type": "string", "pattern": r"^[a-zA-Z0-9][a-zA-Z0-9._@+-]{0,127}$"}
_DAYS = {"type": "number", "minimum": 0, "maximum": 366}

_STRICT: dict[str, Any] = {"type": "object", "additionalProperties": False}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema = dict(_STRICT, properties=properties)
    if required:
        schema["required"] = required
    return schema


LATE_POLICY = _object(
    {
        "grace_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
        "credit": {
            "type": "array",
            "items": _object(
                {"after_days": _DAYS, "percent": {"type": "number", "minimum": 0, "maximum": 100}},
                ["after_days", "percent"],
            ),
        },
        "hard_close_days": _DAYS,
    }
)

ASSIGNMENT = _object(
    {
        "id": _ID,
        "title": {"type": "string", "minLength": 1},
        "points": {"type": "number", "exclusiveMinimum": 0},
        "due_offset_days": _DAYS,
        "late_policy": LATE_POLICY,
        # reviewed by peers against a rubric (nbcampus.course.peer_review)
        "peer_review": PEER_REVIEW_SCHEMA,
    },
    ["id", "title", "points", "due_offset_days"],
)

LESSON = _object(
    {
        "file": _RELPATH,
        "title": {"type": "string", "minLength": 1},
        "kind": {"enum": ["notebook", "video", "text"]},
        # a video lesson (kind video, or a .mp4/.webm file): its length in seconds, WebVTT
        # captions, a transcript, and the share watched that makes it done
        "duration": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
        "captions": _RELPATH,
        "transcript": _RELPATH,
        "done_when_watched": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    },
    ["file", "title"],
)

QUIZ = _object(
    {
        "file": _RELPATH,
        "title": {"type": "string", "minLength": 1},
        "due_offset_days": _DAYS,
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
    },
    ["file", "title"],
)

REWARD = _object(
    {
        "award": {"enum": ["badge", "certificate"]},
        "min_score": {"type": "number", "minimum": 0, "maximum": 100},
    },
    ["award"],
)

MODULE = _object(
    {
        "id": _ID,
        "title": {"type": "string", "minLength": 1},
        "week": {"type": "integer", "minimum": 1, "maximum": 26},
        "objectives": {"type": "array", "items": {"type": "string"}},
        "lessons": {"type": "array", "items": LESSON},
        "assignments": {"type": "array", "items": ASSIGNMENT},
        "quiz": QUIZ,
        # a badge (signed Open Badges assertion) or a module certificate (its PDF too) once the
        # module is complete (every assignment graded, its quiz attempted) at min_score percent
        # of the module's own weighted score
        "reward": REWARD,
    },
    ["id", "title", "week"],
)

ORGANISATION = _object(
    {
        "name": {"type": "string", "minLength": 1},
        "email_domains": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[a-z0-9.-]+\.[a-z]{2,}$"},
        },
        "hub_groups": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "partners": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
    ["name"],
)

ENROLMENT = _object(
    {
        "rule": {"enum": list(ENROLMENT_RULES)},
        "seat_cap": {"type": ["integer", "null"], "minimum": 1},
        "waitlist": {"type": "boolean"},
        "organisation": ORGANISATION,
        "invite_codes": {"type": "array", "items": {"type": "string", "minLength": 6}},
        "roster": _RELPATH,
    },
    ["rule"],
)

RUN = _object({"id": _ID, "start": _DATE, "end": _DATE}, ["id", "start", "end"])

COURSE_SCHEMA: dict[str, Any] = _object(
    {
        "id": _ID,
        "title": {"type": "string", "minLength": 1},
        "format": {"enum": list(FORMATS)},
        "pedagogy": {"enum": list(PEDAGOGIES)},
        "description": {"type": "string", "minLength": 1},
        "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$"},
        "hours_per_week": {"type": "number", "exclusiveMinimum": 0, "maximum": 40},
        "duration_weeks": {"type": "integer", "minimum": 1, "maximum": 26},
        "instructors": {
            "type": "array",
            "minItems": 1,
            "items": _object({"username": _USERNAME, "name": {"type": "string"}}, ["username"]),
        },
        "tas": {"type": "array", "items": _USERNAME},
        # discussions: mentors answer and moderate; community managers also announce
        "mentors": {"type": "array", "items": _USERNAME},
        "community_managers": {"type": "array", "items": _USERNAME},
        # divided (default): a learner sees their cohort's threads and the course-wide ones;
        # shared: every learner of the course sees every thread (private questions excepted)
        "discussion": _object({"cohorts": {"enum": ["divided", "shared"]}}),
        "enrolment": ENROLMENT,
        "tracks": _object({"audit": {"type": "boolean"}, "verified": {"type": "boolean"}}),
        "pacing": _object(
            {"mode": {"enum": ["self-paced", "cohort"]}, "runs": {"type": "array", "items": RUN}},
            ["mode"],
        ),
        "modules": {"type": "array", "minItems": 1, "items": MODULE},
        "grading": _object(
            {
                "weights": _object(
                    {
                        "assignments": {"type": "number", "minimum": 0, "maximum": 1},
                        "quizzes": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                    ["assignments", "quizzes"],
                ),
                "pass_score": {"type": "number", "minimum": 0, "maximum": 100},
                # when learners see grades and feedback: as soon as graded (default, SPOCs
                # excepted) or when staff release them
                "feedback": {"enum": ["immediate", "on_release"]},
                # which graded attempt of an assignment counts: the best (default) or latest
                "counted_attempt": {"enum": ["best", "latest"]},
            },
            ["weights"],
        ),
        "certificate": _object(
            {
                "enabled": {"type": "boolean"},
                "min_score": {"type": "number", "minimum": 0, "maximum": 100},
                "required_modules": {"type": "array", "items": _ID},
                "verified_only": {"type": "boolean"},
                "instructor_approval": {"type": "boolean"},
            },
            ["enabled"],
        ),
        # package-index access for learners' servers (pip install in a lesson); off if absent
        "packages": PACKAGES_SCHEMA,
        # at-risk nudges and rewards (nbcampus.course.engagement)
        "nudges": NUDGES_SCHEMA,
        "rewards": REWARDS_SCHEMA,
        "branding": _object(
            {
                "organisation": {"type": "string", "minLength": 1},
                "logo": _RELPATH,
                "colors": _object({"primary": _COLOR, "accent": _COLOR}),
            }
        ),
    },
    [
        "id",
        "title",
        "format",
        "pedagogy",
        "description",
        "hours_per_week",
        "duration_weeks",
        "instructors",
        "enrolment",
        "pacing",
        "modules",
        "grading",
        "certificate",
    ],
)
