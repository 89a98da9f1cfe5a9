"""Schemas of quizzes: a learner's view (no key) and attempts (scored by the service)."""

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
    open_obj,
)

# requests
ATTEMPT = obj(
    {
        "answers": {
            "type": "object",
            "maxProperties": 1000,
            "description": "question id -> answer: an option index, a list of indexes, a text",
        }
    },
    ["answers"],
)

# answers
ATTEMPT_SCORED = obj(
    {
        "attempt": INTEGER,
        "submitted_at": TIME,
        "score": NUMBER,
        "max_score": NUMBER,
        "feedback": nullable({"anyOf": [ANY_OBJECT, array(ANY_OBJECT)]}),
        "answers": ANY_OBJECT,
    }
)
QUESTION = open_obj({"id": STRING, "points": NUMBER})
QUIZ = obj(
    {
        "course": STRING,
        "quiz": STRING,
        "title": STRING,
        "questions": array(QUESTION),
        "max_score": NUMBER,
        "max_attempts": nullable(INTEGER),
        "attempts": array(ATTEMPT_SCORED),
        "opens_at": nullable(TIME),
        "due_at": nullable(TIME),
        "now": TIME,
    }
)
