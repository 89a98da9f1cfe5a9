"""Schemas of the exchange: releases, submissions and feedback (the bodies are ZIP archives)."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    INTEGER,
    NUMBER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
)

LATE = obj(
    {
        "stage": {"enum": ["on-time", "grace", "late", "closed"]},
        "credit_percent": NUMBER,
    }
)
_SUBMISSION_FIELDS = {
    "id": STRING,
    "course_id": STRING,
    "assignment_id": STRING,
    "username": STRING,
    "attempt": INTEGER,
    "received_at": TIME,
    "due_at": nullable(TIME),
    "files": array(STRING),
    "size": INTEGER,
    "late": LATE,
}
SUBMISSION = obj(_SUBMISSION_FIELDS)
SUBMITTED = obj(
    {**_SUBMISSION_FIELDS, "grading": obj({"job_id": INTEGER, "state": STRING})},
    list(_SUBMISSION_FIELDS),
    description="the new attempt; with its grading job when the service grades on arrival",
)
SUBMISSIONS = obj({"submissions": array(SUBMISSION)})
RELEASED = obj({"release_id": INTEGER, "files": array(STRING), "released_at": TIME})
FEEDBACK_RELEASED = obj({"submission_id": STRING, "released_at": TIME})
ASSIGNMENT = obj(
    {
        "course_id": STRING,
        "assignment_id": STRING,
        "title": STRING,
        "points": NUMBER,
        "release_id": INTEGER,
        "released_at": TIME,
        "files": array(STRING),
        "due_at": nullable(TIME),
        "late_policy": nullable(ANY_OBJECT),
        # which graded attempt counts: the best one, or the latest (the course's setting)
        "counted_attempt": {"enum": ["best", "latest"]},
        "submissions": array(SUBMISSION),
        "feedback": array(FEEDBACK_RELEASED),
    }
)
ASSIGNMENTS = obj({"assignments": array(ASSIGNMENT)})
