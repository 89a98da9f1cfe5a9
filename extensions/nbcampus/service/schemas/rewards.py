"""Schemas of rewards and nudges: a learner's points and streak, the cohort's leaderboard and
the opt-in, staff's view of the learners at risk and their messages."""

from __future__ import annotations

from nbcampus.course.engagement import NUDGE_RULES, POINT_KINDS
from nbcampus.service.schemas.common import (
    BOOLEAN,
    INTEGER,
    NAME,
    STRING,
    TIME,
    array,
    nullable,
    obj,
)

# requests
LEADERBOARD_CHOICE = obj(
    {"opted_in": {**BOOLEAN, "description": "true: show me on my cohort's leaderboard"}},
    ["opted_in"],
)
MESSAGE = obj(
    {
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "body": {"type": "string", "minLength": 1, "maxLength": 2000},
        "usernames": array(NAME, minItems=1, maxItems=5000),
        "at_risk": {"const": True},
    },
    ["title", "body"],
    description="a message to some learners (usernames) or to everyone at risk now "
    "(at_risk: true); plain text, delivered as a nudge",
    oneOf=[{"required": ["usernames"]}, {"required": ["at_risk"]}],
)

# answers
MODULE_POINTS = obj(
    {
        "id": STRING,
        "title": STRING,
        "lessons_done": INTEGER,
        "lessons": INTEGER,
        "exercises_graded": {**INTEGER, "description": "exercises whose grade is released"},
        "exercises": INTEGER,
        "quiz_done": BOOLEAN,
        "has_quiz": BOOLEAN,
        "points": INTEGER,
    }
)
STREAK = obj(
    {
        "current_weeks": INTEGER,
        "longest_weeks": INTEGER,
        "active_weeks": INTEGER,
        "active_this_week": BOOLEAN,
    }
)
POINTS = obj(
    {
        "course": STRING,
        "username": STRING,
        "name": STRING,
        "points_per": obj({kind: INTEGER for kind in POINT_KINDS}),
        "total": INTEGER,
        "modules": array(MODULE_POINTS),
        "accepted_answers": INTEGER,
        "discussion_points": INTEGER,
        "streak": STREAK,
        "leaderboard": obj({"enabled": BOOLEAN, "opted_in": BOOLEAN}),
    }
)
LEADERBOARD_ENTRY = obj({"rank": INTEGER, "name": STRING, "points": INTEGER, "me": BOOLEAN})
LEADERBOARD = obj(
    {
        "course": STRING,
        "cohort": nullable(STRING),
        "opted_in": BOOLEAN,
        "entries": array(LEADERBOARD_ENTRY, description="only learners who opted in"),
    }
)
RULE = {"enum": [*NUDGE_RULES, "message"]}
NUDGE = obj(
    {
        "username": STRING,
        "name": STRING,
        "rule": RULE,
        "occasion": STRING,
        "title": STRING,
        "created_at": TIME,
        "sent_by": nullable(STRING),
    }
)
AT_RISK = obj(
    {
        "username": STRING,
        "name": STRING,
        "reasons": array(obj({"rule": RULE, "occasion": STRING, "detail": STRING})),
        "last_nudged_at": nullable(TIME),
    }
)
NUDGES = obj(
    {
        "course": STRING,
        "rules": {"type": "object", "propertyNames": {"enum": list(NUDGE_RULES)}},
        "now": TIME,
        "at_risk": array(AT_RISK),
        "nudges": array(NUDGE, description="newest first (at most 200)"),
    }
)
SENT = obj({"sent_to": array(STRING), "told": INTEGER})
