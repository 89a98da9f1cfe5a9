"""Schemas of grading: queueing, manual grades, feedback release, a learner's grades."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    INTEGER,
    NAME,
    NUMBER,
    STRING,
    TEXT,
    TIME,
    array,
    nullable,
    obj,
)
from nbcampus.service.schemas.enrolment import REASON
from nbcampus.service.schemas.exchange import LATE

# requests
QUEUE_GRADING = obj(
    {"learner": NAME, "only": {"enum": ["latest", "all", "failed"], "default": "latest"}},
    [],
    description="which attempts to (re)grade: latest, all or failed; everyone or one learner",
)
CELL_SCORE = obj(
    {
        "notebook": NAME,
        "grade_id": NAME,
        "points": {"type": "number", "minimum": 0},
        "comment": nullable(TEXT),
        "reason": REASON,
    },
    ["notebook", "grade_id", "points", "reason"],
    description="a manual grade or an override of one cell, and why (audited)",
)

# answers
JOB_STATES = ["queued", "running", "graded", "review", "failed"]
QUEUED = obj(
    {
        "queued": INTEGER,
        "jobs": array(obj({"id": INTEGER, "submission_id": STRING, "username": STRING})),
    }
)
_GRADE_FIELDS = {
    "submission_id": STRING,
    "course_id": STRING,
    "assignment_id": STRING,
    "username": STRING,
    "state": STRING,
    "score": nullable(NUMBER),
    "raw_score": nullable(NUMBER),
    "max_score": nullable(NUMBER),
    "credit_percent": nullable(NUMBER),
    "graded_at": nullable(TIME),
    "released_at": nullable(TIME),
    "cells": array(ANY_OBJECT),
}
STAFF_GRADE = obj({**_GRADE_FIELDS, "review_reasons": nullable(array(STRING))})
GRADING_STATUS = obj(
    {
        "course_id": STRING,
        "assignment_id": STRING,
        "job_list": array(
            obj(
                {
                    "id": INTEGER,
                    "submission_id": STRING,
                    "username": STRING,
                    "state": {"enum": JOB_STATES},
                    "attempts": INTEGER,
                    "error": nullable(STRING),
                }
            )
        ),
        "jobs": obj({state: INTEGER for state in JOB_STATES}),
        "grades": array(STAFF_GRADE),
    }
)
FEEDBACK_RELEASE = obj({"released": array(STRING)})
MY_GRADE = obj(
    {
        **_GRADE_FIELDS,
        "attempt": INTEGER,
        "received_at": TIME,
        "late": LATE,
        "feedback_available": {"type": "boolean"},
        "counted": {"type": "boolean"},
    },
    [
        "course_id",
        "assignment_id",
        "submission_id",
        "attempt",
        "received_at",
        "late",
        "state",
        "feedback_available",
    ],
)
MY_GRADES = obj({"username": STRING, "grades": array(MY_GRADE)})
